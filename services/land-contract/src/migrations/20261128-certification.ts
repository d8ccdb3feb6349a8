import { Migration } from '@mikro-orm/migrations';

/**
 * The certification campaign (确权登记颁证): one case per household, its objections, legacy cases and
 * register entries. Child rows point at their case with deferred foreign keys, so a case and its first
 * child can be inserted in one flush in either order.
 */
export class Certification20261128 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE certification_case (
        id uuid PRIMARY KEY,
        household_id uuid NOT NULL CONSTRAINT certification_case_household_id_unique UNIQUE,
        household_code varchar(18) NOT NULL,
        issuer_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        stage varchar(32) NULL CONSTRAINT certification_case_stage_check
          CHECK (stage IN ('SURVEYED', 'PUBLICLY_NOTICED', 'SIGNED', 'REGISTERED', 'CERTIFIED')),
        surveyed_on date NULL,
        publicly_noticed_on date NULL,
        signed_on date NULL,
        registered_on date NULL,
        certified_on date NULL,
        notice_window_days int NULL,
        notice_policy_version int NULL,
        certificate_no varchar(64) NULL CONSTRAINT certification_case_certificate_no_unique UNIQUE,
        real_estate_register_no varchar(64) NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Lists page by household code within a township or village; figures count certified households per village.
    this.addSql(
      'CREATE INDEX certification_case_household_code_index ON certification_case (household_code)',
    );
    this.addSql(
      'CREATE INDEX certification_case_township_household_index ON certification_case (township_code, household_code)',
    );
    this.addSql(
      'CREATE INDEX certification_case_village_household_index ON certification_case (village_code, household_code)',
    );
    this.addSql(
      'CREATE INDEX certification_case_village_certified_index ON certification_case (village_code, certified_on) WHERE certified_on IS NOT NULL',
    );

    this.addSql(`
      CREATE TABLE certification_objection (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES certification_case (id) DEFERRABLE INITIALLY DEFERRED,
        seq int NOT NULL,
        raised_on date NOT NULL,
        raised_by varchar(255) NOT NULL,
        subject text NOT NULL,
        resolved_on date NULL,
        resolution text NULL,
        CONSTRAINT certification_objection_case_seq_unique UNIQUE (case_id, seq)
      )`);
    this.addSql('CREATE INDEX certification_objection_case_id_index ON certification_objection (case_id)');
    this.addSql(
      'CREATE INDEX certification_objection_open_index ON certification_objection (case_id) WHERE resolved_on IS NULL',
    );

    this.addSql(`
      CREATE TABLE certification_legacy_case (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES certification_case (id) DEFERRABLE INITIALLY DEFERRED,
        seq int NOT NULL,
        kind varchar(32) NOT NULL CONSTRAINT certification_legacy_case_kind_check
          CHECK (kind IN ('BOUNDARY_DISPUTE', 'PETITION', 'OTHER')),
        owner varchar(255) NOT NULL,
        state varchar(16) NOT NULL CONSTRAINT certification_legacy_case_state_check
          CHECK (state IN ('OPEN', 'IN_PROGRESS', 'CLOSED')),
        opened_on date NOT NULL,
        closed_on date NULL,
        note text NOT NULL DEFAULT '',
        CONSTRAINT certification_legacy_case_case_seq_unique UNIQUE (case_id, seq)
      )`);
    this.addSql(
      'CREATE INDEX certification_legacy_case_case_id_index ON certification_legacy_case (case_id)',
    );
    this.addSql(
      "CREATE INDEX certification_legacy_case_open_index ON certification_legacy_case (case_id) WHERE state <> 'CLOSED'",
    );

    this.addSql(`
      CREATE TABLE certification_register_entry (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES certification_case (id) DEFERRABLE INITIALLY DEFERRED,
        seq int NOT NULL,
        kind varchar(32) NOT NULL,
        recorded_on date NOT NULL,
        register_book_no varchar(64) NOT NULL DEFAULT '',
        contract_codes text[] NOT NULL DEFAULT '{}',
        total_area_mu4 bigint NOT NULL DEFAULT 0,
        certificate_no varchar(64) NOT NULL DEFAULT '',
        real_estate_register_no varchar(64) NOT NULL DEFAULT '',
        CONSTRAINT certification_register_entry_case_seq_unique UNIQUE (case_id, seq)
      )`);
    this.addSql(
      'CREATE INDEX certification_register_entry_case_id_index ON certification_register_entry (case_id)',
    );
  }
}
