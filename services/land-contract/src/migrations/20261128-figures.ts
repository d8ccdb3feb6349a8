import { Migration } from '@mikro-orm/migrations';

/**
 * Contract state log for the leading group's figures as of a past date. The audit log holds every
 * change with its full snapshot, which is right for one contract's history but too wide to aggregate
 * for the whole city (≈110,000 contracts, each changed again by the 30-year extension): reading every
 * snapshot of a city-wide past date takes seconds. This narrow log keeps only what the figures
 * count, one row per change of those columns, written by the database itself (statement-level
 * triggers with transition tables), so every writer — entity flushes, the import's and the batch's
 * SQL — is covered without their code knowing, at the cost of one INSERT … SELECT per statement.
 */
export class Figures20261128 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE contract_state_log (
        seq bigserial PRIMARY KEY,
        contract_id uuid NOT NULL,
        recorded_at timestamptz NOT NULL,
        village_code varchar(12) NOT NULL,
        mode varchar(255) NOT NULL,
        status varchar(255) NOT NULL,
        term_end date NOT NULL,
        second_round_end date NULL,
        total_area_mu4 bigint NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX contract_state_log_contract_index ON contract_state_log (contract_id, recorded_at DESC, seq DESC)',
    );
    this.addSql(`
      CREATE FUNCTION contract_state_log_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO contract_state_log (contract_id, recorded_at, village_code, mode, status, term_end, second_round_end, total_area_mu4)
        SELECT id, now(), village_code, mode, status, term_end, second_round_end, total_area_mu4 FROM new_rows;
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER contract_state_log_inserted AFTER INSERT ON contract
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_state_log_inserted()`);
    this.addSql(`
      CREATE FUNCTION contract_state_log_updated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO contract_state_log (contract_id, recorded_at, village_code, mode, status, term_end, second_round_end, total_area_mu4)
        SELECT n.id, now(), n.village_code, n.mode, n.status, n.term_end, n.second_round_end, n.total_area_mu4
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.village_code, n.mode, n.status, n.term_end, n.second_round_end, n.total_area_mu4)
              IS DISTINCT FROM (o.village_code, o.mode, o.status, o.term_end, o.second_round_end, o.total_area_mu4);
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER contract_state_log_updated AFTER UPDATE ON contract
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION contract_state_log_updated()`);
    // Contracts recorded before this migration enter the log as they stand, from their last change.
    this.addSql(`
      INSERT INTO contract_state_log (contract_id, recorded_at, village_code, mode, status, term_end, second_round_end, total_area_mu4)
      SELECT id, updated_at, village_code, mode, status, term_end, second_round_end, total_area_mu4 FROM contract`);
  }
}
