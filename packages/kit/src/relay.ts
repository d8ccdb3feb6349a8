import { type JetStreamClient, jetstream } from '@nats-io/jetstream';
import { SpanKind } from '@opentelemetry/api';
import pg from 'pg';
import type { Orm } from './db.js';
import type { Logger } from './logger.js';
import { type NatsConnection, prefixed, toNatsHeaders } from './nats.js';
import { transactionWroteOutbox } from './outbox.js';
import { type Carrier, extractContext, injectContext, meter, withSpan } from './telemetry.js';

export interface RelayOptions {
  databaseUrl: string;
  nc: NatsConnection;
  logger: Logger;
  subjectPrefix: string;
  batchSize: number;
  pollIntervalMs: number;
  retentionHours: number;
  /** Longest pause between attempts after failures. */
  maxBackoffMs?: number;
}

interface OutboxRow {
  seq: string;
  id: string;
  subject: string;
  event_type: string;
  aggregate_id: string;
  township_code: string;
  envelope: Buffer;
  headers: Carrier;
  created_at: Date;
}

// A publish in flight when NATS dies would otherwise hold the whole round for long; a short timeout
// lets the round fail and retry (the message id makes the retry safe).
const PUBLISH_TIMEOUT_MS = 3_000;

// The same key in every service is fine: each service has its own database.
const LEADER_LOCK_KEY = 7_161_953;

/**
 * Publishes committed outbox rows to JetStream. Each message carries `Nats-Msg-Id` = event id, so a
 * row published twice (the relay died after the publish but before marking it) is dropped by
 * JetStream's duplicate window, and consumers' inboxes catch anything older.
 *
 * Order: rows are read oldest first and at most one row per aggregate is in flight per round, so a
 * failed publish can never let a later event of the same aggregate overtake it. Only one relay per
 * database publishes at a time (a PostgreSQL advisory lock), so replicas do not interleave.
 * Wake-up: a command that wrote outbox rows wakes the relay of its own process as soon as it commits
 * (`committed()`), and sends one coalesced NOTIFY after its commit, which the leader relay — maybe in
 * another replica — receives through LISTEN. Polling is the fallback. The NOTIFY is deliberately not
 * sent inside the writing transaction (no trigger): PostgreSQL holds a cluster-wide lock from a
 * notifying transaction's commit until it is flushed, which serialised every command's commit.
 */
export class OutboxRelay {
  private client: pg.Client | undefined;
  private leader = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** Set by a wake-up that arrives while a round is running, so the next sleep does not lose it. */
  private wakePending = false;
  private notifier: pg.Client | undefined;
  private notifyInFlight = false;
  private notifyAgain = false;
  private lastPrune = 0;
  private oldestPendingMs = 0;
  private readonly js: JetStreamClient;
  private readonly published = meter().createCounter('pq_outbox_published_total', {
    description: 'Outbox events published to JetStream',
  });
  private readonly duplicates = meter().createCounter('pq_outbox_duplicates_total', {
    description: 'Publishes JetStream reported as duplicates (already stored earlier)',
  });
  private readonly failures = meter().createCounter('pq_outbox_publish_failures_total');
  publishedCount = 0;

  constructor(private readonly options: RelayOptions) {
    this.js = jetstream(options.nc, { timeout: PUBLISH_TIMEOUT_MS });
    meter()
      .createObservableGauge('pq_outbox_lag_seconds', {
        description: 'Age of the oldest unpublished outbox event at the last read',
      })
      .addCallback((result) => result.observe(this.oldestPendingMs / 1000));
  }

  start(): void {
    this.stopping = false;
    this.loop = this.run();
  }

  /** Lets the current batch finish, then releases the leader lock. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.closeClient();
    const notifier = this.notifier;
    this.notifier = undefined;
    await notifier?.end().catch(() => undefined);
  }

  /**
   * A transaction that wrote outbox rows has committed in this process: wake this relay now, and tell
   * the leader relay (wherever it runs) with one NOTIFY — at most one in flight, coalescing bursts.
   */
  committed(): void {
    this.signal();
    // The leader is this process: it is awake already, nobody else needs telling.
    if (this.leader) return;
    if (this.notifyInFlight) {
      this.notifyAgain = true;
      return;
    }
    this.notifyInFlight = true;
    void this.sendNotify().finally(() => {
      this.notifyInFlight = false;
      if (this.notifyAgain && !this.stopping) {
        this.notifyAgain = false;
        this.committed();
      }
    });
  }

  private signal(): void {
    this.wakePending = true;
    this.wake?.();
  }

