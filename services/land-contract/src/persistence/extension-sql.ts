import { type EntityManager, execInTransaction } from '@pingquan/kit';
import type { LocalDate } from '@pingquan/reference';
import type { Encumbrance } from '../domain/model.js';

// SQL of the extension batch. A chunk reads up to a thousand contracts with their households'
// members in one statement and writes each table with one statement (JSON record sets), so a
// chunk costs a fixed handful of round trips whatever its size; the ORM's unit of work would cost
// one per row. Dates are read as text (to_char) so they stay calendar dates, never instants.

/** The half-open code range [lower, upper) holding every contract of a village or issuer scope. */
export function scopeRange(scopeCode: string): { lower: string; upper: string } {
  // Codes are fixed-length digit strings beginning with the scope, so the next scope number bounds
  // the range in any collation, and the unique index on code serves it as a range scan.
  const upper = (BigInt(scopeCode) + 1n).toString().padStart(scopeCode.length, '0');
  return { lower: scopeCode, upper };
}

export interface BatchRow {
  id: string;
  scope_code: string;
  village_code: string;
  township_code: string;
  status: 'RUNNING' | 'COMPLETED';
  as_of: string;
  resolution: unknown;
  resolution_ref: string;
  resolution_hash: string;
  policy: unknown;
  policy_version: string;
  cursor: string;
  total_contracts: string | number;
  processed_contracts: string | number;
  extended_count: string | number;
  extended_area_mu4: string | number;
  encumbered_extended_count: string | number;
  skipped: Record<string, { count: number; areaMu4: number }>;
  started_by_subject: string;
  started_by_role: string;
  started_by_name: string;
  reason: string;
  document_ref: string;
  trace_id: string;
  started_at: Date | string;
  finished_at: Date | string | null;
}

const BATCH_COLUMNS = `id, scope_code, village_code, township_code, status, to_char(as_of, 'YYYY-MM-DD') AS as_of, resolution,
  resolution_ref, resolution_hash, policy, policy_version, cursor, total_contracts, processed_contracts, extended_count,
  extended_area_mu4, encumbered_extended_count, skipped, started_by_subject, started_by_role, started_by_name, reason,
  document_ref, trace_id, started_at, finished_at`;

export type NewBatch = Omit<
  BatchRow,
  | 'status'
  | 'cursor'
  | 'processed_contracts'
  | 'extended_count'
  | 'extended_area_mu4'
  | 'encumbered_extended_count'
  | 'skipped'
  | 'finished_at'
  | 'started_at'
>;

export async function insertBatch(em: EntityManager, batch: NewBatch, now: Date): Promise<void> {
  await execInTransaction(
    em,
    `INSERT INTO extension_batch (id, scope_code, village_code, township_code, status, as_of, resolution, resolution_ref,
            resolution_hash, policy, policy_version, total_contracts, started_by_subject, started_by_role, started_by_name,
            reason, document_ref, trace_id, started_at)
     VALUES (?, ?, ?, ?, 'RUNNING', ?::date, ?::jsonb, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz)`,
    [
      batch.id,
      batch.scope_code,
      batch.village_code,
      batch.township_code,
      batch.as_of,
      JSON.stringify(batch.resolution),
      batch.resolution_ref,
      batch.resolution_hash,
      JSON.stringify(batch.policy),
      batch.policy_version,
      batch.total_contracts,
      batch.started_by_subject,
      batch.started_by_role,
      batch.started_by_name,
      batch.reason,
      batch.document_ref,
      batch.trace_id,
      now.toISOString(),
    ],
  );
}

export async function findBatch(em: EntityManager, id: string): Promise<BatchRow | undefined> {
  const rows = await execInTransaction<BatchRow>(
    em,
    `SELECT ${BATCH_COLUMNS} FROM extension_batch WHERE id = ?`,
    [id],
  );
  return rows[0];
}

