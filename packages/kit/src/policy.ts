import type { PolicyServiceDefinition, PolicyVersion } from '@pingquan/contracts/pingquan/common/v1/policy';
import type { z } from 'zod';
import { type EntityManager, execInTransaction, inTransaction, type Orm } from './db.js';
import { InvalidInputError, NotFoundError, PermissionDeniedError } from './errors.js';
import type { ServiceHandlers } from './grpc.js';
import type { CommandContext } from './outbox.js';
import type { Principal, TrackName } from './principal.js';
import { currentTraceId } from './telemetry.js';

/** One policy a service declares: its name, the schema of its value, and the built-in default. */
export interface PolicyDefinition<T> {
  name: string;
  description: string;
  schema: z.ZodType<T>;
  defaultValue: T;
}

/** A policy value in effect, with where it came from. */
export interface EffectivePolicy<T> {
  name: string;
  version: number;
  effectiveFrom: string;
  value: T;
}

interface PolicyRow {
  name: string;
  version: number;
  effective_from: string;
  value: unknown;
  set_by: string;
  set_by_role: string;
  set_at: Date | string;
  reason: string;
  document_ref: string;
  trace_id: string;
}

const COLUMNS = `name, version, to_char(effective_from, 'YYYY-MM-DD') AS effective_from, value, set_by, set_by_role, set_at, reason, document_ref, trace_id`;

/**
 * The version of a policy in effect on a date: the highest version among those effective on or
 * before it; the built-in default (version 0) when none is.
 */
export async function policyOn<T>(
  em: EntityManager,
  def: PolicyDefinition<T>,
  date: string,
): Promise<EffectivePolicy<T>> {
  const rows = await execInTransaction<PolicyRow>(
    em,
    `SELECT ${COLUMNS} FROM pq_policy WHERE name = ? AND effective_from <= ?::date ORDER BY effective_from DESC, version DESC LIMIT 1`,
    [def.name, date],
  );
  const row = rows[0];
  if (!row) return { name: def.name, version: 0, effectiveFrom: '1970-01-01', value: def.defaultValue };
  return {
    name: def.name,
    version: row.version,
    effectiveFrom: row.effective_from,
    value: def.schema.parse(row.value),
  };
}

/** Records a new version of a policy; the value must satisfy the policy's schema. */
export async function setPolicy<T>(
  em: EntityManager,
  ctx: CommandContext,
  def: PolicyDefinition<T>,
  value: unknown,
  effectiveFrom: string,
): Promise<EffectivePolicy<T>> {
  const parsed = def.schema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(
      parsed.error.issues.map((i) => ({
        rule: 'POLICY_VALUE_INVALID',
        field: ['value', ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [`policy:${def.name}`]);
  const [{ next } = { next: 1 }] = await execInTransaction<{ next: number }>(
    em,
    'SELECT coalesce(max(version), 0) + 1 AS next FROM pq_policy WHERE name = ?',
    [def.name],
  );
  await execInTransaction(
    em,
    `INSERT INTO pq_policy (name, version, effective_from, value, set_by, set_by_role, reason, document_ref, trace_id)
     VALUES (?, ?, ?::date, ?::jsonb, ?, ?, ?, ?, ?)`,
    [
      def.name,
      next,
      effectiveFrom,
      JSON.stringify(parsed.data),
      ctx.principal.sub,
      ctx.principal.role,
      ctx.reason,
      ctx.documentRef,
      ctx.traceId,
    ],
  );
  return { name: def.name, version: Number(next), effectiveFrom, value: parsed.data };
}

function toMsg(row: PolicyRow): PolicyVersion {
  return {
    name: row.name,
    version: Number(row.version),
    effectiveFromDate: row.effective_from,
    valueJson: JSON.stringify(row.value),
    set: {
      actor: { subject: row.set_by, role: `ROLE_${row.set_by_role}` as never, displayName: '' },
      at: new Date(row.set_at),
      reason: row.reason,
      documentRef: row.document_ref,
      traceId: row.trace_id,
    },
  };
}

/**
 * The PolicyService handlers of a service. Only the lead unit of the service's track (or the
 * platform itself) may set policies; anyone who may read the track may read them.
 */
export function policyHandlers(
  orm: Orm,
  track: TrackName,
  definitions: PolicyDefinition<unknown>[],
  today: () => string,
): ServiceHandlers<typeof PolicyServiceDefinition> {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const find = (name: string) => {
    const def = byName.get(name);
    if (!def) throw new NotFoundError('policy', name);
    return def;
  };
  const mayRead = (p: Principal) =>
    [
      'LEADING_GROUP',
      'AUDITOR',
      'SERVICE',
      'LEAD_UNIT',
      'TOWNSHIP_OFFICIAL',
      'VILLAGE_TASK_FORCE',
      'COOPERATING_BANK',
    ].includes(p.role);
  return {
    async setPolicy(request, context) {
      const def = find(request.name);
      const p = context.principal;
      if (!(p.role === 'SERVICE' || (p.role === 'LEAD_UNIT' && p.track === track)))
        throw new PermissionDeniedError();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(request.effectiveFromDate)) {
        throw new InvalidInputError([
          {
            rule: 'DATE_FORMAT',
            field: 'effectiveFromDate',
            message: 'Give the date from which the policy applies (YYYY-MM-DD).',
          },
        ]);
      }
      let value: unknown;
      try {
        value = JSON.parse(request.valueJson);
      } catch {
        throw new InvalidInputError([
          { rule: 'POLICY_VALUE_JSON', field: 'valueJson', message: 'The policy value is not valid JSON.' },
        ]);
      }
      const reason = request.context?.reason?.trim() ?? '';
      const documentRef = request.context?.documentRef?.trim() ?? '';
      if (!reason && !documentRef) {
        throw new InvalidInputError([
          {
            rule: 'CHANGE_REASON_REQUIRED',
            field: 'context.reason',
            message: 'Give a reason or a document reference for the change.',
          },
        ]);
      }
      const ctx: CommandContext = {
        principal: p,
        reason,
        documentRef,
        traceId: currentTraceId(),
        now: new Date(),
      };
      await inTransaction(orm, (em) => setPolicy(em, ctx, def, value, request.effectiveFromDate));
      const versions = await listVersions(orm, def.name);
      return { policy: versions[versions.length - 1] };
    },
    async getPolicy(request, context) {
      if (!mayRead(context.principal)) throw new PermissionDeniedError();
      const def = find(request.name);
      const em = orm.em.fork();
      const effective = await policyOn(em, def, request.asOfDate || today());
      return {
        policy: {
          name: def.name,
          version: effective.version,
          effectiveFromDate: effective.effectiveFrom,
          valueJson: JSON.stringify(effective.value),
          set: undefined,
        },
      };
    },
    async listPolicyVersions(request, context) {
      if (!mayRead(context.principal)) throw new PermissionDeniedError();
      find(request.name);
      return { versions: await listVersions(orm, request.name) };
    },
  };
}

async function listVersions(orm: Orm, name: string): Promise<PolicyVersion[]> {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<PolicyRow[]>(`SELECT ${COLUMNS} FROM pq_policy WHERE name = ? ORDER BY version`, [name]);
  return rows.map(toMsg);
}
