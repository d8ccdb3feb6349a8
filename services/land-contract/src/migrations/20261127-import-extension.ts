import { Migration } from '@mikro-orm/migrations';

/**
 * Register imports, 30-year extension batches with their skipped contracts, and contract amendments
 * (term extensions and individual plot adjustments).
 */
export class ImportExtension20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE register_import (
        id uuid PRIMARY KEY,
        village_code varchar(12) NOT NULL,
        file_name text NOT NULL DEFAULT '',
        file_sha256 char(64) NOT NULL,
        counts jsonb NOT NULL,
        actor_subject text NOT NULL,
        actor_role text NOT NULL,
        imported_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX register_import_village_code_index ON register_import (village_code)');

    // The cursor is the last contract code committed: a chunk moves it in the same transaction as
    // its contract updates, amendments and events, which is what makes a batch resumable.
    this.addSql(`
      CREATE TABLE extension_batch (
        id uuid PRIMARY KEY,
        scope_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        status varchar(16) NOT NULL,
        as_of date NOT NULL,
        resolution jsonb NOT NULL,
        resolution_ref text NOT NULL,
        resolution_hash char(64) NOT NULL,
        policy jsonb NOT NULL,
        policy_version text NOT NULL,
        cursor varchar(19) NOT NULL DEFAULT '',
        total_contracts bigint NOT NULL,
        processed_contracts bigint NOT NULL DEFAULT 0,
        extended_count bigint NOT NULL DEFAULT 0,
        extended_area_mu4 bigint NOT NULL DEFAULT 0,
        encumbered_extended_count bigint NOT NULL DEFAULT 0,
        skipped jsonb NOT NULL DEFAULT '{}',
        started_by_subject text NOT NULL,
        started_by_role text NOT NULL,
        started_by_name text NOT NULL DEFAULT '',
        reason text NOT NULL DEFAULT '',
        document_ref text NOT NULL DEFAULT '',
        trace_id text NOT NULL DEFAULT '',
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        CONSTRAINT extension_batch_scope_resolution_unique UNIQUE (scope_code, resolution_ref)
      )`);
    this.addSql(
      'CREATE INDEX extension_batch_township_code_index ON extension_batch (township_code, started_at DESC)',
    );
    this.addSql(
      `CREATE INDEX extension_batch_running_index ON extension_batch (started_at) WHERE status = 'RUNNING'`,
    );
    // One running batch per scope: a second resolution for the same village waits for the first.
    this.addSql(
      `CREATE UNIQUE INDEX extension_batch_one_running ON extension_batch (scope_code) WHERE status = 'RUNNING'`,
    );

    this.addSql(`
      CREATE TABLE extension_skip (
        batch_id uuid NOT NULL,
        contract_code varchar(19) NOT NULL,
        contract_id uuid NOT NULL,
        household_id uuid NOT NULL,
        reason varchar(40) NOT NULL,
        detail text NOT NULL,
        area_mu4 bigint NOT NULL,
        PRIMARY KEY (batch_id, contract_code)
      )`);
    this.addSql(
      'CREATE INDEX extension_skip_reason_index ON extension_skip (batch_id, reason, contract_code)',
    );

    this.addSql(`
      CREATE TABLE contract_amendment (
        id uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        kind varchar(24) NOT NULL,
        batch_id uuid,
        old_term_end date,
        new_term_start date,
        new_term_end date,
        resolution_ref text NOT NULL DEFAULT '',
        certificate_reissued boolean NOT NULL DEFAULT false,
        detail jsonb NOT NULL DEFAULT '{}',
        actor_subject text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX contract_amendment_contract_id_index ON contract_amendment (contract_id, recorded_at)',
    );
    // The extension happens once per contract: even two overlapping batches cannot record it twice.
    this.addSql(
      `CREATE UNIQUE INDEX contract_amendment_one_extension ON contract_amendment (contract_id) WHERE kind = 'TERM_EXTENSION'`,
    );
  }
}
