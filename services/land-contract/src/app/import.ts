import { createHash } from 'node:crypto';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  ImportCounts,
  ImportRegisterCsvResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/import';
import {
  assertCanWrite,
  type Change,
  type CommandContext,
  ConflictError,
  type EntityManager,
  execInTransaction,
  InvalidInputError,
  newId,
  recordChanges,
} from '@pingquan/kit';
import {
  contractModeFromCode,
  type RuleViolation,
  todayInShanghai,
  validateVillageCode,
} from '@pingquan/reference';
import { validateNewContract } from '../domain/contract-rules.js';
import { validateHousehold } from '../domain/household.js';
import type { Contract, Household } from '../domain/model.js';
import type { ContractRow, HouseholdRow, MemberRow, PlotRow } from '../persistence/entities.js';
import {
  type ContractInsert,
  existingValues,
  type HouseholdInsert,
  insertImportRecord,
  insertRegisterRows,
  issuersOfVillage,
  type MemberInsert,
  type PlotInsert,
} from '../persistence/import-sql.js';
import { TRACK } from './context.js';
import {
  type ColumnKey,
  type HouseholdBlock,
  locateField,
  type ParsedRegister,
  type RowError,
  readRegisterCsv,
} from './import-csv.js';
import { contractToMsg, householdToMsg } from './mapping.js';

/** A village file of the whole city's largest village is about 2 MB; this bound leaves room for notes. */
export const MAX_IMPORT_BYTES = 24 * 1024 * 1024;
/** Errors returned in one response; the count says how many there were in all. */
export const MAX_REPORTED_ERRORS = 1_000;

export interface ImportRegisterInput {
  villageCode: string;
  csv: Uint8Array;
  dryRun: boolean;
  fileName: string;
}

/**
 * Thrown inside the import's transaction when the file has errors, so that the transaction (and the
 * idempotency record) rolls back; the handler turns it back into the REJECTED response.
 */
export class ImportRejected extends Error {
  constructor(readonly response: ImportRegisterCsvResponse) {
    super('register import rejected');
    this.name = 'ImportRejected';
  }
}

