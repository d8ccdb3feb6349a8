import { Migration } from '@mikro-orm/migrations';

/**
 * The exchange centre: rights registered here, the price system, listings and deals, loan products,
 * mortgages, loans with their repayments and classification history, disposals and bids, the risk
 * compensation fund, and the number sequences of certificates.
 */
export class ExchangeCentre20261126 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE registered_right (
        id uuid PRIMARY KEY,
        right_type varchar(64) NOT NULL,
        holder jsonb NOT NULL,
        holder_id_number varchar(18) NOT NULL,
        township_code varchar(9) NOT NULL,
        village_code varchar(12) NOT NULL,
        description text NOT NULL,
        area_mu4 bigint NOT NULL CHECK (area_mu4 >= 0),
        term_end date NULL,
        quantity bigint NOT NULL CHECK (quantity >= 0),
        collective_property boolean NOT NULL,
        evidence jsonb NOT NULL,
        registered_on date NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX registered_right_right_type_index ON registered_right (right_type)');
    this.addSql(
      'CREATE INDEX registered_right_holder_id_number_index ON registered_right (holder_id_number)',
    );
    this.addSql('CREATE INDEX registered_right_township_code_index ON registered_right (township_code)');

    this.addSql(`
      CREATE TABLE benchmark_price (
        id uuid PRIMARY KEY,
        right_type varchar(64) NOT NULL,
        township_code varchar(9) NOT NULL,
        year int NOT NULL,
        version int NOT NULL,
        unit varchar(32) NOT NULL,
        price_fen bigint NOT NULL CHECK (price_fen > 0),
        published_on date NOT NULL,
        document_ref text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        CONSTRAINT benchmark_price_key_unique UNIQUE (right_type, township_code, year, version)
      )`);

    this.addSql(`
      CREATE TABLE valuation (
        id uuid PRIMARY KEY,
        right_type varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        plot_codes jsonb NOT NULL,
        circulation_id varchar(64) NOT NULL DEFAULT '',
        township_code varchar(9) NOT NULL,
        method varchar(32) NOT NULL,
        basis varchar(32) NOT NULL,
        basis_note text NOT NULL DEFAULT '',
        value_fen bigint NOT NULL CHECK (value_fen > 0),
        appraiser jsonb NOT NULL,
        valued_on date NOT NULL,
        valid_until date NOT NULL,
        area_mu4 bigint NOT NULL,
        benchmark_price_id uuid NULL,
        benchmark_version int NOT NULL DEFAULT 0,
        reference_value_fen bigint NOT NULL DEFAULT 0,
        comparable jsonb NULL,
        report_no text NOT NULL DEFAULT '',
        bank_credit_code varchar(18) NOT NULL DEFAULT '',
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        CHECK (valid_until >= valued_on)
      )`);
    this.addSql('CREATE INDEX valuation_right_id_index ON valuation (right_id)');

    this.addSql(`
      CREATE TABLE listing (
        id uuid PRIMARY KEY,
        right_type varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        plot_codes jsonb NOT NULL,
        seller jsonb NOT NULL,
        township_code varchar(9) NOT NULL,
        village_code varchar(12) NOT NULL,
        collective_asset boolean NOT NULL,
        mode varchar(32) NOT NULL,
        area_mu4 bigint NOT NULL,
        asking_price_fen bigint NOT NULL,
        term_start date NULL,
        term_end date NULL,
        listed_on date NOT NULL,
        status varchar(16) NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX listing_right_id_index ON listing (right_id)');
    this.addSql('CREATE INDEX listing_township_code_index ON listing (township_code)');

    this.addSql(`
      CREATE TABLE deal (
        id uuid PRIMARY KEY,
        listing_id uuid NULL,
        right_type varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        plot_codes jsonb NOT NULL,
        owner_record_id varchar(64) NOT NULL DEFAULT '',
        seller jsonb NOT NULL,
        buyer jsonb NOT NULL,
        township_code varchar(9) NOT NULL,
        village_code varchar(12) NOT NULL,
        collective_asset boolean NOT NULL,
        mode varchar(32) NOT NULL,
        area_mu4 bigint NOT NULL,
        price_fen bigint NOT NULL CHECK (price_fen > 0),
        term_start date NULL,
        term_end date NULL,
        deal_date date NOT NULL,
        status varchar(16) NOT NULL,
        certificate_no varchar(40) NULL CONSTRAINT deal_certificate_no_unique UNIQUE,
        certified_on date NULL,
        fen_per_mu_year bigint NOT NULL DEFAULT 0,
        disposal_id uuid NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        CHECK (NOT collective_asset OR listing_id IS NOT NULL)
      )`);
    this.addSql('CREATE INDEX deal_right_id_index ON deal (right_id)');
    this.addSql('CREATE INDEX deal_township_code_index ON deal (township_code)');
    this.addSql(
      'CREATE INDEX deal_comparable_index ON deal (right_type, township_code, certified_on) WHERE certified_on IS NOT NULL',
    );
    this.addSql('CREATE UNIQUE INDEX deal_listing_unique ON deal (listing_id) WHERE listing_id IS NOT NULL');

    this.addSql(`
      CREATE TABLE loan_product (
        id uuid PRIMARY KEY,
        bank_credit_code varchar(18) NOT NULL,
        bank_name text NOT NULL,
        name text NOT NULL,
        eligible_right_types jsonb NOT NULL,
        max_ltv_bp int NOT NULL CHECK (max_ltv_bp BETWEEN 1 AND 10000),
        max_term_months int NOT NULL,
        min_rate_bp int NOT NULL,
        max_rate_bp int NOT NULL,
        status varchar(16) NOT NULL,
        published_on date NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX loan_product_bank_credit_code_index ON loan_product (bank_credit_code)');

    this.addSql(`
      CREATE TABLE mortgage (
        id uuid PRIMARY KEY,
        application_no varchar(40) NOT NULL CONSTRAINT mortgage_application_no_unique UNIQUE,
        status varchar(16) NOT NULL,
        product_id uuid NOT NULL,
        bank_credit_code varchar(18) NOT NULL,
        mortgagor jsonb NOT NULL,
        debtor jsonb NOT NULL,
        right_type varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        plot_codes jsonb NOT NULL,
        circulation_id varchar(64) NOT NULL DEFAULT '',
        township_code varchar(9) NOT NULL,
        village_code varchar(12) NOT NULL DEFAULT '',
        household_id varchar(64) NOT NULL DEFAULT '',
        valuation_id uuid NOT NULL,
        valuation_fen bigint NOT NULL,
        valuation_valid_until date NOT NULL,
        ltv_bp int NOT NULL,
        cap_fen bigint NOT NULL,
        secured_amount_fen bigint NOT NULL CHECK (secured_amount_fen > 0 AND secured_amount_fen <= cap_fen),
        term_start date NULL,
        term_end date NOT NULL,
        documents jsonb NOT NULL,
        borrower_conditions jsonb NOT NULL,
        collateral_check jsonb NOT NULL,
        applied_on date NOT NULL,
        reviewed_on date NULL,
        review_note text NOT NULL DEFAULT '',
        rejection_rules jsonb NOT NULL DEFAULT '[]',
        certificate_no varchar(40) NULL CONSTRAINT mortgage_certificate_no_unique UNIQUE,
        ranking int NOT NULL DEFAULT 0,
        registered_on date NULL,
        filed_with text NOT NULL DEFAULT '',
        filing_ref text NOT NULL DEFAULT '',
        filed_on date NULL,
        released_on date NULL,
        release_reason varchar(32) NOT NULL DEFAULT '',
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`);
    for (const column of ['status', 'bank_credit_code', 'right_id', 'township_code', 'household_id']) {
      this.addSql(`CREATE INDEX mortgage_${column}_index ON mortgage (${column})`);
    }

    this.addSql(`
      CREATE TABLE loan (
        id uuid PRIMARY KEY,
        mortgage_id uuid NOT NULL,
        product_id uuid NOT NULL,
        bank_credit_code varchar(18) NOT NULL,
        borrower jsonb NOT NULL,
        borrower_key varchar(18) NOT NULL,
        non_retail boolean NOT NULL,
        right_type varchar(64) NOT NULL,
        township_code varchar(9) NOT NULL,
        village_code varchar(12) NOT NULL DEFAULT '',
        household_id varchar(64) NOT NULL DEFAULT '',
        principal_fen bigint NOT NULL CHECK (principal_fen > 0),
        annual_rate_bp int NOT NULL,
        disbursed_on date NOT NULL,
        maturity_date date NOT NULL,
        method varchar(32) NOT NULL,
        period_months int NOT NULL,
        schedule jsonb NOT NULL,
        outstanding_principal_fen bigint NOT NULL CHECK (outstanding_principal_fen >= 0),
        interest_due_unpaid_fen bigint NOT NULL CHECK (interest_due_unpaid_fen >= 0),
        overdue_days int NOT NULL DEFAULT 0,
        overdue_amount_fen bigint NOT NULL DEFAULT 0,
        classification varchar(16) NOT NULL,
        classification_rule varchar(64) NOT NULL DEFAULT '',
        classified_as_of date NULL,
        operational_delay_due_date date NULL,
        status varchar(16) NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      )`);
    for (const column of ['mortgage_id', 'bank_credit_code', 'township_code', 'household_id', 'status']) {
      this.addSql(`CREATE INDEX loan_${column}_index ON loan (${column})`);
    }

    this.addSql(`
      CREATE TABLE repayment (
        id uuid PRIMARY KEY,
        loan_id uuid NOT NULL,
        paid_on date NOT NULL,
        amount_fen bigint NOT NULL CHECK (amount_fen > 0),
        source varchar(16) NOT NULL,
        interest_fen bigint NOT NULL,
        principal_fen bigint NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK (interest_fen + principal_fen = amount_fen)
      )`);
    this.addSql('CREATE INDEX repayment_loan_id_index ON repayment (loan_id)');

    this.addSql(`
      CREATE TABLE loan_classification (
        loan_id uuid NOT NULL,
        as_of date NOT NULL,
        classification varchar(16) NOT NULL,
        rule varchar(64) NOT NULL,
        overdue_days int NOT NULL,
        PRIMARY KEY (loan_id, as_of)
      )`);
    this.addSql(`
      CREATE TABLE classification_run (
        as_of date PRIMARY KEY,
        ran_at timestamptz NOT NULL DEFAULT now(),
        loans int NOT NULL,
        changed int NOT NULL
      )`);

    this.addSql(`
      CREATE TABLE disposal (
        id uuid PRIMARY KEY,
        loan_id uuid NOT NULL,
        mortgage_id uuid NOT NULL,
        right_type varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        plot_codes jsonb NOT NULL,
        circulation_id varchar(64) NOT NULL DEFAULT '',
        township_code varchar(9) NOT NULL,
        bank_credit_code varchar(18) NOT NULL,
        method varchar(32) NOT NULL,
        reserve_price_fen bigint NOT NULL,
        deposit_fen bigint NOT NULL,
        opens_on date NOT NULL,
        closes_on date NOT NULL,
        transfer_term_end date NULL,
        status varchar(16) NOT NULL,
        buyer jsonb NULL,
        price_fen bigint NOT NULL DEFAULT 0,
        costs_fen bigint NOT NULL DEFAULT 0,
        net_proceeds_fen bigint NOT NULL DEFAULT 0,
        applied_interest_fen bigint NOT NULL DEFAULT 0,
        applied_principal_fen bigint NOT NULL DEFAULT 0,
        surplus_fen bigint NOT NULL DEFAULT 0,
        principal_at_disposal_fen bigint NOT NULL DEFAULT 0,
        interest_at_disposal_fen bigint NOT NULL DEFAULT 0,
        recovery_rate_bp int NOT NULL DEFAULT 0,
        completed_on date NULL,
        certificate_no varchar(40) NOT NULL DEFAULT '',
        deal_id uuid NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        CHECK (net_proceeds_fen = applied_interest_fen + applied_principal_fen + surplus_fen)
      )`);
    this.addSql('CREATE INDEX disposal_loan_id_index ON disposal (loan_id)');
    this.addSql('CREATE INDEX disposal_township_code_index ON disposal (township_code)');
    // At most one open disposal per loan, even under concurrent starts.
    this.addSql("CREATE UNIQUE INDEX disposal_open_unique ON disposal (loan_id) WHERE status = 'OPEN'");

    this.addSql(`
      CREATE TABLE bid (
        id uuid PRIMARY KEY,
        disposal_id uuid NOT NULL,
        bidder jsonb NOT NULL,
        amount_fen bigint NOT NULL,
        deposit_fen bigint NOT NULL,
        placed_at timestamptz NOT NULL,
        winning boolean NOT NULL DEFAULT false
      )`);
    this.addSql('CREATE INDEX bid_disposal_id_index ON bid (disposal_id)');

    this.addSql(`
      CREATE TABLE fund (
        id int PRIMARY KEY CHECK (id = 1),
        balance_fen bigint NOT NULL CHECK (balance_fen >= 0),
        contributions_fen bigint NOT NULL,
        payouts_fen bigint NOT NULL,
        version int NOT NULL DEFAULT 1,
        CHECK (balance_fen = contributions_fen - payouts_fen)
      )`);
    this.addSql('INSERT INTO fund (id, balance_fen, contributions_fen, payouts_fen) VALUES (1, 0, 0, 0)');
    this.addSql(`
      CREATE TABLE fund_entry (
        seq bigserial PRIMARY KEY,
        kind varchar(16) NOT NULL,
        amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
        balance_after_fen bigint NOT NULL CHECK (balance_after_fen >= 0),
        counterparty text NOT NULL,
        claim_id uuid NULL,
        entry_date date NOT NULL,
        document_ref text NOT NULL DEFAULT ''
      )`);
    this.addSql(`
      CREATE TABLE fund_claim (
        id uuid PRIMARY KEY,
        loan_id uuid NOT NULL CONSTRAINT fund_claim_loan_id_unique UNIQUE,
        disposal_id uuid NOT NULL,
        bank_credit_code varchar(18) NOT NULL,
        township_code varchar(9) NOT NULL,
        right_type varchar(64) NOT NULL,
        cause varchar(32) NOT NULL,
        principal_at_disposal_fen bigint NOT NULL,
        interest_at_disposal_fen bigint NOT NULL,
        proceeds_principal_fen bigint NOT NULL,
        proceeds_interest_fen bigint NOT NULL,
        recoveries_principal_fen bigint NOT NULL,
        recoveries_interest_fen bigint NOT NULL,
        net_principal_loss_fen bigint NOT NULL,
        net_interest_loss_fen bigint NOT NULL,
        principal_shares jsonb NOT NULL,
        interest_shares jsonb NOT NULL,
        fund_payout_fen bigint NOT NULL CHECK (fund_payout_fen >= 0),
        policy_version int NOT NULL,
        paid_on date NOT NULL,
        fund_balance_after_fen bigint NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK (principal_at_disposal_fen = proceeds_principal_fen + recoveries_principal_fen + net_principal_loss_fen),
        CHECK (interest_at_disposal_fen = proceeds_interest_fen + recoveries_interest_fen + net_interest_loss_fen)
      )`);

    // Certificate and application numbers: one counter per prefix, year and township.
    this.addSql(`
      CREATE TABLE number_sequence (
        name text PRIMARY KEY,
        last int NOT NULL
      )`);
  }
}