export async function findBatchByResolution(
  em: EntityManager,
  scopeCode: string,
  resolutionRef: string,
): Promise<BatchRow | undefined> {
  const rows = await execInTransaction<BatchRow>(
    em,
    `SELECT ${BATCH_COLUMNS} FROM extension_batch WHERE scope_code = ? AND resolution_ref = ?`,
    [scopeCode, resolutionRef],
  );
  return rows[0];
}

export async function findRunningBatch(em: EntityManager, scopeCode: string): Promise<BatchRow | undefined> {
  const rows = await execInTransaction<BatchRow>(
    em,
    `SELECT ${BATCH_COLUMNS} FROM extension_batch WHERE scope_code = ? AND status = 'RUNNING'`,
    [scopeCode],
  );
  return rows[0];
}

/**
 * The oldest running batch no other worker holds, locked for this transaction. Workers (threads of
 * one service or replicas) each take a different batch; the one holding it commits a chunk and lets go.
 */
export async function claimRunningBatch(
  em: EntityManager,
  excluded: readonly string[] = [],
): Promise<BatchRow | undefined> {
  const rows = await execInTransaction<BatchRow>(
    em,
    `SELECT ${BATCH_COLUMNS} FROM extension_batch
     WHERE status = 'RUNNING' AND id::text NOT IN (SELECT jsonb_array_elements_text(?::jsonb))
     ORDER BY started_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [JSON.stringify(excluded)],
  );
  return rows[0];
}

export async function listBatches(
  em: EntityManager,
  filter: { townshipCodes?: readonly string[]; scopeCode?: string; before?: string },
  limit: number,
): Promise<BatchRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.townshipCodes) {
    where.push('township_code IN (SELECT jsonb_array_elements_text(?::jsonb))');
    params.push(JSON.stringify(filter.townshipCodes));
  }
  if (filter.scopeCode) {
    where.push('scope_code = ?');
    params.push(filter.scopeCode);
  }
  if (filter.before) {
    where.push('id < ?::uuid');
    params.push(filter.before);
  }
  // Ids are UUIDv7, so id order is start order and a stable keyset.
  return execInTransaction<BatchRow>(
    em,
    `SELECT ${BATCH_COLUMNS} FROM extension_batch ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, limit],
  );
}