/** The request's identity for idempotency: the file's digest rather than its megabytes. */
export function importFingerprint(input: ImportRegisterInput): {
  villageCode: string;
  sha256: string;
  fileName: string;
} {
  return { villageCode: input.villageCode, sha256: sha256Hex(input.csv), fileName: input.fileName };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Shape checks of the request itself (not of the file): bad values here are INVALID_ARGUMENT. */
export function checkImportRequest(input: ImportRegisterInput): void {
  const v: RuleViolation[] = [];
  const village = validateVillageCode(input.villageCode, 'villageCode');
  if (!village.ok) v.push(...village.violations);
  if (input.csv.length === 0) v.push({ rule: 'CSV_EMPTY', field: 'csv', message: 'The file is empty.' });
  if (input.csv.length > MAX_IMPORT_BYTES) {
    v.push({
      rule: 'CSV_TOO_LARGE',
      field: 'csv',
      message: `A village file is at most ${MAX_IMPORT_BYTES >> 20} MB; split it by village group.`,
    });
  }
  if (v.length > 0) throw new InvalidInputError(v);
}

/**
 * Imports one village's register file, all or nothing: every row is checked against the layout,
 * the domain rules and the register (codes and resident IDs already taken), and only a file without
 * a single error is written — with multi-row SQL, one audit entry and one event per household and
 * per contract, all in the caller's transaction. A dry run stops after the checks.
 */
export async function importRegisterCsv(
  em: EntityManager,
  ctx: CommandContext,
  input: ImportRegisterInput,
): Promise<ImportRegisterCsvResponse> {
  checkImportRequest(input);
  const townshipCode = input.villageCode.slice(0, 9);
  assertCanWrite(ctx.principal, { track: TRACK, villageCode: input.villageCode, townshipCode });
  const sha = sha256Hex(input.csv);
  const respond = (
    outcome: ImportRegisterCsvResponse['outcome'],
    parsed: ParsedRegister | undefined,
    errors: RowError[],
    importId = '',
  ) => ({
    importId,
    outcome,
    counts: parsed ? countsOf(parsed) : emptyCounts(),
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    errorCount: errors.length,
    headerLanguage: parsed?.language ?? '',
    fileSha256: sha,
  });

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input.csv);
  } catch {
    const error = {
      row: 0,
      column: '',
      rule: 'CSV_ENCODING_NOT_UTF8',
      message:
        'The file is not UTF-8; in the spreadsheet choose "CSV UTF-8" when saving (GBK files are not read).',
    };
    throw new ImportRejected(respond('IMPORT_OUTCOME_REJECTED', undefined, [error]));
  }

  const parsed = readRegisterCsv(text);
  // Serialise imports of one village, so a second file sees the first file's codes as taken.
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [
    `register-import:${input.villageCode}`,
  ]);
  const today = todayInShanghai(ctx.now);
  const checked = await checkBlocks(em, input.villageCode, parsed, today);
  if (checked.errors.length > 0) {
    throw new ImportRejected(respond('IMPORT_OUTCOME_REJECTED', parsed, checked.errors));
  }
  if (input.dryRun) return respond('IMPORT_OUTCOME_VALID', parsed, []);

  const importId = newId();
  const rows = buildRows(checked.records, townshipCode, input.villageCode);
  try {
    await insertRegisterRows(em, rows, ctx.now);
  } catch (error) {
    // A single RegisterHousehold/RegisterContract committed the same code between our check and our
    // insert: nothing of this file is kept; the clerk retries and gets the row-level report.
    if ((error as { code?: string }).code === '23505') {
      throw new ConflictError(
        'a record of the file was registered by another command at the same time; import the file again',
      );
    }
    throw error;
  }
  const counts = countsOf(parsed);
  await insertImportRecord(
    em,
    {
      id: importId,
      village_code: input.villageCode,
      file_name: input.fileName,
      file_sha256: sha,
      counts,
      actor_subject: ctx.principal.sub,
      actor_role: ctx.principal.role,
    },
    ctx.now,
  );
  await recordChanges(em, ctx, [
    ...changesOf(rows, ctx.now),
    {
      aggregateType: 'register-import',
      aggregateId: importId,
      aggregateVersion: 1,
      townshipCode,
      action: 'register-import.completed',
      state: { villageCode: input.villageCode, fileName: input.fileName, fileSha256: sha, counts },
      event: {
        type: Events['land-contract'].RegisterImported,
        payload: {
          importId,
          villageCode: input.villageCode,
          townshipCode,
          fileName: input.fileName,
          fileSha256: sha,
          counts,
        },
      },
    },
  ]);
  return respond('IMPORT_OUTCOME_IMPORTED', parsed, [], importId);
}

function emptyCounts(): ImportCounts {
  return { rows: 0, households: 0, members: 0, contracts: 0, plots: 0, contractAreaMu4: 0 };
}

function countsOf(parsed: ParsedRegister): ImportCounts {
  const counts = emptyCounts();
  counts.rows = parsed.rows;
  for (const block of parsed.blocks) {
    counts.households += 1;
    counts.contracts += 1;
    counts.members += block.members.length;
    counts.plots += block.plots.length;
    for (const line of block.plots) counts.contractAreaMu4 += line.plot.contractAreaMu4;
  }
  return counts;
}

interface CheckedRecord {
  block: HouseholdBlock;
  household: Household;
  contract: Contract;
}

/**
 * Every error of the file in row order: layout errors from reading, domain rules per household and
 * contract, and the register's own uniqueness (codes and resident IDs, in the file and in the
 * database). Layout errors are the more specific ones, so a domain error on a cell that already has
 * one is dropped.
 */
