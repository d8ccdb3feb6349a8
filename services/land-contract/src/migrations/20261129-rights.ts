import { Migration } from '@mikro-orm/migrations';

/**
 * What happens to a right after registration: reclaim of extinct households' land and the issuer's
 * pool of returned plots, transfers and exchanges, surrenders, management-right circulations with
 * their reviews, abandonment reports with the issuer's measures, and the mortgages (encumbrances)
 * learned from property-mortgage events.
 */
export class Rights20261129 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE returned_plot (
        plot_code varchar(19) PRIMARY KEY,
        issuer_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        from_contract_id uuid NOT NULL,
        reason varchar(16) NOT NULL,
        returned_on date NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX returned_plot_issuer_code_index ON returned_plot (issuer_code)');
    this.addSql('CREATE INDEX returned_plot_township_code_index ON returned_plot (township_code)');

    this.addSql(`
      CREATE TABLE reclamation (
        contract_id uuid PRIMARY KEY,
        household_id uuid NOT NULL,
        township_code varchar(9) NOT NULL,
        decided_on date NOT NULL,
        decision_ref varchar(255) NOT NULL,
        earned_income jsonb NOT NULL,
        total_income_fen bigint NOT NULL,
        returned_plot_codes jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX reclamation_household_id_index ON reclamation (household_id)');
    this.addSql(`
      CREATE TABLE reclamation_heir (
        id uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        seq int NOT NULL,
        name varchar(255) NOT NULL,
        resident_id varchar(18) NULL,
        relation varchar(255) NOT NULL,
        amount_fen bigint NOT NULL CHECK (amount_fen >= 0)
      )`);
    this.addSql('CREATE INDEX reclamation_heir_contract_id_index ON reclamation_heir (contract_id)');

    this.addSql(`
      CREATE TABLE contract_transfer (
        id uuid PRIMARY KEY,
        from_contract_id uuid NOT NULL,
        to_contract_id uuid NOT NULL,
        from_household_id uuid NOT NULL,
        to_household_id uuid NOT NULL,
        plot_codes jsonb NOT NULL,
        partial boolean NOT NULL,
        transfer_date date NOT NULL,
        consent_on date NOT NULL,
        consent_ref varchar(255) NOT NULL,
        consent_by varchar(255) NOT NULL,
        price_fen bigint NULL,
        township_code varchar(9) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX contract_transfer_from_contract_id_index ON contract_transfer (from_contract_id)',
    );
    this.addSql('CREATE INDEX contract_transfer_to_contract_id_index ON contract_transfer (to_contract_id)');
    this.addSql(`
      CREATE TABLE plot_exchange (
        id uuid PRIMARY KEY,
        a_contract_id uuid NOT NULL,
        b_contract_id uuid NOT NULL,
        a_plot_codes jsonb NOT NULL,
        b_plot_codes jsonb NOT NULL,
        exchange_date date NOT NULL,
        filing_on date NOT NULL,
        filing_ref varchar(255) NOT NULL,
        filing_by varchar(255) NOT NULL,
        township_code varchar(9) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX plot_exchange_a_contract_id_index ON plot_exchange (a_contract_id)');
    this.addSql('CREATE INDEX plot_exchange_b_contract_id_index ON plot_exchange (b_contract_id)');

    this.addSql(`
      CREATE TABLE surrender (
        id uuid PRIMARY KEY,
        contract_id uuid NOT NULL CONSTRAINT surrender_contract_id_unique UNIQUE,
        household_id uuid NOT NULL,
        issuer_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        surrendered_on date NOT NULL,
        term_end date NOT NULL,
        notice_given_on date NOT NULL,
        notice_ref varchar(255) NOT NULL,
        acceptance_on date NOT NULL,
        acceptance_ref varchar(255) NOT NULL,
        acceptance_by varchar(255) NOT NULL,
        area_mu4 bigint NOT NULL,
        soil_improvement_fen bigint NOT NULL,
        land_compensation_fen bigint NOT NULL,
        compensation_fen bigint NOT NULL,
        policy_version varchar(64) NOT NULL,
        breakdown jsonb NOT NULL,
        returned_plot_codes jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX surrender_household_id_index ON surrender (household_id)');
    this.addSql('CREATE INDEX surrender_township_code_index ON surrender (township_code)');

    this.addSql(`
      CREATE TABLE circulation_review (
        id uuid PRIMARY KEY,
        level varchar(16) NOT NULL,
        kind varchar(16) NOT NULL,
        approved boolean NOT NULL,
        act_on date NOT NULL,
        act_ref varchar(255) NOT NULL,
        act_by varchar(255) NOT NULL,
        transferee_kind varchar(32) NOT NULL,
        transferee_name varchar(255) NOT NULL,
        transferee_credit_code varchar(18) NULL,
        transferee_resident_id varchar(18) NULL,
        transferee_key varchar(18) NOT NULL,
        area_mu4 bigint NOT NULL,
        project varchar(255) NOT NULL,
        township_code varchar(9) NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql(
      'CREATE INDEX circulation_review_transferee_key_index ON circulation_review (transferee_key)',
    );
    this.addSql(`
      CREATE TABLE circulation (
        id uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        contract_code varchar(19) NOT NULL,
        contractor_household_id uuid NOT NULL,
        issuer_code varchar(14) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        mode varchar(16) NOT NULL,
        transferee_kind varchar(32) NOT NULL,
        transferee_name varchar(255) NOT NULL,
        transferee_credit_code varchar(18) NULL,
        transferee_resident_id varchar(18) NULL,
        transferee_household_id uuid NULL,
        transferee_member boolean NOT NULL,
        transferee_key varchar(18) NOT NULL,
        area_mu4 bigint NOT NULL,
        term_start date NOT NULL,
        term_end date NOT NULL,
        land_use varchar(32) NOT NULL,
        written boolean NOT NULL,
        filing_on date NOT NULL,
        filing_ref varchar(255) NOT NULL,
        filing_by varchar(255) NOT NULL,
        status varchar(16) NOT NULL,
        terminated_on date NULL,
        termination_ground varchar(32) NULL,
        terminated_by varchar(16) NULL,
        termination_evidence_ref varchar(255) NULL,
        annual_price_per_mu_fen bigint NULL,
        parent_circulation_id uuid NULL,
        consent_on date NULL,
        consent_ref varchar(255) NULL,
        consent_by varchar(255) NULL,
        review_ids jsonb NOT NULL DEFAULT '[]',
        risk_deposit_paid_fen bigint NOT NULL,
        required_risk_deposit_fen bigint NOT NULL,
        required_review_level varchar(16) NULL,
        social_capital boolean NOT NULL,
        registrable boolean NOT NULL,
        policy_version varchar(64) NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    for (const column of [
      'contract_id',
      'contractor_household_id',
      'township_code',
      'village_code',
      'transferee_key',
      'status',
      'parent_circulation_id',
    ]) {
      this.addSql(`CREATE INDEX circulation_${column}_index ON circulation (${column})`);
    }
    this.addSql(`
      CREATE TABLE circulation_plot (
        circulation_id uuid NOT NULL,
        plot_code varchar(19) NOT NULL,
        area_mu4 bigint NOT NULL CHECK (area_mu4 > 0),
        PRIMARY KEY (circulation_id, plot_code)
      )`);
    this.addSql('CREATE INDEX circulation_plot_plot_code_index ON circulation_plot (plot_code)');

    this.addSql(`
      CREATE TABLE abandonment_report (
        id uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        plot_code varchar(19) NOT NULL,
        area_mu4 bigint NOT NULL,
        since date NOT NULL,
        reported_on date NOT NULL,
        resumed_on date NULL,
        reporter_subject varchar(255) NOT NULL,
        reporter_role varchar(32) NOT NULL,
        village_code varchar(12) NOT NULL,
        township_code varchar(9) NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX abandonment_report_contract_id_index ON abandonment_report (contract_id)');
    this.addSql('CREATE INDEX abandonment_report_township_code_index ON abandonment_report (township_code)');
    this.addSql(`
      CREATE TABLE issuer_measure (
        id uuid PRIMARY KEY,
        report_id uuid NOT NULL,
        kind varchar(40) NOT NULL,
        taken_on date NOT NULL,
        note text NOT NULL,
        act_on date NULL,
        act_ref varchar(255) NULL,
        act_by varchar(255) NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX issuer_measure_report_id_index ON issuer_measure (report_id)');

    // Keyed by the exchange centre's mortgage id (text: it is another service's identifier). A row
    // with registered_on NULL records a release that arrived before its registration.
    this.addSql(`
      CREATE TABLE encumbrance (
        mortgage_id varchar(64) PRIMARY KEY,
        contract_id varchar(64) NOT NULL,
        household_id uuid NULL,
        township_code varchar(9) NOT NULL DEFAULT '',
        plot_codes jsonb NOT NULL DEFAULT '[]',
        circulation_id varchar(64) NULL,
        secured_amount_fen bigint NOT NULL DEFAULT 0,
        registered_on date NULL,
        released_on date NULL,
        secured_until date NULL,
        mortgagee_credit_code varchar(18) NOT NULL DEFAULT '',
        certificate_no varchar(64) NOT NULL DEFAULT '',
        ranking int NOT NULL DEFAULT 0,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX encumbrance_contract_id_index ON encumbrance (contract_id)');
    this.addSql('CREATE INDEX encumbrance_household_id_index ON encumbrance (household_id)');
  }
}
