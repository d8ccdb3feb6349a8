import { type FilterQuery, LockMode } from '@mikro-orm/core';
import type { Plot as PlotMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { RecordedAct as RecordedActMsg } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  type CommandContext,
  canRead,
  type EntityManager,
  InvalidInputError,
  isUuid,
  NotFoundError,
  type Principal,
  RuleRefusedError,
  seesPersonalData,
} from '@pingquan/kit';
import {
  compareDates,
  type LocalDate,
  makeContractCode,
  type RuleViolation,
  todayInShanghai,
  violation,
} from '@pingquan/reference';
import { checkNotEncumbered } from '../domain/encumbrance.js';
import type {
  Circulation,
  Contract,
  ContractMode,
  ContractStatus,
  Encumbrance,
  Household,
  LandUse,
  Member,
  Plot,
  RecordedAct,
  TransfereeKind,
} from '../domain/model.js';
import {
  ContractEntity,
  type ContractRow,
  HouseholdEntity,
  type HouseholdRow,
  MemberEntity,
  type MemberRow,
  PlotEntity,
  type PlotRow,
} from '../persistence/entities.js';
import {
  CirculationEntity,
  CirculationPlotEntity,
  type CirculationPlotRow,
  type CirculationRow,
  EncumbranceEntity,
  type EncumbranceRow,
  SurrenderEntity,
} from '../persistence/rights-entities.js';
import { TRACK } from './context.js';
import { contractToMsg } from './mapping.js';

// Shared by the rights use cases (extinction, transfer, surrender, circulation, abandonment,
// encumbrance, collateral): loading rows as domain values, access scopes, refusals.

export const scopeOfVillage = (villageCode: string) => ({
  track: TRACK,
  villageCode,
  townshipCode: villageCode.slice(0, 9),
});

export const today = (ctx: Pick<CommandContext, 'now'>): LocalDate => todayInShanghai(ctx.now);

/** A business rule refused the command: nothing was written, the transaction rolls back. */
export function rejectRule(violations: readonly RuleViolation[]): never {
  throw new RuleRefusedError(dedupe(violations));
}

/** Bad input (shape, references to nothing, dates in the future). */
export function rejectInput(violations: readonly RuleViolation[]): never {
  throw new InvalidInputError(dedupe(violations));
}

/** Refuses when any rule is broken. */
export function refuse(violations: readonly RuleViolation[]): void {
  if (violations.length > 0) rejectRule(violations);
}

/** Refuses as bad input when any violation was found. */
export function badInput(violations: readonly RuleViolation[]): void {
  if (violations.length > 0) rejectInput(violations);
}