async function checkBlocks(
  em: EntityManager,
  villageCode: string,
  parsed: ParsedRegister,
  today: string,
): Promise<{ errors: RowError[]; records: CheckedRecord[] }> {
  const errors: RowError[] = [...parsed.errors];
  const column = (key: ColumnKey | '') => (key === '' ? '' : (parsed.headers[key] ?? key));
  const records: CheckedRecord[] = [];
  const domainErrors: RowError[] = [];
  const at = (block: HouseholdBlock, v: RuleViolation) => {
    const where = locateField(block, v.field);
    domainErrors.push({ row: where.row, column: column(where.key), rule: v.rule, message: v.message });
  };
  const issuers = new Set((await issuersOfVillage(em, villageCode)).map((i) => i.code));

  const allHouseholdCodes = parsed.blocks.map((b) => b.household.code);
  const allContractCodes = parsed.blocks.map((b) => b.contractCode);
  const allPlotCodes = parsed.blocks.flatMap((b) => b.plots.map((p) => p.plot.code));
  const allResidentIds = parsed.blocks.flatMap((b) => b.members.map((m) => m.member.residentId));
  const [takenHouseholds, takenContracts, takenPlots, takenPeople] = await Promise.all([
    existingValues(em, 'household', 'code', allHouseholdCodes),
    existingValues(em, 'contract', 'code', allContractCodes),
    existingValues(em, 'plot', 'code', allPlotCodes),
    existingValues(em, 'household_member', 'resident_id', allResidentIds),
  ]);
  const firstContract = new Map<string, number>();
  const firstPlot = new Map<string, number>();
  const firstPerson = new Map<string, number>();

  for (const block of parsed.blocks) {
    const code = block.household.code;
    const issuerCode = code.slice(0, 14);
    const household: Household = {
      id: newId(),
      code,
      issuerCode,
      members: block.members.map((m) => m.member),
    };
    const mode = contractModeFromCode(block.contractCode) ?? 'FAMILY';
    // A second-round family contract's own term end is the second-round expiry, unless the file says otherwise.
    const secondRoundEnd = block.secondRoundEnd ?? (mode === 'FAMILY' ? block.termEnd : undefined);
    const contract: Contract = {
      id: newId(),
      code: block.contractCode,
      issuerCode,
      householdId: household.id,
      mode,
      termStart: block.termStart,
      termEnd: block.termEnd,
      status: 'ACTIVE',
      plots: block.plots.map((p) => p.plot),
      adjustmentForbidden: block.adjustmentForbidden,
      ...(secondRoundEnd ? { secondRoundEnd } : {}),
    };
    records.push({ block, household, contract });

    for (const v of validateHousehold(household, today, 'household')) at(block, v);
    for (const v of validateNewContract(contract, { household, contractedPlotCodes: takenPlots }))
      at(block, v);

    const err = (row: number, key: ColumnKey, rule: string, message: string) =>
      domainErrors.push({ row, column: column(key), rule, message });
    if (/^\d{18}$/.test(code)) {
      if (!code.startsWith(villageCode)) {
        err(
          block.row,
          'contractor_code',
          'HOUSEHOLD_OUTSIDE_VILLAGE',
          `Household ${code} is not of village ${villageCode}; import each village's file on its own.`,
        );
      } else if (!issuers.has(issuerCode)) {
        err(
          block.row,
          'contractor_code',
          'ISSUER_NOT_REGISTERED',
          `No issuer ${issuerCode} is registered; register the collective first.`,
        );
      }
    }
    if (takenHouseholds.has(code)) {
      err(
        block.row,
        'contractor_code',
        'HOUSEHOLD_ALREADY_REGISTERED',
        `Household ${code} is already in the register.`,
      );
    }
    if (takenContracts.has(block.contractCode)) {
      err(
        block.row,
        'contract_code',
        'CONTRACT_ALREADY_REGISTERED',
        `Contract ${block.contractCode} is already in the register.`,
      );
    } else if (block.contractCode !== '') {
      const earlier = firstContract.get(block.contractCode);
      if (earlier !== undefined)
        err(
          block.row,
          'contract_code',
          'CONTRACT_CODE_DUPLICATE_IN_FILE',
          `Contract ${block.contractCode} is already given at row ${earlier}.`,
        );
      else firstContract.set(block.contractCode, block.row);
    }
    for (const line of block.plots) {
      const earlier = firstPlot.get(line.plot.code);
      // Repeats inside one household are the domain's PLOT_CODE_DUPLICATE; here, across households.
      if (earlier !== undefined && !block.plots.some((p) => p.row === earlier)) {
        err(
          line.row,
          'plot_code',
          'PLOT_CODE_DUPLICATE_IN_FILE',
          `Plot ${line.plot.code} is already given to another household at row ${earlier}.`,
        );
      } else if (earlier === undefined) firstPlot.set(line.plot.code, line.row);
    }
    for (const line of block.members) {
      const id = line.member.residentId;
      if (takenPeople.has(id)) {
        err(
          line.row,
          'resident_id',
          'MEMBER_IN_ANOTHER_HOUSEHOLD',
          `The person with resident ID ending ${id.slice(-4)} already belongs to a registered household.`,
        );
        continue;
      }
      const earlier = firstPerson.get(id);
      if (earlier !== undefined && !block.members.some((m) => m.row === earlier)) {
        err(
          line.row,
          'resident_id',
          'MEMBER_IN_ANOTHER_HOUSEHOLD',
          `The person with resident ID ending ${id.slice(-4)} is already listed in another household at row ${earlier}.`,
        );
      } else if (earlier === undefined) firstPerson.set(id, line.row);
    }
  }

  const layoutCells = new Set(parsed.errors.map((e) => `${e.row}\u0000${e.column}`));
  const seen = new Set<string>();
  for (const e of domainErrors) {
    const cell = `${e.row}\u0000${e.column}`;
    const key = `${cell}\u0000${e.rule}`;
    if (layoutCells.has(cell) || seen.has(key)) continue;
    seen.add(key);
    errors.push(e);
  }
  errors.sort((a, b) => a.row - b.row);
  return { errors, records };
}

