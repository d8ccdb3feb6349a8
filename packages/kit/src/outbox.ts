import type { EventType } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import type { Role } from '@pingquan/contracts/pingquan/common/v1/types';
import { type EntityManager, execBound } from './db.js';
import { newId } from './ids.js';
import type { Principal } from './principal.js';
import { injectContext } from './telemetry.js';

/**
 * Transactions that wrote outbox rows; the service host wakes the relay when one of them commits.
 * Keyed by the transaction object MikroORM passes to its afterTransactionCommit event.
 */
const wroteOutbox = new WeakSet<object>();

export function transactionWroteOutbox(transaction: unknown): boolean {
  // Knex transactions are callable objects: typeof says 'function'.
  return (
    (typeof transaction === 'object' || typeof transaction === 'function') &&
    transaction !== null &&
    wroteOutbox.has(transaction)
  );
}

/** Who is changing what, and why: carried through a use case into the audit log and the events. */
export interface CommandContext {
  principal: Principal;
  reason: string;
  documentRef: string;
  traceId: string;
  now: Date;
}

/** One change to one aggregate: the audit entry, and optionally the event it publishes. */
export interface Change<T = unknown> {
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  /** 9-digit township code the aggregate belongs to ('' when city-wide). */
  townshipCode: string;
  /** What happened, e.g. `contract.registered`. */
  action: string;
  /** Snapshot of the aggregate after the change, for history and as-of reads. */
  state?: unknown;
  /** Calendar date from which the change takes legal effect, when it differs from today. */
  effectiveOn?: string;
  event?: { type: EventType<T>; payload: T };
}

export function roleEnum(principal: Principal): Role {
  return `ROLE_${principal.role}` as Role;
}

interface OutboxRow {
  id: string;
  subject: string;
  event_type: string;
  aggregate_type: string;
  aggregate_id: string;
  township_code: string;
  envelope: Uint8Array;
  headers: Record<string, string>;
}

interface AuditRow {
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: number;
  action: string;
  actor_subject: string;
  actor_role: string;
  at: string;
  effective_on: string | null;
  reason: string;
  document_ref: string;
  trace_id: string;
  event_id: string | null;
  state: unknown;
}

const OUTBOX_COLUMNS =
  'id, subject, event_type, aggregate_type, aggregate_id, township_code, envelope, headers';
const AUDIT_COLUMNS = `aggregate_type, aggregate_id, aggregate_version, action, actor_subject, actor_role, at,
  effective_on, reason, document_ref, trace_id, event_id, state`;

function outboxValues(r: OutboxRow): unknown[] {
  return [
    r.id,
    r.subject,
    r.event_type,
    r.aggregate_type,
    r.aggregate_id,
    r.township_code,
    Buffer.from(r.envelope.buffer, r.envelope.byteOffset, r.envelope.byteLength),
    JSON.stringify(r.headers),
  ];
}

function auditValues(r: AuditRow): unknown[] {
  return [
    r.aggregate_type,
    r.aggregate_id,
    r.aggregate_version,
    r.action,
    r.actor_subject,
    r.actor_role,
    r.at,
    r.effective_on,
    r.reason,
    r.document_ref,
    r.trace_id,
    r.event_id,
    r.state === null ? null : JSON.stringify(r.state),
  ];
}

// The usual command changes one aggregate: plain VALUES with bound parameters, the envelope as bytea.
const placeholders = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
const ONE_AUDIT = `INSERT INTO pq_audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(1, 12)}, $13::jsonb)`;
const ONE_OUTBOX_ONE_AUDIT = `WITH outbox AS (
    INSERT INTO pq_outbox (${OUTBOX_COLUMNS}) VALUES (${placeholders(1, 7)}, $8::jsonb)
  )
  INSERT INTO pq_audit_log (${AUDIT_COLUMNS}) VALUES (${placeholders(9, 12)}, $21::jsonb)`;

// Bulk paths (a batch chunk, an import) change many: one JSON record set per table, still one statement.
const manyAudit = (param: string) => `INSERT INTO pq_audit_log (${AUDIT_COLUMNS})
  SELECT ${AUDIT_COLUMNS}
  FROM jsonb_to_recordset(${param}::jsonb) AS r(aggregate_type text, aggregate_id text, aggregate_version bigint,
       action text, actor_subject text, actor_role text, at timestamptz, effective_on date, reason text,
       document_ref text, trace_id text, event_id uuid, state jsonb)`;
const MANY_AUDIT = manyAudit('$1');
const MANY_OUTBOX_MANY_AUDIT = `WITH outbox AS (
    INSERT INTO pq_outbox (${OUTBOX_COLUMNS})
    SELECT r.id, r.subject, r.event_type, r.aggregate_type, r.aggregate_id, r.township_code,
           decode(r.envelope, 'base64'), r.headers
    FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, subject text, event_type text, aggregate_type text,
         aggregate_id text, township_code text, envelope text, headers jsonb)
  )
  ${manyAudit('$2')}`;