function dedupe(violations: readonly RuleViolation[]): RuleViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.rule}|${v.field}|${v.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Acts are recorded after they happen; an act dated after today is a typing error. */
export function checkNotFuture(date: LocalDate, todayDate: LocalDate, field: string): RuleViolation[] {
  return compareDates(date, todayDate) > 0
    ? [
        violation(
          'DATE_IN_FUTURE',
          field,
          `${date} is after today (${todayDate}); record an act once it has happened.`,
        ),
      ]
    : [];
}

/**
 * `RIGHT_ENCUMBERED` on the act's date and today: a mortgage registered after a back-dated act but
 * standing now still blocks it, since the bank's security would hang on a right given up.
 */
export function checkUnencumberedNowAndThen(
  contract: Pick<Contract, 'id'>,
  encumbrances: readonly Encumbrance[],
  actDate: LocalDate,
  todayDate: LocalDate,
  field: string,
  plotCodes?: readonly string[],
): RuleViolation[] {
  const atAct = checkNotEncumbered(contract, encumbrances, actDate, field, plotCodes);
  return atAct.length > 0 ? atAct : checkNotEncumbered(contract, encumbrances, todayDate, field, plotCodes);
}

export function canReadVillage(principal: Principal, villageCode: string): boolean {
  return canRead(principal, scopeOfVillage(villageCode));
}

export function unmaskedFor(principal: Principal, villageCode: string): boolean {
  return seesPersonalData(principal, scopeOfVillage(villageCode));
}

// ---------------------------------------------------------------------------------------------
// Rows as domain values

export function plotFromRow(row: PlotRow): Plot {
  return {
    code: row.code,
    name: row.name,
    contractAreaMu4: row.contractAreaMu4,
    surveyedAreaMu4: row.surveyedAreaMu4,
    landClass: row.landClass as Plot['landClass'],
    basicFarmland: row.basicFarmland,
    boundaries: {
      east: row.boundaryEast,
      south: row.boundarySouth,
      west: row.boundaryWest,
      north: row.boundaryNorth,
    },
  };
}

export function contractFromRow(row: ContractRow, plots: readonly PlotRow[]): Contract {
  return {
    id: row.id,
    code: row.code,
    issuerCode: row.issuerCode,
    householdId: row.householdId,
    mode: row.mode as ContractMode,
    termStart: row.termStart,
    termEnd: row.termEnd,
    status: row.status as ContractStatus,
    plots: [...plots].sort((a, b) => a.code.localeCompare(b.code)).map(plotFromRow),
    adjustmentForbidden: row.adjustmentForbidden,
    ...(row.secondRoundEnd ? { secondRoundEnd: row.secondRoundEnd } : {}),
  };
}

export function householdFromRows(row: HouseholdRow, members: readonly MemberRow[]): Household {
  return {
    id: row.id,
    code: row.code,
    issuerCode: row.issuerCode,
    members: [...members]
      .sort((a, b) => a.seq - b.seq)
      .map(
        (m): Member => ({
          residentId: m.residentId,
          name: m.name,
          relation: m.relation as Member['relation'],
          alive: m.alive,
          movedToTown: m.movedToTown,
          povertyFlags: [
            ...(m.liftedOutOfPoverty ? (['LIFTED_OUT_OF_POVERTY'] as const) : []),
            ...(m.povertyMonitoring ? (['RETURN_TO_POVERTY_MONITORING'] as const) : []),
          ],
          ...(m.deceasedOn ? { deceasedOn: m.deceasedOn } : {}),
        }),
      ),
  };
}

export interface LoadedContract {
  row: ContractRow;
  plots: PlotRow[];
  contract: Contract;
}

/**
 * A contract with its plots. `lock` takes the row FOR UPDATE, so commands on one contract (and the
 * mortgage consumer) run one after another instead of deciding on the same stale state.
 */
export async function loadContract(
  em: EntityManager,
  idOrCode: string,
  options: { lock?: boolean; field?: string } = {},
): Promise<LoadedContract> {
  const field = options.field ?? 'contractId';
  const where = /^\d{19}$/.test(idOrCode)
    ? { code: idOrCode }
    : isUuid(idOrCode)
      ? { id: idOrCode }
      : undefined;
  if (!where) {
    rejectInput([
      violation('CONTRACT_ID_FORMAT', field, 'Give a contract id (UUID) or a 19-digit contract code.'),
    ]);
  }
  const row = await em.findOne(
    ContractEntity,
    where,
    options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {},
  );
  if (!row) throw new NotFoundError('contract', idOrCode);
  const plots = await em.find(PlotEntity, { contractId: row.id });
  return { row, plots, contract: contractFromRow(row, plots) };
}

/** Several contracts locked in id order, so two commands over the same pair cannot deadlock. */
export async function loadContractsLocked(
  em: EntityManager,
  ids: readonly { id: string; field: string }[],
): Promise<Map<string, LoadedContract>> {
  const out = new Map<string, LoadedContract>();
  for (const { id, field } of [...ids].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!out.has(id)) out.set(id, await loadContract(em, id, { lock: true, field }));
  }
  return out;
}

export interface LoadedHousehold {
  row: HouseholdRow;
  members: MemberRow[];
  household: Household;
}

export async function loadHousehold(
  em: EntityManager,
  id: string,
  options: { lock?: boolean; field?: string } = {},
): Promise<LoadedHousehold> {
  const field = options.field ?? 'householdId';
  if (!isUuid(id)) rejectInput([violation('HOUSEHOLD_ID_FORMAT', field, 'Give the household id (UUID).')]);
  const row = await em.findOne(
    HouseholdEntity,
    { id },
    options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {},
  );
  if (!row) rejectInput([violation('HOUSEHOLD_NOT_FOUND', field, `No household ${id} is registered.`)]);
  const members = await em.find(MemberEntity, { householdId: row.id });
  return { row, members, household: householdFromRows(row, members) };
}

/** Marks a row changed so its optimistic version moves even when only its children changed. */
export function touch(row: { updatedAt: Date }, now: Date): void {
  row.updatedAt = new Date(Math.max(now.getTime(), row.updatedAt.getTime() + 1));
}

/** 承包合同编码 of a household's contract of a mode: household code (18) + mode digit. */
export function contractCodeFor(householdCode: string, mode: ContractMode): string {
  return makeContractCode(householdCode.slice(0, 14), Number(householdCode.slice(14)), mode);
}

// ---------------------------------------------------------------------------------------------
// Encumbrances, circulations and surrenders as the domain sees them

export function encumbranceFromRow(row: EncumbranceRow): Encumbrance | undefined {
  // A release that arrived before its registration encumbers nothing yet.
  if (!row.registeredOn) return undefined;
  return {
    mortgageId: row.mortgageId,
    contractId: row.contractId,
    scope:
      row.plotCodes.length === 0 ? { kind: 'WHOLE_CONTRACT' } : { kind: 'PLOTS', plotCodes: row.plotCodes },
    securedAmountFen: row.securedAmountFen,
    registeredOn: row.registeredOn,
    creditor: row.mortgageeCreditCode,
    securedUntil: row.securedUntil ?? row.registeredOn,
    ...(row.releasedOn ? { releasedOn: row.releasedOn } : {}),
    ...(row.circulationId ? { circulationId: row.circulationId } : {}),
  };
}

