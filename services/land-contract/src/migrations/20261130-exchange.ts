import { Migration } from '@mikro-orm/migrations';

/**
 * What land-contract learns from the exchange centre (property-mortgage) besides mortgages: the
 * transaction certificate (交易鉴证书) that makes a circulation or a contract-right transfer official,
 * and the disposal (处置) of a mortgaged management right, which becomes the buyer's circulation.
 * Identifiers of the centre's records are text: they are another service's.
 */
export class Exchange20261130 extends Migration {
  override async up(): Promise<void> {
    // Nullable, so every row recorded before the centre announced anything stays valid as it is.
    this.addSql(`
      ALTER TABLE circulation
        ADD COLUMN certificate_no varchar(64) NULL,
        ADD COLUMN certified_on date NULL,
        ADD COLUMN deal_id varchar(64) NULL,
        ADD COLUMN disposal_id varchar(64) NULL`);
    // One buyer's circulation per disposal, whatever the delivery order: the database says so too.
    this.addSql(
      'CREATE UNIQUE INDEX circulation_disposal_id_unique ON circulation (disposal_id) WHERE disposal_id IS NOT NULL',
    );
    this.addSql(
      'CREATE INDEX circulation_certificate_no_index ON circulation (certificate_no) WHERE certificate_no IS NOT NULL',
    );
    this.addSql(`
      ALTER TABLE contract_transfer
        ADD COLUMN certificate_no varchar(64) NULL,
        ADD COLUMN certified_on date NULL,
        ADD COLUMN deal_id varchar(64) NULL`);

    // Every certified deal on a land management right that reached this service, keyed by the
    // centre's deal id (a deal announced twice is recorded once). matched_kind/matched_id name the
    // record it made official; review_reason is set instead when none could be found (the review
    // queue), and cleared when a later disposal event claims the certificate.
    this.addSql(`
      CREATE TABLE transaction_certificate (
        deal_id varchar(64) PRIMARY KEY,
        certificate_no varchar(64) NOT NULL,
        certified_on date NOT NULL,
        right_id varchar(64) NOT NULL,
        owner_record_id varchar(64) NOT NULL,
        mode varchar(40) NOT NULL,
        price_fen bigint NOT NULL,
        township_code varchar(9) NOT NULL,
        matched_kind varchar(24) NULL,
        matched_id varchar(64) NULL,
        review_reason varchar(64) NULL,
        review_note text NOT NULL DEFAULT '',
        event_id varchar(64) NOT NULL,
        received jsonb NOT NULL,
        version int NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((matched_kind IS NULL) <> (review_reason IS NULL))
      )`);
    this.addSql(
      'CREATE INDEX transaction_certificate_certificate_no_index ON transaction_certificate (certificate_no)',
    );
    this.addSql(
      'CREATE INDEX transaction_certificate_review_index ON transaction_certificate (township_code) WHERE review_reason IS NOT NULL',
    );

    // Every disposal of a land management right that reached this service, keyed by the centre's
    // disposal id: the buyer's circulation it became, or why it waits for review.
    this.addSql(`
      CREATE TABLE disposal_transfer (
        disposal_id varchar(64) PRIMARY KEY,
        mortgage_id varchar(64) NOT NULL,
        loan_id varchar(64) NOT NULL,
        right_id varchar(64) NOT NULL,
        contract_id uuid NULL,
        from_circulation_id varchar(64) NULL,
        circulation_id uuid NULL,
        method varchar(48) NOT NULL,
        price_fen bigint NOT NULL,
        completed_on date NOT NULL,
        transfer_term_end date NULL,
        certificate_no varchar(64) NOT NULL,
        township_code varchar(9) NOT NULL,
        review_reason varchar(64) NULL,
        review_note text NOT NULL DEFAULT '',
        event_id varchar(64) NOT NULL,
        received jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        CHECK ((circulation_id IS NULL) <> (review_reason IS NULL))
      )`);
    this.addSql('CREATE INDEX disposal_transfer_contract_id_index ON disposal_transfer (contract_id)');
    this.addSql(
      'CREATE INDEX disposal_transfer_review_index ON disposal_transfer (township_code) WHERE review_reason IS NOT NULL',
    );
  }
}