/**
 * Writes audit entries and outbox events in the caller's transaction, so a change and its events
 * commit together or not at all: one statement for both tables however many changes there are, with
 * bound parameters (values are never escaped into the SQL text).
 */
export async function recordChanges(
  em: EntityManager,
  ctx: CommandContext,
  changes: Change[],
): Promise<string[]> {
  if (changes.length === 0) return [];
  const carrier = injectContext();
  const outbox: OutboxRow[] = [];
  const audit: AuditRow[] = [];
  const eventIds: string[] = [];
  for (const change of changes) {
    let eventId: string | null = null;
    if (change.event) {
      eventId = newId();
      eventIds.push(eventId);
      const { type, payload } = change.event;
      const envelope = EventEnvelope.encode({
        id: eventId,
        type: type.typeName,
        occurredAt: ctx.now,
        aggregateType: change.aggregateType,
        aggregateId: change.aggregateId,
        aggregateVersion: change.aggregateVersion,
        townshipCode: change.townshipCode,
        actor: {
          subject: ctx.principal.sub,
          role: roleEnum(ctx.principal),
          displayName: ctx.principal.name ?? '',
        },
        trace: { traceparent: carrier['traceparent'] ?? '', tracestate: carrier['tracestate'] ?? '' },
        payload: Buffer.from(type.codec.encode(payload).finish()),
        reason: ctx.reason,
        documentRef: ctx.documentRef,
      }).finish();
      outbox.push({
        id: eventId,
        subject: type.subject,
        event_type: type.typeName,
        aggregate_type: change.aggregateType,
        aggregate_id: change.aggregateId,
        township_code: change.townshipCode,
        envelope,
        headers: carrier,
      });
    }
    audit.push({
      aggregate_type: change.aggregateType,
      aggregate_id: change.aggregateId,
      aggregate_version: change.aggregateVersion,
      action: change.action,
      actor_subject: ctx.principal.sub,
      actor_role: ctx.principal.role,
      at: ctx.now.toISOString(),
      effective_on: change.effectiveOn ?? null,
      reason: ctx.reason,
      document_ref: ctx.documentRef,
      trace_id: ctx.traceId,
      event_id: eventId,
      state: change.state ?? null,
    });
  }
  const [onlyAudit] = audit;
  const [onlyOutbox] = outbox;
  if (audit.length === 1 && onlyAudit && outbox.length <= 1) {
    if (onlyOutbox)
      await execBound(em, ONE_OUTBOX_ONE_AUDIT, [...outboxValues(onlyOutbox), ...auditValues(onlyAudit)]);
    else await execBound(em, ONE_AUDIT, auditValues(onlyAudit));
  } else if (outbox.length > 0) {
    const outboxJson = outbox.map((r) => ({ ...r, envelope: Buffer.from(r.envelope).toString('base64') }));
    await execBound(em, MANY_OUTBOX_MANY_AUDIT, [JSON.stringify(outboxJson), JSON.stringify(audit)]);
  } else {
    await execBound(em, MANY_AUDIT, [JSON.stringify(audit)]);
  }
  if (outbox.length > 0) {
    const transaction = em.getTransactionContext();
    if (transaction) wroteOutbox.add(transaction);
  }
  return eventIds;
}

export interface AuditEntry {
  id: number;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  action: string;
  actorSubject: string;
  actorRole: string;
  at: Date;
  effectiveOn: string | null;
  reason: string;
  documentRef: string;
  traceId: string;
  eventId: string | null;
  state: unknown;
}

/** The history of one aggregate, oldest first. */
export async function readHistory(
  em: EntityManager,
  aggregateType: string,
  aggregateId: string,
): Promise<AuditEntry[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `SELECT id, aggregate_type, aggregate_id, aggregate_version, action, actor_subject, actor_role, at,
            to_char(effective_on, 'YYYY-MM-DD') AS effective_on, reason, document_ref, trace_id, event_id, state
     FROM pq_audit_log WHERE aggregate_type = ? AND aggregate_id = ? ORDER BY id`,
    [aggregateType, aggregateId],
  );
  return rows.map((r) => ({
    id: Number(r['id']),
    aggregateType: String(r['aggregate_type']),
    aggregateId: String(r['aggregate_id']),
    aggregateVersion: Number(r['aggregate_version']),
    action: String(r['action']),
    actorSubject: String(r['actor_subject']),
    actorRole: String(r['actor_role']),
    at: new Date(String(r['at'])),
    effectiveOn: (r['effective_on'] as string | null) ?? null,
    reason: String(r['reason']),
    documentRef: String(r['document_ref']),
    traceId: String(r['trace_id']),
    eventId: (r['event_id'] as string | null) ?? null,
    state: r['state'],
  }));
}
