import { Events } from '@pingquan/contracts/catalogue';
import type {
  Contract as ContractMsg,
  Household as HouseholdMsg,
  Issuer as IssuerMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  AlreadyExistsError,
  assertCanRead,
  assertCanWrite,
  type CommandContext,
  type EntityManager,
  execInTransaction,
  groupBy,
  InvalidInputError,
  isUuid,
  keysetPage,
  NotFoundError,
  newId,
  type Principal,
  RuleRefusedError,
  recordChanges,
  seesPersonalData,
  townshipFilter,
} from '@pingquan/kit';
import {
  type RuleViolation,
  todayInShanghai,
  validateCollectiveOrgCode,
  validateIssuerCode,
  violation,
} from '@pingquan/reference';
import { validateNewContract } from '../domain/contract-rules.js';
import { validateHousehold } from '../domain/household.js';
import type { Contract, Household, Member, Plot } from '../domain/model.js';
import { checkMayContractAgain } from '../domain/surrender.js';
import {
  ContractEntity,
  HouseholdEntity,
  IssuerEntity,
  MemberEntity,
  PlotEntity,
} from '../persistence/entities.js';
import { TRACK } from './context.js';
import { readContractByKey, readContractsOfHouseholds, readHouseholds } from './contract-reads.js';
import { contractToMsg, householdToMsg, issuerToMsg } from './mapping.js';
import { rejectRule, surrenderRecordsOf } from './rights-common.js';

/**
 * A lookup by id (UUID) or by the record's national code. Anything else is bad input, refused here
 * rather than sent to the database as a malformed UUID.
 */
function lookupKey(idOrCode: string, codeDigits: number): { code: string } | { id: string } {
  if (new RegExp(`^\\d{${codeDigits}}$`).test(idOrCode)) return { code: idOrCode };
  if (isUuid(idOrCode)) return { id: idOrCode };
  throw new InvalidInputError([
    violation(
      'ID_OR_CODE_FORMAT',
      'idOrCode',
      `Give a UUID or a ${codeDigits}-digit code, got '${idOrCode.slice(0, 40)}'.`,
    ),
  ]);
}

const scopeOfVillage = (villageCode: string) => ({
  track: TRACK,
  villageCode,
  townshipCode: villageCode.slice(0, 9),
});

/** Violations are bad input when they are about the shape of the data, refusals when about rules. */
function refuse(violations: RuleViolation[]): never {
  throw new InvalidInputError(violations);
}

export interface RegisterIssuerInput {
  code: string;
  creditCode: string;
  name: string;
}

export async function registerIssuer(
  em: EntityManager,
  ctx: CommandContext,
  input: RegisterIssuerInput,
): Promise<IssuerMsg> {
  const v: RuleViolation[] = [];
  const code = validateIssuerCode(input.code, 'code');
  if (!code.ok) v.push(...code.violations);
  const credit = validateCollectiveOrgCode(input.creditCode, 'creditCode');
  if (!credit.ok) v.push(...credit.violations);
  if (!input.name.trim()) v.push(violation('NAME_REQUIRED', 'name', 'The organisation name is required.'));
  if (v.length) refuse(v);
  const villageCode = input.code.slice(0, 12);
  assertCanWrite(ctx.principal, scopeOfVillage(villageCode));
  const existing = await em.findOne(IssuerEntity, {
    $or: [{ code: input.code }, { creditCode: input.creditCode }],
  });
  if (existing)
    throw new AlreadyExistsError('issuer', existing.code === input.code ? input.code : input.creditCode);
  const row = em.create(IssuerEntity, {
    id: newId(),
    code: input.code,
    creditCode: input.creditCode.toUpperCase(),
    name: input.name.trim(),
    villageCode,
    townshipCode: villageCode.slice(0, 9),
    version: 1,
  });
  const msg = issuerToMsg(row);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'issuer',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'issuer.registered',
      state: msg,
      event: { type: Events['land-contract'].IssuerRegistered, payload: { issuer: msg } },
    },
  ]);
  return msg;
}

export async function getIssuer(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
): Promise<IssuerMsg> {
  const row = await em.findOne(IssuerEntity, lookupKey(idOrCode, 14));
  if (!row) throw new NotFoundError('issuer', idOrCode);
  assertCanRead(principal, scopeOfVillage(row.villageCode));
  return issuerToMsg(row);
}

export interface RegisterHouseholdInput {
  code: string;
  address: string;
  members: Member[];
}

