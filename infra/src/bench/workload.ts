import { Events } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import type { IssuerRegistered } from '@pingquan/contracts/pingquan/land_contract/v1/events';
import type { Issuer } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  type Change,
  type CommandContext,
  ensureDatabase,
  inTransaction,
  kitMigrations,
  migrate,
  newId,
  type Orm,
  openDatabase,
  type Principal,
  recordChanges,
  roleEnum,
} from '@pingquan/kit';
import { landContractModule } from '@pingquan/land-contract';
import type pg from 'pg';

// The command measured everywhere: register an issuer (发包方) — one state row in land-contract's own
// `issuer` table, its IssuerRegistered event in the outbox and (through the kit) its audit entry.
// Both paths write to databases migrated by the same migrations, so the table shapes are identical.

export const BENCH_PRINCIPAL: Principal = {
  sub: 'bench:load',
  role: 'LEAD_UNIT',
  track: 'A',
  name: 'benchmark',
};
const ISSUER_REGISTERED = Events['land-contract'].IssuerRegistered;

/** The issuer row as land-contract's entity declares it (properties, not columns). */
interface IssuerState {
  id: string;
  code: string;
  creditCode: string;
  name: string;
  villageCode: string;
  townshipCode: string;
  version: number;
}

/** Unique codes per sequence number; no validation, the write path is what is measured. */
function issuerState(seq: number): IssuerState {
  return {
    id: newId(),
    code: String(seq).padStart(14, '0'),
    creditCode: `N2130881${String(seq).padStart(10, '0')}`,
    name: `基准测试村第${seq}股份经济合作社`,
    villageCode: '130881102201',
    townshipCode: '130881102',
    version: 1,
  };
}

function issuerMsg(s: IssuerState): Issuer {
  return { ...s };
}

function commandContext(now: Date): CommandContext {
  return { principal: BENCH_PRINCIPAL, reason: 'benchmark', documentRef: '', traceId: '', now };
}

/** A database migrated exactly like land-contract's (kit tables + the register). */
export async function openBenchDatabase(url: string, poolMax: number): Promise<Orm> {
  await ensureDatabase(url);
  const orm = await openDatabase(
    { url, poolMax, entities: landContractModule.entities, migrations: landContractModule.migrations },
    kitMigrations,
  );
  await migrate(orm);
  return orm;
}

/**
 * Through the kit, as a use case does it: a forked EntityManager, the entity created in the unit of
 * work, `recordChanges` for the outbox and audit rows, one transaction. Returns the event id.
 */
export async function kitCommand(orm: Orm, seq: number): Promise<string> {
  return inTransaction(orm, async (em) => {
    const state = issuerState(seq);
    em.create<IssuerState>('Issuer', state);
    const change: Change<IssuerRegistered> = {
      aggregateType: 'issuer',
      aggregateId: state.id,
      aggregateVersion: 1,
      townshipCode: state.townshipCode,
      action: 'issuer.registered',
      state: issuerMsg(state),
      event: { type: ISSUER_REGISTERED, payload: { issuer: issuerMsg(state) } },
    };
    const [eventId] = await recordChanges(em, commandContext(new Date()), [change]);
    return eventId ?? '';
  });
}

/**
 * Reference, not a use case: the state row alone through MikroORM's unit of work, with no outbox or
 * audit row. What the ORM costs before the kit adds anything, measured to show the floor.
 */
export async function ormStateOnlyCommand(orm: Orm, seq: number): Promise<void> {
  await inTransaction(orm, async (em) => {
    em.create<IssuerState>('Issuer', issuerState(seq));
  });
}

/** The same envelope bytes recordChanges would write, so the raw path does the same encoding work. */
function encodeEnvelope(eventId: string, state: IssuerState, now: Date): Buffer {
  return Buffer.from(
    EventEnvelope.encode({
      id: eventId,
      type: ISSUER_REGISTERED.typeName,
      occurredAt: now,
      aggregateType: 'issuer',
      aggregateId: state.id,
      aggregateVersion: 1,
      townshipCode: state.townshipCode,
      actor: {
        subject: BENCH_PRINCIPAL.sub,
        role: roleEnum(BENCH_PRINCIPAL),
        displayName: BENCH_PRINCIPAL.name ?? '',
      },
      trace: { traceparent: '', tracestate: '' },
      payload: Buffer.from(ISSUER_REGISTERED.codec.encode({ issuer: issuerMsg(state) }).finish()),
      reason: 'benchmark',
      documentRef: '',
    }).finish(),
  );
}

const INSERT_ISSUER = `INSERT INTO issuer (id, code, credit_code, name, village_code, township_code, version, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`;
const INSERT_OUTBOX = `INSERT INTO pq_outbox (id, subject, event_type, aggregate_type, aggregate_id, township_code, envelope, headers)
  VALUES ($1, $2, $3, 'issuer', $4, $5, $6, '{}')`;
const INSERT_AUDIT = `INSERT INTO pq_audit_log (aggregate_type, aggregate_id, aggregate_version, action, actor_subject, actor_role,
  at, effective_on, reason, document_ref, trace_id, event_id, state)
  VALUES ('issuer', $1, 1, 'issuer.registered', $2, $3, $4, NULL, 'benchmark', '', '', $5, $6)`;

/**
 * The bare baseline: plain `pg`, one pooled connection, BEGIN, the inserts, COMMIT. With `audit` it
 * also writes the audit row, i.e. exactly the rows the kit writes.
 */
export async function rawCommand(pool: pg.Pool, seq: number, audit: boolean): Promise<string> {
  const state = issuerState(seq);
  const now = new Date();
  const eventId = newId();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(INSERT_ISSUER, [
      state.id,
      state.code,
      state.creditCode,
      state.name,
      state.villageCode,
      state.townshipCode,
      state.version,
      now,
    ]);
    await client.query(INSERT_OUTBOX, [
      eventId,
      ISSUER_REGISTERED.subject,
      ISSUER_REGISTERED.typeName,
      state.id,
      state.townshipCode,
      encodeEnvelope(eventId, state, now),
    ]);
    if (audit) {
      await client.query(INSERT_AUDIT, [
        state.id,
        BENCH_PRINCIPAL.sub,
        BENCH_PRINCIPAL.role,
        now,
        eventId,
        JSON.stringify(issuerMsg(state)),
      ]);
    }
    await client.query('COMMIT');
    return eventId;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