function buildRows(records: CheckedRecord[], townshipCode: string, villageCode: string) {
  const households: HouseholdInsert[] = [];
  const members: MemberInsert[] = [];
  const contracts: ContractInsert[] = [];
  const plots: PlotInsert[] = [];
  for (const { block, household, contract } of records) {
    households.push({
      id: household.id,
      code: household.code,
      issuer_code: household.issuerCode,
      village_code: villageCode,
      township_code: townshipCode,
      address: block.address,
    });
    for (const [seq, m] of household.members.entries()) {
      members.push({
        id: newId(),
        household_id: household.id,
        seq,
        resident_id: m.residentId,
        name: m.name,
        relation: m.relation,
        alive: m.alive,
        deceased_on: m.deceasedOn ?? null,
        moved_to_town: m.movedToTown,
        lifted_out_of_poverty: m.povertyFlags.includes('LIFTED_OUT_OF_POVERTY'),
        poverty_monitoring: m.povertyFlags.includes('RETURN_TO_POVERTY_MONITORING'),
      });
    }
    contracts.push({
      id: contract.id,
      code: contract.code,
      issuer_code: contract.issuerCode,
      household_id: household.id,
      mode: contract.mode,
      term_start: contract.termStart,
      term_end: contract.termEnd,
      status: contract.status,
      village_code: villageCode,
      township_code: townshipCode,
      total_area_mu4: contract.plots.reduce((sum, p) => sum + p.contractAreaMu4, 0),
      second_round_end: contract.secondRoundEnd ?? null,
      adjustment_forbidden: contract.adjustmentForbidden,
    });
    for (const p of contract.plots) {
      plots.push({
        code: p.code,
        contract_id: contract.id,
        name: p.name,
        contract_area_mu4: p.contractAreaMu4,
        surveyed_area_mu4: p.surveyedAreaMu4,
        land_class: p.landClass,
        basic_farmland: p.basicFarmland,
        boundary_east: p.boundaries.east,
        boundary_south: p.boundaries.south,
        boundary_west: p.boundaries.west,
        boundary_north: p.boundaries.north,
      });
    }
  }
  return { households, members, contracts, plots };
}

