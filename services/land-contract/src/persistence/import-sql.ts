import { type EntityManager, execInTransaction } from '@pingquan/kit';

// Multi-row statements for the register import. A village file holds hundreds of households and
// thousands of plots: one INSERT per table with a JSON record set keeps a file at a handful of
// round trips, where the ORM's unit of work would issue one statement per row. The tables are the
// register's own (see 20261126-register.ts); rows written here are read back by the entities.

export interface HouseholdInsert {
  id: string;
  code: string;
  issuer_code: string;
  village_code: string;
  township_code: string;
  address: string;
}

export interface MemberInsert {
  id: string;
  household_id: string;
  seq: number;
  resident_id: string;
  name: string;
  relation: string;
  alive: boolean;
  deceased_on: string | null;
  moved_to_town: boolean;
  lifted_out_of_poverty: boolean;
  poverty_monitoring: boolean;
}

export interface ContractInsert {
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
  total_area_mu4: number;
  second_round_end: string | null;
  adjustment_forbidden: boolean;
}

export interface PlotInsert {
  code: string;
  contract_id: string;
  name: string;
  contract_area_mu4: number;
  surveyed_area_mu4: number;
  land_class: string;
  basic_farmland: boolean;
  boundary_east: string;
  boundary_south: string;
  boundary_west: string;
  boundary_north: string;
}

export interface RegisterRows {
  households: HouseholdInsert[];
  members: MemberInsert[];
  contracts: ContractInsert[];
  plots: PlotInsert[];
}

/** Writes a whole register file's rows in the caller's transaction: one statement per table. */
export async function insertRegisterRows(em: EntityManager, rows: RegisterRows, now: Date): Promise<void> {
  const at = now.toISOString();
  await execInTransaction(
    em,
    `INSERT INTO household (id, code, issuer_code, village_code, township_code, address, version, created_at, updated_at)
     SELECT r.id, r.code, r.issuer_code, r.village_code, r.township_code, r.address, 1, ?::timestamptz, ?::timestamptz
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, code text, issuer_code text, village_code text, township_code text, address text)`,
    [at, at, JSON.stringify(rows.households)],
  );
  await execInTransaction(
    em,
    `INSERT INTO household_member (id, household_id, seq, resident_id, name, relation, alive, deceased_on, moved_to_town,
            lifted_out_of_poverty, poverty_monitoring)
     SELECT r.id, r.household_id, r.seq, r.resident_id, r.name, r.relation, r.alive, r.deceased_on, r.moved_to_town,
            r.lifted_out_of_poverty, r.poverty_monitoring
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, household_id uuid, seq int, resident_id text, name text, relation text,
          alive boolean, deceased_on date, moved_to_town boolean, lifted_out_of_poverty boolean, poverty_monitoring boolean)`,
    [JSON.stringify(rows.members)],
  );
  await execInTransaction(
    em,
    `INSERT INTO contract (id, code, issuer_code, household_id, mode, term_start, term_end, status, village_code, township_code,
            total_area_mu4, second_round_end, adjustment_forbidden, version, created_at, updated_at)
     SELECT r.id, r.code, r.issuer_code, r.household_id, r.mode, r.term_start, r.term_end, r.status, r.village_code,
            r.township_code, r.total_area_mu4, r.second_round_end, r.adjustment_forbidden, 1, ?::timestamptz, ?::timestamptz
     FROM jsonb_to_recordset(?::jsonb) AS r(id uuid, code text, issuer_code text, household_id uuid, mode text, term_start date,
          term_end date, status text, village_code text, township_code text, total_area_mu4 bigint, second_round_end date,
          adjustment_forbidden boolean)`,
    [at, at, JSON.stringify(rows.contracts)],
  );
  await execInTransaction(
    em,
    `INSERT INTO plot (code, contract_id, name, contract_area_mu4, surveyed_area_mu4, land_class, basic_farmland,
            boundary_east, boundary_south, boundary_west, boundary_north, geometry)
     SELECT r.code, r.contract_id, r.name, r.contract_area_mu4, r.surveyed_area_mu4, r.land_class, r.basic_farmland,
            r.boundary_east, r.boundary_south, r.boundary_west, r.boundary_north, NULL
     FROM jsonb_to_recordset(?::jsonb) AS r(code text, contract_id uuid, name text, contract_area_mu4 bigint,
          surveyed_area_mu4 bigint, land_class text, basic_farmland boolean, boundary_east text, boundary_south text,
          boundary_west text, boundary_north text)`,
    [JSON.stringify(rows.plots)],
  );
}

/** Which of `codes` already exist in `table.column` (one query, however many codes). */
export async function existingValues(
  em: EntityManager,
  table: 'household' | 'contract' | 'plot' | 'household_member',
  column: 'code' | 'resident_id',
  values: readonly string[],
): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  const found = await execInTransaction<{ v: string }>(
    em,
    `SELECT t.${column} AS v FROM ${table} t WHERE t.${column} IN (SELECT jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(values)],
  );
  return new Set(found.map((r) => r.v));
}

export interface IssuerOfVillage {
  code: string;
  village_code: string;
  township_code: string;
}

export async function issuersOfVillage(em: EntityManager, villageCode: string): Promise<IssuerOfVillage[]> {
  return execInTransaction<IssuerOfVillage>(
    em,
    'SELECT code, village_code, township_code FROM issuer WHERE village_code = ?',
    [villageCode],
  );
}

export interface ImportRecord {
  id: string;
  village_code: string;
  file_name: string;
  file_sha256: string;
  counts: unknown;
  actor_subject: string;
  actor_role: string;
}

export async function insertImportRecord(em: EntityManager, record: ImportRecord, now: Date): Promise<void> {
  await execInTransaction(
    em,
    `INSERT INTO register_import (id, village_code, file_name, file_sha256, counts, actor_subject, actor_role, imported_at)
     VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?::timestamptz)`,
    [
      record.id,
      record.village_code,
      record.file_name,
      record.file_sha256,
      JSON.stringify(record.counts),
      record.actor_subject,
      record.actor_role,
      now.toISOString(),
    ],
  );
}
