import { performance } from 'node:perf_hooks';
import type { Orm } from '@pingquan/kit';
import pg from 'pg';
import { latencyHistogram, type Percentiles, percentilesMs } from './histogram.js';
import { kitCommand, openBenchDatabase, ormStateOnlyCommand, rawCommand } from './workload.js';

/** raw2 / raw3: plain pg; kit: the kit's command path; orm: MikroORM writing the state row alone. */
export type OutboxPathName = 'raw2' | 'raw3' | 'kit' | 'orm';
export const OUTBOX_PATHS: readonly OutboxPathName[] = ['raw2', 'raw3', 'kit', 'orm'];

export interface OutboxBenchOptions {
  pgUrl: string;
  commands: number;
  concurrency: number;
  warmup: number;
  /** Measurement is split into this many rounds, the paths alternating, so drift hits all alike. */
  rounds: number;
  /** Which paths to run (all by default; one alone is useful under a profiler). */
  only?: readonly OutboxPathName[];
  log(line: string): void;
}

export interface PathResult {
  path: string;
  description: string;
  commands: number;
  seconds: number;
  opsPerSec: number;
  latency: Percentiles;
  /** CPU time of this Node process per command (user + system), µs: the client-side cost. */
  nodeCpuUsPerCommand: number;
  /** Rows found afterwards: state, outbox, audit (proof the work was done). */
  rows: { state: number; outbox: number; audit: number };
}

interface Path {
  path: string;
  description: string;
  run(seq: number): Promise<unknown>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}

function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function rawPath(pgUrl: string, name: string, concurrency: number, audit: boolean): Promise<Path> {
  const url = databaseUrl(pgUrl, name);
  // Migrated by the same migrations as the kit's database, then used with plain pg only.
  const orm = await openBenchDatabase(url, 1);
  await orm.close(true);
  const pool = new pg.Pool({ connectionString: url, max: concurrency });
  return {
    path: audit ? 'raw pg, 3 inserts' : 'raw pg, 2 inserts',
    description: audit
      ? 'BEGIN; INSERT issuer; INSERT pq_outbox; INSERT pq_audit_log; COMMIT (the rows the kit writes)'
      : 'BEGIN; INSERT issuer; INSERT pq_outbox; COMMIT (the issue’s baseline)',
    run: (seq) => rawCommand(pool, seq, audit),
    count: async (table) => Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n),
    close: () => pool.end(),
  };
}

async function kitPath(pgUrl: string, concurrency: number, stateOnly: boolean): Promise<Path> {
  const orm: Orm = await openBenchDatabase(
    databaseUrl(pgUrl, stateOnly ? 'bench_orm' : 'bench_kit'),
    concurrency,
  );
  return {
    path: stateOnly ? 'MikroORM alone, state row only' : 'kit',
    description: stateOnly
      ? 'inTransaction: em.create(Issuer), no outbox or audit row (the floor every kit on MikroORM starts from)'
      : 'inTransaction: em.create(Issuer) + recordChanges (outbox + audit)',
    run: (seq) => (stateOnly ? ormStateOnlyCommand(orm, seq) : kitCommand(orm, seq)),
    count: async (table) =>
      Number(
        (await orm.em.getConnection().execute<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0]?.n,
      ),
    close: () => orm.close(true),
  };
}

/** Closed loop: `concurrency` workers, each starting its next command when the last one committed. */
async function drive(
  path: Path,
  firstSeq: number,
  commands: number,
  concurrency: number,
): Promise<{ seconds: number; cpuUs: number; histogram: ReturnType<typeof latencyHistogram> }> {
  const histogram = latencyHistogram();
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < commands) {
      const seq = firstSeq + next++;
      const t = performance.now();
      await path.run(seq);
      histogram.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuUs: used.user + used.system, histogram };
}

/**
 * Command throughput with state + outbox rows through the kit versus raw `pg` doing the same inserts,
 * same tables, same concurrency, same server, same run.
 */
export async function benchOutbox(options: OutboxBenchOptions): Promise<PathResult[]> {
  const { pgUrl, commands, concurrency, warmup, rounds, log } = options;
  const wanted = new Set(options.only ?? OUTBOX_PATHS);
  const paths: Path[] = [];
  if (wanted.has('raw2')) paths.push(await rawPath(pgUrl, 'bench_raw2', concurrency, false));
  if (wanted.has('raw3')) paths.push(await rawPath(pgUrl, 'bench_raw3', concurrency, true));
  if (wanted.has('kit')) paths.push(await kitPath(pgUrl, concurrency, false));
  if (wanted.has('orm')) paths.push(await kitPath(pgUrl, concurrency, true));
  try {
    for (const p of paths) {
      log(`outbox: warm-up ${p.path} (${warmup} commands)`);
      await drive(p, 0, warmup, concurrency);
    }
    const perRound = Math.ceil(commands / rounds);
    const totals = paths.map(() => ({ seconds: 0, commands: 0, cpuUs: 0, histogram: latencyHistogram() }));
    for (let round = 0; round < rounds; round += 1) {
      for (const [i, p] of paths.entries()) {
        const n = Math.min(perRound, commands - round * perRound);
        if (n <= 0) continue;
        const r = await drive(p, warmup + round * perRound, n, concurrency);
        const total = totals[i];
        if (!total) continue;
        total.seconds += r.seconds;
        total.cpuUs += r.cpuUs;
        total.commands += n;
        total.histogram.add(r.histogram);
        log(
          `outbox: round ${round + 1}/${rounds} ${p.path}: ${Math.round(n / r.seconds)} ops/s, ` +
            `${Math.round(r.cpuUs / n)} µs Node CPU per command`,
        );
      }
    }
    const results: PathResult[] = [];
    for (const [i, p] of paths.entries()) {
      const t = totals[i];
      if (!t) continue;
      results.push({
        path: p.path,
        description: p.description,
        commands: t.commands,
        seconds: t.seconds,
        opsPerSec: t.commands / t.seconds,
        latency: percentilesMs(t.histogram),
        nodeCpuUsPerCommand: Math.round(t.cpuUs / t.commands),
        rows: {
          state: await p.count('issuer'),
          outbox: await p.count('pq_outbox'),
          audit: await p.count('pq_audit_log'),
        },
      });
    }
    return results;
  } finally {
    for (const p of paths) await p.close();
  }
}