/** Batches matching the list filter (without its page position). */
export async function countBatches(
  em: EntityManager,
  filter: { townshipCodes?: readonly string[]; scopeCode?: string },
): Promise<number> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.townshipCodes) {
    where.push('township_code IN (SELECT jsonb_array_elements_text(?::jsonb))');
    params.push(JSON.stringify(filter.townshipCodes));
  }
  if (filter.scopeCode) {
    where.push('scope_code = ?');
    params.push(filter.scopeCode);
  }
  const [row] = await execInTransaction<{ n: string }>(
    em,
    `SELECT count(*) AS n FROM extension_batch ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    params,
  );
  return Number(row?.n ?? 0);
}

export async function countContractsInScope(em: EntityManager, scopeCode: string): Promise<number> {
  const { lower, upper } = scopeRange(scopeCode);
  const rows = await execInTransaction<{ n: string }>(
    em,
    'SELECT count(*) AS n FROM contract WHERE code >= ? AND code < ?',
    [lower, upper],
  );
  return Number(rows[0]?.n ?? 0);
}

/** A contract as the extension reads it: its own columns and its household's members. */
export interface ChunkContractRow {
  id: string;
  code: string;
  issuer_code: string;
  household_id: string;
  mode: string;
  term_start: string;
  term_end: string;
  status: string;
  village_code: string;
  township_code: string;
  total_area_mu4: string | number;
  second_round_end: string | null;
  adjustment_forbidden: boolean;
  version: number;
  created_at: Date | string;
  household_code: string | null;
  household_issuer_code: string | null;
  members:
    | { resident_id: string; name: string; relation: string; alive: boolean; moved_to_town: boolean }[]
    | null;
}

/**
 * The next `limit` contracts of the scope after `cursor`, in code order, with their households.
 * `lock` takes row locks on the contracts, so no other command changes them until the chunk commits.
 */
export async function selectChunk(
  em: EntityManager,
  scopeCode: string,
  cursor: string,
  limit: number,
  lock: boolean,
): Promise<ChunkContractRow[]> {
  const { lower, upper } = scopeRange(scopeCode);
  return execInTransaction<ChunkContractRow>(
    em,
    `SELECT c.id, c.code, c.issuer_code, c.household_id, c.mode, to_char(c.term_start, 'YYYY-MM-DD') AS term_start,
            to_char(c.term_end, 'YYYY-MM-DD') AS term_end, c.status, c.village_code, c.township_code, c.total_area_mu4,
            to_char(c.second_round_end, 'YYYY-MM-DD') AS second_round_end, c.adjustment_forbidden, c.version, c.created_at,
            h.code AS household_code, h.issuer_code AS household_issuer_code,
            (SELECT jsonb_agg(jsonb_build_object('resident_id', m.resident_id, 'name', m.name, 'relation', m.relation,
                      'alive', m.alive, 'moved_to_town', m.moved_to_town) ORDER BY m.seq)
               FROM household_member m WHERE m.household_id = c.household_id) AS members
     FROM contract c LEFT JOIN household h ON h.id = c.household_id
     WHERE c.code >= ? AND c.code < ? AND c.code > ?
     ORDER BY c.code
     LIMIT ?
     ${lock ? 'FOR UPDATE OF c' : ''}`,
    [lower, upper, cursor, limit],
  );
}

interface EncumbranceRow {
  mortgage_id: string;
  contract_id: string;
  plot_codes: string[] | null;
  circulation_id: string | null;
  secured_amount_fen: string | number;
  registered_on: string;
  released_on: string | null;
  secured_until: string | null;
  mortgagee_credit_code: string;
}

/**
 * Mortgages registered on the given contracts, as learned from property-mortgage's events. The
 * encumbrance table belongs to the encumbrance capability; until its migration has run there are
 * simply no mortgages to report.
 */
export async function encumbrancesOf(
  em: EntityManager,
  contractIds: readonly string[],
): Promise<Encumbrance[]> {
  if (contractIds.length === 0) return [];
  const [exists] = await execInTransaction<{ t: string | null }>(
    em,
    "SELECT to_regclass('encumbrance')::text AS t",
  );
  if (!exists?.t) return [];
  const rows = await execInTransaction<EncumbranceRow>(
    em,
    `SELECT mortgage_id, contract_id, plot_codes, circulation_id, secured_amount_fen,
            to_char(registered_on, 'YYYY-MM-DD') AS registered_on, to_char(released_on, 'YYYY-MM-DD') AS released_on,
            to_char(secured_until, 'YYYY-MM-DD') AS secured_until, mortgagee_credit_code
     FROM encumbrance
     WHERE registered_on IS NOT NULL AND contract_id IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(contractIds)],
  );
  return rows.map(
    (r): Encumbrance => ({
      mortgageId: r.mortgage_id,
      contractId: r.contract_id,
      scope:
        r.plot_codes && r.plot_codes.length > 0
          ? { kind: 'PLOTS', plotCodes: r.plot_codes }
          : { kind: 'WHOLE_CONTRACT' },
      securedAmountFen: Number(r.secured_amount_fen),
      registeredOn: r.registered_on,
      ...(r.released_on ? { releasedOn: r.released_on } : {}),
      ...(r.circulation_id ? { circulationId: r.circulation_id } : {}),
      creditor: r.mortgagee_credit_code,
      securedUntil: r.secured_until ?? '9999-12-31',
    }),
  );
}

export interface ExtendedContractUpdate {
  id: string;
  term_end: LocalDate;
  second_round_end: LocalDate;
  version: number;
}

