import {
  compareDates,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  todayInShanghai,
  violation,
} from '@pingquan/reference';
import type { Contract, Plot } from './model.js';

/** Who changed something: the authenticated principal and the role it acted in. */
export interface Actor {
  principal: string;
  role: string;
}

export type ContractChangeKind =
  | 'CREATED'
  | 'CORRECTED'
  | 'TERM_EXTENDED'
  | 'PLOTS_ADJUSTED'
  | 'PLOTS_EXCHANGED'
  | 'TRANSFERRED'
  | 'TRANSFER_RECEIVED'
  | 'SURRENDERED'
  | 'RECLAIMED'
  | 'TERMINATED';

/**
 * One recorded change of an aggregate: who, when, why (a reason or a document such as a resolution),
 * under which trace, and the state before and after. `effectiveOn` is the day the change takes legal
 * effect, which for a correction or a late entry differs from the day it was recorded (`at`).
 */
export interface AuditEntry<S, K extends string = string> {
  id: string;
  aggregateId: string;
  /** 1, 2, 3… per aggregate, in the order recorded. */
  seq: number;
  /** ISO 8601 instant with offset, e.g. `2024-08-01T09:30:00+08:00`. */
  at: string;
  effectiveOn: LocalDate;
  actor: Actor;
  reason?: string;
  documentRef?: string;
  traceId: string;
  kind: K;
  before: S | null;
  after: S;
}

export type ContractAuditEntry = AuditEntry<Contract, ContractChangeKind>;

/** The calendar day in Asia/Shanghai of a recorded instant: the default effective day of a change. */
export function shanghaiDateOf(at: string): LocalDate | undefined {
  const time = Date.parse(at);
  return Number.isNaN(time) ? undefined : todayInShanghai(new Date(time));
}

/** Every reason an entry can't stand as audit: who, why, trace and snapshots are all required. */
export function validateAuditEntry<S>(entry: AuditEntry<S>, field = 'audit'): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (entry.actor.principal.trim() === '' || entry.actor.role.trim() === '') {
    v.push(violation('AUDIT_ACTOR_REQUIRED', `${field}.actor`, 'A change records its principal and role.'));
  }
  if ((entry.reason ?? '').trim() === '' && (entry.documentRef ?? '').trim() === '') {
    v.push(
      violation(
        'AUDIT_REASON_REQUIRED',
        `${field}.reason`,
        'A change records why: a reason, or a document such as a meeting resolution.',
      ),
    );
  }
  if (entry.traceId.trim() === '') {
    v.push(
      violation('AUDIT_TRACE_ID_REQUIRED', `${field}.traceId`, 'A change records the trace it happened in.'),
    );
  }
  if (shanghaiDateOf(entry.at) === undefined) {
    v.push(violation('AUDIT_INSTANT_INVALID', `${field}.at`, `'${entry.at}' is not an ISO 8601 instant.`));
  }
  if (!isLocalDate(entry.effectiveOn)) {
    v.push(
      violation('DATE_INVALID', `${field}.effectiveOn`, `'${entry.effectiveOn}' is not a YYYY-MM-DD date.`),
    );
  }
  if ((entry.kind === 'CREATED') !== (entry.before === null)) {
    v.push(
      violation(
        'AUDIT_SNAPSHOT_REQUIRED',
        `${field}.before`,
        'Only a creation has no before-state; every other change records it.',
      ),
    );
  }
  return v;
}

/** Entries of one aggregate numbered 1…n without gaps, each starting from the state the last one left. */
export function verifyHistory<S>(history: readonly AuditEntry<S>[]): RuleViolation[] {
  const v: RuleViolation[] = [];
  const sorted = [...history].sort((a, b) => a.seq - b.seq);
  sorted.forEach((entry, i) => {
    if (entry.aggregateId !== sorted[0]?.aggregateId) {
      v.push(violation('HISTORY_AGGREGATE_MIXED', `history[${i}]`, 'A history belongs to one aggregate.'));
    }
    if (entry.seq !== i + 1) {
      v.push(
        violation(
          'HISTORY_SEQUENCE_GAP',
          `history[${i}].seq`,
          `Expected entry ${i + 1}, found ${entry.seq}.`,
        ),
      );
    }
    const previous = sorted[i - 1];
    if (previous !== undefined && !deepEqual(previous.after, entry.before)) {
      v.push(
        violation(
          'HISTORY_CHAIN_BROKEN',
          `history[${i}].before`,
          `Entry ${entry.seq} does not start from the state entry ${previous.seq} left.`,
        ),
      );
    }
  });
  return v;
}

/** What one entry changed: top-level fields set or cleared, plots (by code) removed or put. */
interface ContractChange {
  set: Partial<Contract>;
  cleared: (keyof Contract)[];
  plotsRemoved: string[];
  plotsPut: Plot[];
}

function diffContract(before: Contract | null, after: Contract): ContractChange {
  if (before === null) {
    return { set: { ...after }, cleared: [], plotsRemoved: [], plotsPut: [...after.plots] };
  }
  const set: Partial<Contract> = {};
  const cleared: (keyof Contract)[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)] as (keyof Contract)[]);
  for (const key of keys) {
    if (key === 'plots') continue;
    if (after[key] === undefined) {
      if (before[key] !== undefined) cleared.push(key);
    } else if (!deepEqual(before[key], after[key])) {
      Object.assign(set, { [key]: after[key] });
    }
  }
  const afterCodes = new Set(after.plots.map((p) => p.code));
  return {
    set,
    cleared,
    plotsRemoved: before.plots.filter((p) => !afterCodes.has(p.code)).map((p) => p.code),
    plotsPut: after.plots.filter(
      (p) =>
        !deepEqual(
          before.plots.find((b) => b.code === p.code),
          p,
        ),
    ),
  };
}

function applyChange(state: Contract, change: ContractChange): Contract {
  const base: Contract = { ...state, ...change.set };
  for (const key of change.cleared) delete base[key];
  const removed = new Set(change.plotsRemoved);
  const plots = base.plots.filter((p) => !removed.has(p.code));
  for (const put of change.plotsPut) {
    const at = plots.findIndex((p) => p.code === put.code);
    if (at >= 0) plots[at] = put;
    else plots.push(put);
  }
  return { ...base, plots };
}

/**
 * The contract as it stood on `date`, or `undefined` if it did not yet exist. Each entry's change —
 * not its whole after-snapshot — is replayed in order of legal effect (then of recording), so a
 * correction back-dated to an earlier day shows up from that day without dragging later amendments
 * (an extension, an adjustment) back in time with it.
 */
export function contractAsOf(history: readonly ContractAuditEntry[], date: LocalDate): Contract | undefined {
  const ordered = [...history].sort((a, b) => compareDates(a.effectiveOn, b.effectiveOn) || a.seq - b.seq);
  let state: Contract | undefined;
  for (const entry of ordered) {
    if (compareDates(entry.effectiveOn, date) > 0) break;
    // A history that starts mid-life (imported from an older system) starts from its first before-state.
    const from = state ?? entry.before;
    state = from === null ? entry.after : applyChange(from, diffContract(entry.before, entry.after));
  }
  return state;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const key of keys) if (!deepEqual(ra[key], rb[key])) return false;
  return true;
}