/**
 * One HouseholdRegistered and one ContractRegistered per record, exactly as the single-record
 * commands publish them: personal IDs masked in the event, unmasked in the audit snapshot.
 */
function changesOf(rows: ReturnType<typeof buildRows>, now: Date): Change[] {
  const membersByHousehold = new Map<string, MemberRow[]>();
  for (const m of rows.members) {
    const list = membersByHousehold.get(m.household_id) ?? [];
    list.push({
      id: m.id,
      householdId: m.household_id,
      seq: m.seq,
      residentId: m.resident_id,
      name: m.name,
      relation: m.relation,
      alive: m.alive,
      deceasedOn: m.deceased_on,
      movedToTown: m.moved_to_town,
      liftedOutOfPoverty: m.lifted_out_of_poverty,
      povertyMonitoring: m.poverty_monitoring,
    });
    membersByHousehold.set(m.household_id, list);
  }
  const plotsByContract = new Map<string, PlotRow[]>();
  for (const p of rows.plots) {
    const list = plotsByContract.get(p.contract_id) ?? [];
    list.push({
      code: p.code,
      contractId: p.contract_id,
      name: p.name,
      contractAreaMu4: p.contract_area_mu4,
      surveyedAreaMu4: p.surveyed_area_mu4,
      landClass: p.land_class,
      basicFarmland: p.basic_farmland,
      boundaryEast: p.boundary_east,
      boundarySouth: p.boundary_south,
      boundaryWest: p.boundary_west,
      boundaryNorth: p.boundary_north,
      geometry: null,
    });
    plotsByContract.set(p.contract_id, list);
  }
  const changes: Change[] = [];
  rows.households.forEach((h, i) => {
    const row: HouseholdRow = {
      id: h.id,
      code: h.code,
      issuerCode: h.issuer_code,
      villageCode: h.village_code,
      townshipCode: h.township_code,
      address: h.address,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const members = membersByHousehold.get(h.id) ?? [];
    changes.push({
      aggregateType: 'household',
      aggregateId: h.id,
      aggregateVersion: 1,
      townshipCode: h.township_code,
      action: 'household.registered',
      state: householdToMsg(row, members, true),
      event: {
        type: Events['land-contract'].HouseholdRegistered,
        payload: { household: householdToMsg(row, members, false) },
      },
    });
    const c = rows.contracts[i];
    if (!c) return;
    const contractRow: ContractRow = {
      id: c.id,
      code: c.code,
      issuerCode: c.issuer_code,
      householdId: c.household_id,
      mode: c.mode,
      termStart: c.term_start,
      termEnd: c.term_end,
      status: c.status,
      villageCode: c.village_code,
      townshipCode: c.township_code,
      totalAreaMu4: c.total_area_mu4,
      secondRoundEnd: c.second_round_end,
      adjustmentForbidden: c.adjustment_forbidden,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const msg = contractToMsg(contractRow, plotsByContract.get(c.id) ?? []);
    changes.push({
      aggregateType: 'contract',
      aggregateId: c.id,
      aggregateVersion: 1,
      townshipCode: c.township_code,
      action: 'contract.registered',
      state: msg,
      effectiveOn: c.term_start,
      event: { type: Events['land-contract'].ContractRegistered, payload: { contract: msg } },
    });
  });
  return changes;
}
