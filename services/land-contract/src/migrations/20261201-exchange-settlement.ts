import { Migration } from '@mikro-orm/migrations';

/**
 * Items of the exchange review queue can be settled by hand: who settled it, when, and what was done.
 * The reason it waited (review_reason) stays, so the record keeps its history; an item leaves the
 * queue when settled_at is set. Nullable columns: every existing row stays valid as it is.
 */
export class ExchangeSettlement20261201 extends Migration {
  override async up(): Promise<void> {
    for (const table of ['transaction_certificate', 'disposal_transfer']) {
      this.addSql(`
        ALTER TABLE ${table}
          ADD COLUMN settled_at timestamptz NULL,
          ADD COLUMN settled_by varchar(255) NULL,
          ADD COLUMN settlement text NULL,
          ADD CONSTRAINT ${table}_settled_under_review CHECK (settled_at IS NULL OR review_reason IS NOT NULL),
          ADD CONSTRAINT ${table}_settlement_complete CHECK ((settled_at IS NULL) = (settlement IS NULL))`);
    }
  }
}