  private async sendNotify(): Promise<void> {
    if (this.stopping) return;
    try {
      if (!this.notifier) {
        const client = new pg.Client({
          connectionString: this.options.databaseUrl,
          application_name: 'pq-outbox-notify',
        });
        client.on('error', () => {
          this.notifier = undefined;
        });
        await client.connect();
        this.notifier = client;
      }
      await this.notifier.query("SELECT pg_notify('pq_outbox', '')");
    } catch (error) {
      // Polling will still find the rows; a failed wake-up only costs latency.
      this.options.logger.debug({ err: error }, 'outbox notify failed');
      const broken = this.notifier;
      this.notifier = undefined;
      await broken?.end().catch(() => undefined);
    }
  }

  /** Age in milliseconds of the oldest unpublished event seen at the last read. */
  get lagMs(): number {
    return this.oldestPendingMs;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    const maxBackoff = this.options.maxBackoffMs ?? 10_000;
    while (!this.stopping) {
      try {
        if (!this.leader) {
          await this.connect();
          if (!this.leader) {
            await this.sleep(this.options.pollIntervalMs * 2);
            continue;
          }
        }
        const more = await this.publishBatch();
        backoff = 100;
        await this.prune();
        if (!more) await this.sleep(this.options.pollIntervalMs);
      } catch (error) {
        this.failures.add(1);
        this.options.logger.warn({ err: error, backoffMs: backoff }, 'outbox relay round failed; retrying');
        if (this.client && isConnectionError(error)) await this.closeClient();
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }

  private async connect(): Promise<void> {
    if (!this.client) {
      const client = new pg.Client({
        connectionString: this.options.databaseUrl,
        application_name: 'pq-outbox-relay',
      });
      client.on('error', (error) => {
        this.options.logger.warn({ err: error }, 'outbox relay database connection lost');
        this.leader = false;
        this.client = undefined;
        this.wake?.();
      });
      client.on('notification', () => this.signal());
      await client.connect();
      this.client = client;
    }
    const res = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      LEADER_LOCK_KEY,
    ]);
    this.leader = res.rows[0]?.locked === true;
    if (this.leader) {
      await this.client.query('LISTEN pq_outbox');
      this.options.logger.info('outbox relay is the leader for this database');
    }
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async publishBatch(): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    // Anything committed after this point is seen by the next round.
    this.wakePending = false;
    const { rows } = await client.query<OutboxRow>(
      `SELECT seq, id, subject, event_type, aggregate_id, township_code, envelope, headers, created_at
       FROM pq_outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
      [this.options.batchSize],
    );
    if (rows.length === 0) {
      this.oldestPendingMs = 0;
      return false;
    }
    this.oldestPendingMs = Date.now() - (rows[0]?.created_at.getTime() ?? Date.now());
    const seen = new Set<string>();
    const batch = rows.filter((r) => {
      if (seen.has(r.aggregate_id)) return false;
      seen.add(r.aggregate_id);
      return true;
    });
    // Publishes are pipelined on one connection; JetStream stores them in send order.
    const results = await Promise.allSettled(batch.map((row) => this.publish(row)));
    const done = batch.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id);
    if (done.length > 0) {
      await client.query('UPDATE pq_outbox SET published_at = now() WHERE id = ANY($1::uuid[])', [done]);
      this.publishedCount += done.length;
      this.published.add(done.length);
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return rows.length === this.options.batchSize || batch.length < rows.length;
  }

  private async publish(row: OutboxRow): Promise<void> {
    const subject = prefixed(this.options.subjectPrefix, row.subject);
    await withSpan(
      `publish ${row.subject}`,
      {
        kind: SpanKind.PRODUCER,
        parent: extractContext(row.headers),
        attributes: {
          'messaging.system': 'nats',
          'messaging.destination.name': subject,
          'messaging.message.id': row.id,
        },
      },
      async () => {
        const headers = toNatsHeaders({
          ...injectContext(),
          'Pq-Event-Type': row.event_type,
          'Pq-Township': row.township_code,
        });
        const ack = await this.js.publish(subject, row.envelope, {
          msgID: row.id,
          headers,
          timeout: PUBLISH_TIMEOUT_MS,
        });
        if (ack.duplicate) this.duplicates.add(1);
      },
    );
  }

  private async prune(): Promise<void> {
    if (!this.client || Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.client.query(
      `DELETE FROM pq_outbox WHERE published_at IS NOT NULL AND published_at < now() - $1 * interval '1 hour'`,
      [this.options.retentionHours],
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    if (this.wakePending) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  const message = String((error as Error).message ?? '');
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    message.includes('Connection terminated') ||
    message.includes('Client was closed') ||
    message.includes('not queryable')
  );
}

/** Wakes the relay the moment a transaction of this ORM that wrote outbox rows commits. */
export function wakeRelayOnCommit(orm: Orm, relay: OutboxRelay): void {
  orm.em.getEventManager().registerSubscriber({
    afterTransactionCommit: (args) => {
      if (transactionWroteOutbox(args.transaction)) relay.committed();
    },
  });
}