/** Applies the extension to the chunk's contracts; returns how many rows changed. */
export async function updateExtendedContracts(
  em: EntityManager,
  rows: readonly ExtendedContractUpdate[],
  now: Date,
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await execInTransaction<{ id: string }>(
    em,
    `UPDATE contract c
     SET term_end = r.term_end, second_round_end = r.second_round_end, status = 'EXTENDED', version = c.version + 1,
         updated_at = ?::timestamptz
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, term_end date, second_round_end date, version int)
     WHERE c.id = r.id AND c.version = r.version
     RETURNING c.id`,
    [now.toISOString(), JSON.stringify(rows)],
  );
  return result.length;
}

export interface AmendmentInsert {
  id: string;
  contract_id: string;
  kind: 'TERM_EXTENSION' | 'PLOT_ADJUSTMENT';
  batch_id: string | null;
  old_term_end: string | null;
  new_term_start: string | null;
  new_term_end: string | null;
  resolution_ref: string;
  detail: unknown;
  actor_subject: string;
}

export async function insertAmendments(
  em: EntityManager,
  rows: readonly AmendmentInsert[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await execInTransaction(
    em,
    `INSERT INTO contract_amendment (id, contract_id, kind, batch_id, old_term_end, new_term_start, new_term_end, resolution_ref,
            certificate_reissued, detail, actor_subject, recorded_at)
     SELECT r.id, r.contract_id, r.kind, r.batch_id, r.old_term_end, r.new_term_start, r.new_term_end, r.resolution_ref,
            false, r.detail, r.actor_subject, ?::timestamptz
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, contract_id uuid, kind text, batch_id uuid, old_term_end date,
          new_term_start date, new_term_end date, resolution_ref text, detail jsonb, actor_subject text)`,
    [now.toISOString(), JSON.stringify(rows)],
  );
}

export interface SkipInsert {
  batch_id: string;
  contract_code: string;
  contract_id: string;
  household_id: string;
  reason: string;
  detail: string;
  area_mu4: number;
}

export async function insertSkips(em: EntityManager, rows: readonly SkipInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await execInTransaction(
    em,
    `INSERT INTO extension_skip (batch_id, contract_code, contract_id, household_id, reason, detail, area_mu4)
     SELECT r.batch_id, r.contract_code, r.contract_id, r.household_id, r.reason, r.detail, r.area_mu4
     FROM jsonb_to_recordset(?::jsonb) AS r(batch_id uuid, contract_code text, contract_id uuid, household_id uuid,
          reason text, detail text, area_mu4 bigint)`,
    [JSON.stringify(rows)],
  );
}

export interface BatchProgress {
  cursor: string;
  processed: number;
  extendedCount: number;
  extendedAreaMu4: number;
  encumberedExtended: number;
  skipped: Record<string, { count: number; areaMu4: number }>;
  completed: boolean;
}

/** Moves the batch's cursor and totals forward, in the chunk's own transaction. */
export async function advanceBatch(
  em: EntityManager,
  id: string,
  p: BatchProgress,
  now: Date,
): Promise<void> {
  await execInTransaction(
    em,
    `UPDATE extension_batch
     SET cursor = ?, processed_contracts = processed_contracts + ?, extended_count = extended_count + ?,
         extended_area_mu4 = extended_area_mu4 + ?, encumbered_extended_count = encumbered_extended_count + ?,
         skipped = ?::jsonb, status = ?, finished_at = ?::timestamptz
     WHERE id = ?`,
    [
      p.cursor,
      p.processed,
      p.extendedCount,
      p.extendedAreaMu4,
      p.encumberedExtended,
      JSON.stringify(p.skipped),
      p.completed ? 'COMPLETED' : 'RUNNING',
      p.completed ? now.toISOString() : null,
      id,
    ],
  );
}

export async function listSkips(
  em: EntityManager,
  batchId: string,
  reason: string | undefined,
  after: string | undefined,
  limit: number,
): Promise<{ rows: SkipInsert[]; total: number }> {
  const where = ['batch_id = ?'];
  const params: unknown[] = [batchId];
  if (reason) {
    where.push('reason = ?');
    params.push(reason);
  }
  const [count] = await execInTransaction<{ n: string }>(
    em,
    `SELECT count(*) AS n FROM extension_skip WHERE ${where.join(' AND ')}`,
    params,
  );
  if (after) {
    where.push('contract_code > ?');
    params.push(after);
  }
  const rows = await execInTransaction<SkipInsert>(
    em,
    `SELECT batch_id, contract_code, contract_id, household_id, reason, detail, area_mu4 FROM extension_skip
     WHERE ${where.join(' AND ')} ORDER BY contract_code LIMIT ?`,
    [...params, limit],
  );
  return { rows, total: Number(count?.n ?? 0) };
}

export interface AmendmentRow {
  id: string;
  contract_id: string;
  kind: string;
  batch_id: string | null;
  old_term_end: string | null;
  new_term_start: string | null;
  new_term_end: string | null;
  resolution_ref: string;
  certificate_reissued: boolean;
  detail: unknown;
  recorded_at: Date | string;
}

export async function amendmentsOf(em: EntityManager, contractId: string): Promise<AmendmentRow[]> {
  return execInTransaction<AmendmentRow>(
    em,
    `SELECT id, contract_id, kind, batch_id, to_char(old_term_end, 'YYYY-MM-DD') AS old_term_end,
            to_char(new_term_start, 'YYYY-MM-DD') AS new_term_start, to_char(new_term_end, 'YYYY-MM-DD') AS new_term_end,
            resolution_ref, certificate_reissued, detail, recorded_at
     FROM contract_amendment WHERE contract_id = ? ORDER BY recorded_at, id`,
    [contractId],
  );
}

// --- 个别调地: the few contracts of one adjustment, read and written with their plots ---------

export interface AdjustContractRow {
  id: string;
  code: string;
  issuer_code: string;
  household_id: string;
  mode: string;
  term_start: string;
  term_end: string;
  status: string;
  village_code: string;
  township_code: string;
  total_area_mu4: string | number;
  second_round_end: string | null;
  adjustment_forbidden: boolean;
  version: number;
  created_at: Date | string;
}

export interface AdjustPlotRow {
  code: string;
  contract_id: string;
  name: string;
  contract_area_mu4: string | number;
  surveyed_area_mu4: string | number;
  land_class: string;
  basic_farmland: boolean;
  boundary_east: string;
  boundary_south: string;
  boundary_west: string;
  boundary_north: string;
  geometry: unknown;
  /** Status of the contract the plot is on (for added plots found in the register). */
  contract_status?: string;
}

/** The contracts named by an adjustment, locked until it commits. */
export async function lockContractsByCode(
  em: EntityManager,
  codes: readonly string[],
): Promise<AdjustContractRow[]> {
  return execInTransaction<AdjustContractRow>(
    em,
    `SELECT id, code, issuer_code, household_id, mode, to_char(term_start, 'YYYY-MM-DD') AS term_start,
            to_char(term_end, 'YYYY-MM-DD') AS term_end, status, village_code, township_code, total_area_mu4,
            to_char(second_round_end, 'YYYY-MM-DD') AS second_round_end, adjustment_forbidden, version, created_at
     FROM contract WHERE code IN (SELECT jsonb_array_elements_text(?::jsonb)) ORDER BY code FOR UPDATE`,
    [JSON.stringify(codes)],
  );
}

/** Plots by code or by contract, each with the status of the contract holding it (compared uncast, so the indexes serve). */
export async function plotsWhere(
  em: EntityManager,
  by: 'code' | 'contract_id',
  values: readonly string[],
): Promise<AdjustPlotRow[]> {
  if (values.length === 0) return [];
  return execInTransaction<AdjustPlotRow>(
    em,
    `SELECT p.code, p.contract_id, p.name, p.contract_area_mu4, p.surveyed_area_mu4, p.land_class, p.basic_farmland,
            p.boundary_east, p.boundary_south, p.boundary_west, p.boundary_north, p.geometry, c.status AS contract_status
     FROM plot p JOIN contract c ON c.id = p.contract_id
     WHERE ${by === 'code' ? 'p.code IN (SELECT jsonb_array_elements_text(?::jsonb))' : 'p.contract_id IN (SELECT jsonb_array_elements_text(?::jsonb)::uuid)'}
     ORDER BY p.code`,
    [JSON.stringify(values)],
  );
}

/** Households holding contracts in force with the issuer: the base of the redivision share. */
export async function householdsOfIssuer(em: EntityManager, issuerCode: string): Promise<number> {
  const [row] = await execInTransaction<{ n: string }>(
    em,
    `SELECT count(DISTINCT household_id) AS n FROM contract WHERE issuer_code = ? AND status IN ('ACTIVE', 'EXTENDED')`,
    [issuerCode],
  );
  return Number(row?.n ?? 0);
}

export async function deletePlots(em: EntityManager, codes: readonly string[]): Promise<void> {
  if (codes.length === 0) return;
  await execInTransaction(em, 'DELETE FROM plot WHERE code IN (SELECT jsonb_array_elements_text(?::jsonb))', [
    JSON.stringify(codes),
  ]);
}

/**
 * Puts plots on contracts. A returned plot (自愿交回/依法收回) still has its row on the ended contract
 * it came from; it moves to its new contract with the attributes the adjustment gives it.
 */
export async function upsertPlots(
  em: EntityManager,
  rows: readonly Omit<AdjustPlotRow, 'contract_status'>[],
): Promise<void> {
  if (rows.length === 0) return;
  await execInTransaction(
    em,
    `INSERT INTO plot (code, contract_id, name, contract_area_mu4, surveyed_area_mu4, land_class, basic_farmland,
            boundary_east, boundary_south, boundary_west, boundary_north, geometry)
     SELECT r.code, r.contract_id, r.name, r.contract_area_mu4, r.surveyed_area_mu4, r.land_class, r.basic_farmland,
            r.boundary_east, r.boundary_south, r.boundary_west, r.boundary_north, r.geometry
     FROM jsonb_to_recordset(?::jsonb) AS r(code text, contract_id uuid, name text, contract_area_mu4 bigint,
          surveyed_area_mu4 bigint, land_class text, basic_farmland boolean, boundary_east text, boundary_south text,
          boundary_west text, boundary_north text, geometry jsonb)
     ON CONFLICT (code) DO UPDATE SET contract_id = EXCLUDED.contract_id, name = EXCLUDED.name,
          contract_area_mu4 = EXCLUDED.contract_area_mu4, surveyed_area_mu4 = EXCLUDED.surveyed_area_mu4,
          land_class = EXCLUDED.land_class, basic_farmland = EXCLUDED.basic_farmland,
          boundary_east = EXCLUDED.boundary_east, boundary_south = EXCLUDED.boundary_south,
          boundary_west = EXCLUDED.boundary_west, boundary_north = EXCLUDED.boundary_north, geometry = EXCLUDED.geometry`,
    [JSON.stringify(rows)],
  );
}

export async function updateContractArea(
  em: EntityManager,
  id: string,
  version: number,
  totalAreaMu4: number,
  now: Date,
): Promise<boolean> {
  const rows = await execInTransaction<{ id: string }>(
    em,
    `UPDATE contract SET total_area_mu4 = ?, version = version + 1, updated_at = ?::timestamptz WHERE id = ? AND version = ? RETURNING id`,
    [totalAreaMu4, now.toISOString(), id, version],
  );
  return rows.length === 1;
}
