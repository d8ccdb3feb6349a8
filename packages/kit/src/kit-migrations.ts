import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/**
 * Tables every service owns in its own database: the transactional outbox, the inbox of handled
 * events, command idempotency keys and the audit log.
 */
class KitTables20261126 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE pq_outbox (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        subject text NOT NULL,
        event_type text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        township_code text NOT NULL DEFAULT '',
        envelope bytea NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        published_at timestamptz
      )`);
    this.addSql('CREATE INDEX pq_outbox_unpublished ON pq_outbox (seq) WHERE published_at IS NULL');
    this.addSql(
      'CREATE INDEX pq_outbox_published_at ON pq_outbox (published_at) WHERE published_at IS NOT NULL',
    );
    // One notification per statement, delivered at commit: the relay wakes as soon as events exist.
    this.addSql(`
      CREATE FUNCTION pq_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('pq_outbox', ''); RETURN NULL; END $$`);
    this.addSql(
      'CREATE TRIGGER pq_outbox_notify AFTER INSERT ON pq_outbox FOR EACH STATEMENT EXECUTE FUNCTION pq_outbox_notify()',
    );
    this.addSql(`
      CREATE TABLE pq_inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        subject text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    this.addSql(`
      CREATE TABLE pq_idempotency (
        key text PRIMARY KEY,
        request_hash text NOT NULL,
        response bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE pq_audit_log (
        id bigserial PRIMARY KEY,
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        aggregate_version bigint NOT NULL,
        action text NOT NULL,
        actor_subject text NOT NULL,
        actor_role text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        effective_on date,
        reason text NOT NULL DEFAULT '',
        document_ref text NOT NULL DEFAULT '',
        trace_id text NOT NULL DEFAULT '',
        event_id uuid,
        state jsonb
      )`);
    this.addSql('CREATE INDEX pq_audit_log_aggregate ON pq_audit_log (aggregate_type, aggregate_id, id)');
  }
}

/** Versioned policies: every value the plan leaves open, with who set it, when and why. */
class KitPolicies20261126 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE pq_policy (
        name text NOT NULL,
        version int NOT NULL,
        effective_from date NOT NULL,
        value jsonb NOT NULL,
        set_by text NOT NULL,
        set_by_role text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL DEFAULT '',
        document_ref text NOT NULL DEFAULT '',
        trace_id text NOT NULL DEFAULT '',
        PRIMARY KEY (name, version)
      )`);
    this.addSql('CREATE INDEX pq_policy_effective ON pq_policy (name, effective_from DESC, version DESC)');
  }
}

/**
 * No NOTIFY inside writing transactions: PostgreSQL serialises the commits of notifying transactions
 * on a global lock. The relay is woken after commit instead (see OutboxRelay.committed).
 */
class KitOutboxWakeAfterCommit20261126 extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP TRIGGER IF EXISTS pq_outbox_notify ON pq_outbox');
    this.addSql('DROP FUNCTION IF EXISTS pq_outbox_notify()');
  }
}

export const kitMigrations: MigrationObject[] = [
  { name: 'KitTables20261126', class: KitTables20261126 },
  { name: 'KitPolicies20261126', class: KitPolicies20261126 },
  { name: 'KitOutboxWakeAfterCommit20261126', class: KitOutboxWakeAfterCommit20261126 },
];