export async function encumbrancesOf(
  em: EntityManager,
  contractIds: readonly string[],
): Promise<Encumbrance[]> {
  if (contractIds.length === 0) return [];
  const rows = await em.find(EncumbranceEntity, { contractId: { $in: [...contractIds] } });
  return rows.flatMap((r) => encumbranceFromRow(r) ?? []);
}

function act(on?: string | null, ref?: string | null, by?: string | null): RecordedAct | undefined {
  return on ? { date: on, reference: ref ?? '', by: by ?? '' } : undefined;
}

export function circulationFromRow(row: CirculationRow, plots: readonly CirculationPlotRow[]): Circulation {
  const filing = act(row.filingOn, row.filingRef, row.filingBy);
  const consent = act(row.consentOn, row.consentRef, row.consentBy);
  return {
    id: row.id,
    contractId: row.contractId,
    contractorHouseholdId: row.contractorHouseholdId,
    mode: row.mode as Circulation['mode'],
    transferee: {
      kind: row.transfereeKind as TransfereeKind,
      name: row.transfereeName,
      memberOfCollective: row.transfereeMember,
      ...(row.transfereeCreditCode ? { creditCode: row.transfereeCreditCode } : {}),
      ...(row.transfereeResidentId ? { residentId: row.transfereeResidentId } : {}),
      ...(row.transfereeHouseholdId ? { householdId: row.transfereeHouseholdId } : {}),
    },
    plots: [...plots]
      .sort((a, b) => a.plotCode.localeCompare(b.plotCode))
      .map((p) => ({ plotCode: p.plotCode, areaMu4: p.areaMu4 })),
    termStart: row.termStart,
    termEnd: row.termEnd,
    use: row.landUse as LandUse,
    written: row.written,
    status: row.status as Circulation['status'],
    reviews: [],
    riskDepositPaidFen: row.riskDepositPaidFen,
    ...(filing ? { filing } : {}),
    ...(consent ? { contractorConsent: consent } : {}),
    ...(row.terminatedOn ? { terminatedOn: row.terminatedOn } : {}),
    ...(typeof row.annualPricePerMuFen === 'number' ? { annualPricePerMuFen: row.annualPricePerMuFen } : {}),
    ...(row.parentCirculationId ? { parentCirculationId: row.parentCirculationId } : {}),
  };
}

export interface LoadedCirculation {
  row: CirculationRow;
  plots: CirculationPlotRow[];
  circulation: Circulation;
}

export async function loadCirculationsWhere(
  em: EntityManager,
  where: FilterQuery<CirculationRow>,
  limit?: number,
): Promise<LoadedCirculation[]> {
  const rows = await em.find(CirculationEntity, where, {
    orderBy: { id: 'asc' },
    ...(limit ? { limit } : {}),
  });
  if (rows.length === 0) return [];
  const plots = await em.find(CirculationPlotEntity, { circulationId: { $in: rows.map((r) => r.id) } });
  return rows.map((row) => {
    const own = plots.filter((p) => p.circulationId === row.id);
    return { row, plots: own, circulation: circulationFromRow(row, own) };
  });
}

export async function circulationsOf(
  em: EntityManager,
  contractIds: readonly string[],
): Promise<Circulation[]> {
  if (contractIds.length === 0) return [];
  return (await loadCirculationsWhere(em, { contractId: { $in: [...contractIds] } })).map(
    (c) => c.circulation,
  );
}

/** Surrenders on file for a household: while one's term runs, the household may not contract again. */
export async function surrenderRecordsOf(em: EntityManager, householdId: string) {
  const rows = await em.find(SurrenderEntity, { householdId });
  return rows.map((r) => ({
    householdId: r.householdId,
    contractId: r.contractId,
    issuerCode: r.issuerCode,
    surrenderedOn: r.surrenderedOn,
    termEnd: r.termEnd,
  }));
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A plot as a message, for lists that show plots outside their contract (the returned pool). */
export function plotRowToMsg(row: PlotRow): PlotMsg {
  const [plot] = contractToMsg({ ...CONTRACT_SHELL, id: row.contractId }, [row]).plots;
  return plot as PlotMsg;
}

// contractToMsg is the one place plot rows become messages; a plot alone goes through it in a shell.
const CONTRACT_SHELL: Omit<ContractRow, 'id'> = {
  code: '',
  issuerCode: '',
  householdId: '',
  mode: 'FAMILY',
  termStart: '',
  termEnd: '',
  status: 'ACTIVE',
  villageCode: '',
  townshipCode: '',
  totalAreaMu4: 0,
  secondRoundEnd: null,
  adjustmentForbidden: false,
  version: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

export function recordedActFromMsg(msg: RecordedActMsg | undefined): RecordedAct | undefined {
  return msg?.actedOn ? { date: msg.actedOn, reference: msg.reference, by: msg.by } : undefined;
}

export function recordedActToMsg(value: RecordedAct | undefined): RecordedActMsg | undefined {
  return value ? { actedOn: value.date, reference: value.reference, by: value.by } : undefined;
}
