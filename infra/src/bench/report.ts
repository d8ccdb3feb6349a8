import type { IdleResult } from './idle-rss.js';
import type { LatencyResult } from './latency.js';
import type { Machine } from './machine.js';
import type { PathResult } from './outbox-throughput.js';
import type { PairsResult } from './pairs.js';

// The targets of issue 2, checked against figures of the same run.
export const TARGETS = {
  outboxRatio: 0.5,
  p99Ms: 50,
  idleRssMB: 150,
} as const;

export interface BenchReport {
  machine: Machine;
  /** What-if PostgreSQL settings of the run; empty for a default run. */
  settings: Record<string, string>;
  outbox?: PathResult[];
  latency?: LatencyResult;
  idle?: IdleResult[];
  pairs?: PairsResult;
}

type Row = [string, string, string, string, string, string];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

function outboxRows(results: PathResult[]): Row[] {
  const baseline = results.find((r) => r.path === 'raw pg, 2 inserts');
  const same = results.find((r) => r.path === 'raw pg, 3 inserts');
  const rows: Row[] = [];
  for (const r of results) {
    const lat = `p50 ${r.latency.p50} / p99 ${r.latency.p99} ms, ${r.nodeCpuUsPerCommand} µs Node CPU/cmd`;
    if (r.path === 'kit' && baseline) {
      const ratio = r.opsPerSec / baseline.opsPerSec;
      rows.push([
        'outbox write: kit vs raw pg, 2 inserts',
        `${fmt(r.opsPerSec)} ops/s (${lat})`,
        `${fmt(baseline.opsPerSec)} ops/s`,
        `${(ratio * 100).toFixed(1)}%`,
        `≥ ${TARGETS.outboxRatio * 100}%`,
        yes(ratio >= TARGETS.outboxRatio),
      ]);
      if (same) {
        rows.push([
          'outbox write: kit vs raw pg, same 3 rows',
          `${fmt(r.opsPerSec)} ops/s`,
          `${fmt(same.opsPerSec)} ops/s`,
          `${((r.opsPerSec / same.opsPerSec) * 100).toFixed(1)}%`,
          '(reference)',
          '',
        ]);
      }
    } else if (r.path.startsWith('MikroORM alone') && baseline) {
      rows.push([
        `outbox write: ${r.path} vs raw pg, 2 inserts`,
        `${fmt(r.opsPerSec)} ops/s (${lat})`,
        `${fmt(baseline.opsPerSec)} ops/s`,
        `${((r.opsPerSec / baseline.opsPerSec) * 100).toFixed(1)}%`,
        '(floor)',
        '',
      ]);
    } else {
      rows.push([`outbox write: ${r.path}`, `${fmt(r.opsPerSec)} ops/s (${lat})`, '', '', '', '']);
    }
  }
  return rows;
}

function latencyRows(l: LatencyResult): Row[] {
  const p = (x: LatencyResult['effect']) => `p50 ${x.p50} / p95 ${x.p95} / p99 ${x.p99} ms (max ${x.max})`;
  return [
    [
      `commit → consumer effect committed @ ${l.rate}/s`,
      p(l.effect),
      '',
      '',
      `p99 ≤ ${TARGETS.p99Ms} ms`,
      yes(l.effect.p99 <= TARGETS.p99Ms && l.lost === 0 && l.doubled === 0),
    ],
    [`commit → consumer handler entered @ ${l.rate}/s`, p(l.delivered), '', '', '', ''],
    [`producer command (kit transaction)`, p(l.command), '', '', '', ''],
    [
      'events measured / lost / doubled',
      `${l.measured} / ${l.lost} / ${l.doubled}`,
      '',
      '',
      '0 lost, 0 doubled',
      yes(l.lost === 0 && l.doubled === 0),
    ],
    ['generator lateness vs schedule', p(l.scheduleLag), '', '', '', ''],
  ];
}

function idleRows(results: IdleResult[]): Row[] {
  return results.map((r) => [
    `idle RSS, land-contract (${r.builtAt ? `compiled dist, built ${r.builtAt.slice(0, 16)}` : 'tsx, as pnpm start runs it'})`,
    `${r.rssMB} MB = ${r.rssMiB} MiB (peak ${r.peakMiB} MiB, start-up ${r.startupMs} ms)`,
    r.childrenMiB > 0 ? `+ ${r.childrenMiB} MiB children` : '',
    '',
    `< ${TARGETS.idleRssMB} MB`,
    yes(r.rssMB < TARGETS.idleRssMB),
  ]);
}

function pairsRows(r: PairsResult): Row[] {
  const p = (x: PairsResult['first']) => `p50 ${x.p50} / p99 ${x.p99} ms (max ${x.max})`;
  return [
    [`commit → published, idle relay (${r.pairs} events)`, p(r.first), '', '', '', ''],
    [
      'commit → published, 2nd of a pair 1–4 ms later',
      p(r.second),
      '',
      '',
      'no missed wake-up',
      `${yes(r.missedWakeups === 0)} (${r.missedWakeups} waited ≥ ${r.pollIntervalMs / 2} ms)`,
    ],
  ];
}

export function renderTable(report: BenchReport): string {
  const rows: Row[] = [
    ['benchmark', 'result', 'same-run baseline', 'ratio', 'target', 'met'],
    ...(report.outbox ? outboxRows(report.outbox) : []),
    ...(report.latency ? latencyRows(report.latency) : []),
    ...(report.idle ? idleRows(report.idle) : []),
    ...(report.pairs ? pairsRows(report.pairs) : []),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
  const line = (r: Row) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const [head, ...body] = rows;
  return [head ? line(head) : '', rule, ...body.map(line)].join('\n');
}