export async function registerHousehold(
  em: EntityManager,
  ctx: CommandContext,
  input: RegisterHouseholdInput,
): Promise<HouseholdMsg> {
  const household: Household = {
    id: newId(),
    code: input.code,
    issuerCode: input.code.slice(0, 14),
    members: input.members,
  };
  const v = validateHousehold(household, todayInShanghai(ctx.now), 'household');
  if (v.length) refuse(v);
  const issuer = await em.findOne(IssuerEntity, { code: household.issuerCode });
  if (!issuer) {
    throw new RuleRefusedError([
      violation(
        'ISSUER_NOT_REGISTERED',
        'household.code',
        `No issuer ${household.issuerCode} is registered; register the collective first.`,
      ),
    ]);
  }
  assertCanWrite(ctx.principal, scopeOfVillage(issuer.villageCode));
  if (await em.findOne(HouseholdEntity, { code: input.code }))
    throw new AlreadyExistsError('household', input.code);
  const taken = await em.find(MemberEntity, { residentId: { $in: input.members.map((m) => m.residentId) } });
  if (taken.length) {
    throw new RuleRefusedError(
      taken.map((m) =>
        violation(
          'MEMBER_IN_ANOTHER_HOUSEHOLD',
          'household.members',
          `A person with resident ID ending ${m.residentId.slice(-4)} already belongs to another household.`,
        ),
      ),
    );
  }
  const row = em.create(HouseholdEntity, {
    id: household.id,
    code: input.code,
    issuerCode: issuer.code,
    villageCode: issuer.villageCode,
    townshipCode: issuer.townshipCode,
    address: input.address.trim(),
    version: 1,
  });
  const members = input.members.map((m, seq) =>
    em.create(MemberEntity, {
      id: newId(),
      householdId: row.id,
      seq,
      residentId: m.residentId,
      name: m.name,
      relation: m.relation,
      alive: m.alive,
      deceasedOn: m.deceasedOn ?? null,
      movedToTown: m.movedToTown,
      liftedOutOfPoverty: m.povertyFlags.includes('LIFTED_OUT_OF_POVERTY'),
      povertyMonitoring: m.povertyFlags.includes('RETURN_TO_POVERTY_MONITORING'),
    }),
  );
  const full = householdToMsg(row, members, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'household',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'household.registered',
      state: full,
      // Events leave the service: personal ID numbers travel masked.
      event: {
        type: Events['land-contract'].HouseholdRegistered,
        payload: { household: householdToMsg(row, members, false) },
      },
    },
  ]);
  return householdToMsg(row, members, seesPersonalData(ctx.principal, scopeOfVillage(row.villageCode)));
}

export async function batchGetHouseholds(
  em: EntityManager,
  principal: Principal,
  ids: string[],
): Promise<HouseholdMsg[]> {
  const unique = [...new Set(ids)].filter(isUuid);
  if (unique.length === 0) return [];
  return (await readHouseholds(em, unique))
    .filter(({ household }) => principal.role === 'SERVICE' || canSee(principal, household.villageCode))
    .map(({ household, members }) =>
      householdToMsg(household, members, seesPersonalData(principal, scopeOfVillage(household.villageCode))),
    );
}

function canSee(principal: Principal, villageCode: string): boolean {
  try {
    assertCanRead(principal, scopeOfVillage(villageCode));
    return true;
  } catch {
    return false;
  }
}

export interface RegisterContractInput {
  code: string;
  householdId: string;
  mode: Contract['mode'];
  termStart: string;
  termEnd: string;
  secondRoundEnd?: string;
  adjustmentForbidden: boolean;
  plots: Plot[];
}

export async function registerContract(
  em: EntityManager,
  ctx: CommandContext,
  input: RegisterContractInput,
): Promise<ContractMsg> {
  const householdRow = await em.findOne(HouseholdEntity, { id: input.householdId });
  if (!householdRow) {
    refuse([
      violation('HOUSEHOLD_NOT_FOUND', 'householdId', `No household ${input.householdId} is registered.`),
    ]);
  }
  assertCanWrite(ctx.principal, scopeOfVillage(householdRow.villageCode));
  const memberRows = await em.find(MemberEntity, { householdId: householdRow.id });
  const household: Household = {
    id: householdRow.id,
    code: householdRow.code,
    issuerCode: householdRow.issuerCode,
    members: memberRows.map((m) => ({
      residentId: m.residentId,
      name: m.name,
      relation: m.relation as Member['relation'],
      alive: m.alive,
      movedToTown: m.movedToTown,
      povertyFlags: [],
    })),
  };
  const contract: Contract = {
    id: newId(),
    code: input.code,
    issuerCode: input.code.slice(0, 14),
    householdId: input.householdId,
    mode: input.mode,
    termStart: input.termStart,
    termEnd: input.termEnd,
    status: 'ACTIVE',
    plots: input.plots,
    adjustmentForbidden: input.adjustmentForbidden,
    ...(input.secondRoundEnd ? { secondRoundEnd: input.secondRoundEnd } : {}),
  };
  const held = await em.find(PlotEntity, { code: { $in: input.plots.map((p) => p.code) } });
  const v = validateNewContract(contract, {
    household,
    contractedPlotCodes: new Set(held.map((p) => p.code)),
  });
  if (v.length) refuse(v);
  await checkNotBarredBySurrender(em, household, contract.termStart, todayInShanghai(ctx.now));
  if (await em.findOne(ContractEntity, { code: input.code }))
    throw new AlreadyExistsError('contract', input.code);
  const row = em.create(ContractEntity, {
    id: contract.id,
    code: contract.code,
    issuerCode: contract.issuerCode,
    householdId: contract.householdId,
    mode: contract.mode,
    termStart: contract.termStart,
    termEnd: contract.termEnd,
    status: contract.status,
    villageCode: householdRow.villageCode,
    townshipCode: householdRow.townshipCode,
    totalAreaMu4: input.plots.reduce((sum, p) => sum + p.contractAreaMu4, 0),
    secondRoundEnd: contract.secondRoundEnd ?? null,
    adjustmentForbidden: contract.adjustmentForbidden,
    version: 1,
  });
  const plots = input.plots.map((p) =>
    em.create(PlotEntity, {
      code: p.code,
      contractId: row.id,
      name: p.name,
      contractAreaMu4: p.contractAreaMu4,
      surveyedAreaMu4: p.surveyedAreaMu4,
      landClass: p.landClass,
      basicFarmland: p.basicFarmland,
      boundaryEast: p.boundaries.east,
      boundarySouth: p.boundaries.south,
      boundaryWest: p.boundaries.west,
      boundaryNorth: p.boundaries.north,
      geometry: p.geometry ?? null,
    }),
  );
  const msg = contractToMsg(row, plots);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'contract.registered',
      state: msg,
      effectiveOn: row.termStart,
      event: { type: Events['land-contract'].ContractRegistered, payload: { contract: msg } },
    },
  ]);
  return msg;
}

/**
 * `SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT` (LCL Art 30): a household that gave its contract back
 * (自愿有偿退出) may not contract again within the term it gave up — neither by a contract signed
 * today nor by one whose term starts inside it, as 另行发包 (RecontractPlots) rules too. Checked
 * before the contract code is looked up, so a household asking for its old code again hears the rule
 * rather than "already exists".
 */
async function checkNotBarredBySurrender(
  em: EntityManager,
  household: Household,
  termStart: string,
  today: string,
): Promise<void> {
  // A surrender commits with its contract row locked: waiting on the household's contract rows here
  // means a surrender in flight is either seen below or comes after this contract (code order, as
  // the extension batch locks, so neither waits on the other in a cycle).
  await execInTransaction(em, 'SELECT id FROM contract WHERE household_id = ? ORDER BY code FOR SHARE', [
    household.id,
  ]);
  const surrenders = await surrenderRecordsOf(em, household.id);
  const barred = [...new Set([today, termStart])].flatMap((date) =>
    checkMayContractAgain(household, surrenders, date, 'householdId'),
  );
  if (barred.length > 0) rejectRule(barred);
}

export async function getContract(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
): Promise<ContractMsg> {
  const contract = await readContractByKey(em, lookupKey(idOrCode, 19));
  if (!contract || !canSee(principal, contract.villageCode)) throw new NotFoundError('contract', idOrCode);
  return contract;
}

export async function contractsByHousehold(
  em: EntityManager,
  principal: Principal,
  householdIds: string[],
): Promise<Map<string, ContractMsg[]>> {
  const ids = [...new Set(householdIds)].filter(isUuid);
  const result = new Map<string, ContractMsg[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  for (const contract of await readContractsOfHouseholds(em, ids)) {
    if (canSee(principal, contract.villageCode)) result.get(contract.householdId)?.push(contract);
  }
  return result;
}

export interface ContractFilter {
  townshipCode?: string;
  villageCode?: string;
  issuerCode?: string;
  status?: string;
}

/** Keyset pagination on the contract code: stable under inserts, cheap at any depth. */
export async function listContracts(
  em: EntityManager,
  principal: Principal,
  filter: ContractFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ contracts: ContractMsg[]; nextCursor: string | undefined; total: number }> {
  const where: Record<string, unknown> = {};
  if (filter.townshipCode) where['townshipCode'] = filter.townshipCode;
  if (filter.villageCode) where['villageCode'] = filter.villageCode;
  if (filter.issuerCode) where['issuerCode'] = filter.issuerCode;
  if (filter.status) where['status'] = filter.status;
  const allowed = townshipFilter(principal, TRACK);
  if (allowed)
    where['townshipCode'] =
      filter.townshipCode && allowed.includes(filter.townshipCode) ? filter.townshipCode : { $in: allowed };
  if (principal.role === 'VILLAGE_TASK_FORCE') where['villageCode'] = { $in: principal.villages ?? [] };
  const {
    rows: page,
    nextCursor,
    total,
  } = await keysetPage(em, ContractEntity, where, 'code', pageSize, after);
  const plots = await em.find(PlotEntity, { contractId: { $in: page.map((r) => r.id) } });
  const byContract = groupBy(plots, (p) => p.contractId);
  return { contracts: page.map((r) => contractToMsg(r, byContract.get(r.id) ?? [])), nextCursor, total };
}
