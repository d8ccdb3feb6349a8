import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Streams } from '@pingquan/contracts/catalogue';
import {
  connectNats,
  createLogger,
  ensureStream,
  manager,
  OutboxRelay,
  wakeRelayOnCommit,
} from '@pingquan/kit';
import type { ConsumerReport } from './consumer-process.js';
import { latencyHistogram, type Percentiles, percentilesMs, sleep } from './histogram.js';
import { kitCommand, openBenchDatabase } from './workload.js';

export interface LatencyOptions {
  pgUrl: string;
  natsUrl: string;
  /** Commands per second, spread evenly (open loop: the schedule does not wait for the system). */
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** The relay's polling fallback, as OUTBOX_POLL_INTERVAL_MS configures it in a service. */
  pollIntervalMs: number;
  log(line: string): void;
}

export interface LatencyResult {
  rate: number;
  seconds: number;
  measured: number;
  lost: number;
  doubled: number;
  /** How late the generator started commands against its schedule (shows whether the rate held). */
  scheduleLag: Percentiles;
  /** Producer command: BEGIN … COMMIT through the kit. */
  command: Percentiles;
  /** Commit returned → the consumer's handler runs (inside its transaction). */
  delivered: Percentiles;
  /** Commit returned → the consumer's effect and inbox row are committed. */
  effect: Percentiles;
}

function dbUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

interface Downstream {
  handled: Map<string, [number, number]>;
  stop(): Promise<{ doubled: number; duplicatesAbsorbed: number }>;
}

/** Starts the consuming service as a child process and collects what it reports. */
async function startDownstream(env: Record<string, string>): Promise<Downstream> {
  const { NODE_OPTIONS: _inherited, ...parentEnv } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=pq-source', '--import', 'tsx', join(import.meta.dirname, 'consumer-process.ts')],
    { env: { ...parentEnv, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const handled = new Map<string, [number, number]>();
  let stopped: ((r: { doubled: number; duplicatesAbsorbed: number }) => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench consumer exited (${code}) before it was ready`)));
    child.on('message', (message: unknown) => {
      const m = message as { kind: string };
      if (m.kind === 'ready') resolve();
      if (m.kind === 'handled')
        for (const [id, d, c] of (m as ConsumerReport).events) handled.set(id, [d, c]);
      if (m.kind === 'stopped') stopped?.(m as unknown as { doubled: number; duplicatesAbsorbed: number });
    });
  });
  await ready;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    handled,
    // Bounded: a consumer that died or hangs is killed rather than waited for.
    async stop() {
      const outcome = new Promise<{ doubled: number; duplicatesAbsorbed: number }>((resolve) => {
        stopped = resolve;
      });
      if (child.connected) child.send({ kind: 'stop' });
      const timeout = sleep(15_000).then(() => undefined);
      const result = await Promise.race([outcome, exited.then(() => undefined), timeout]);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!result) throw new Error('bench consumer did not report its outcome');
      return result;
    },
  };
}

/**
 * Commit-to-consumer latency at a fixed event rate through the real pieces. This process plays the
 * publishing service: kit commands commit state + outbox, and the OutboxRelay (LISTEN/NOTIFY with
 * polling fallback) publishes to JetStream. A second process plays the consuming service: an
 * InboxConsumer with its own database. Both stamp times with CLOCK_MONOTONIC, shared by every process
 * on the host, so the figures carry no clock skew.
 */
export async function benchLatency(options: LatencyOptions): Promise<LatencyResult> {
  const { pgUrl, natsUrl, rate, seconds, warmupSeconds, log } = options;
  const prefix = 'bench.';
  const producerUrl = dbUrl(pgUrl, 'bench_latency_producer');
  const producer = await openBenchDatabase(producerUrl, 8);
  const relayNc = await connectNats(natsUrl, 'bench-relay');
  await ensureStream(await manager(relayNc), prefix, Streams['land-contract']);
  const downstream = await startDownstream({
    BENCH_CONSUMER_DATABASE_URL: dbUrl(pgUrl, 'bench_latency_consumer'),
    BENCH_NATS_URL: natsUrl,
    BENCH_SUBJECT_PREFIX: prefix,
  });
  const relay = new OutboxRelay({
    databaseUrl: producerUrl,
    nc: relayNc,
    logger: createLogger('bench-relay', 'warn'),
    subjectPrefix: prefix,
    batchSize: 500,
    pollIntervalMs: options.pollIntervalMs,
    retentionHours: 24,
  });
  relay.start();
  wakeRelayOnCommit(producer, relay);

  const commitAt = new Map<string, number>();
  const scheduleLag = latencyHistogram();
  const command = latencyHistogram();
  const measuredIds: string[] = [];
  const warmupCount = Math.round(warmupSeconds * rate);
  const total = warmupCount + Math.round(seconds * rate);
  const intervalUs = 1_000_000 / rate;
  const inflight = new Set<Promise<void>>();
  log(`latency: ${rate} events/s for ${warmupSeconds} s warm-up + ${seconds} s measured (${total} commands)`);
  let downstreamStopped = false;
  const t0 = nowUs();
  try {
    for (let i = 0; i < total; i += 1) {
      const due = t0 + i * intervalUs;
      const wait = due - nowUs();
      if (wait > 0) await sleep(wait / 1000);
      // Bounded: if the database stalls, the generator waits instead of piling up commands.
      if (inflight.size >= 256) await Promise.race(inflight);
      const started = nowUs();
      const measured = i >= warmupCount;
      if (measured) scheduleLag.recordValue(Math.max(1, Math.round(started - due)));
      const p = kitCommand(producer, i).then((id) => {
        const done = nowUs();
        commitAt.set(id, done);
        if (measured) {
          command.recordValue(Math.max(1, done - started));
          measuredIds.push(id);
        }
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      if (i > 0 && i % (rate * 5) === 0) log(`latency: ${Math.round((nowUs() - t0) / 1e6)} s, ${i} commands`);
    }
    await Promise.all(inflight);
    // Bounded wait for the tail; whatever has not arrived by then counts as lost.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && measuredIds.some((id) => !downstream.handled.has(id))) await sleep(50);
    await sleep(500);
    const outcome = await downstream.stop();
    downstreamStopped = true;

    const delivered = latencyHistogram();
    const effect = latencyHistogram();
    let lost = 0;
    for (const id of measuredIds) {
      const c = commitAt.get(id);
      const h = downstream.handled.get(id);
      if (c === undefined || h === undefined) {
        lost += 1;
        continue;
      }
      // The relay can publish before this process resumes after COMMIT; such events count as ~0.
      delivered.recordValue(Math.max(1, h[0] - c));
      effect.recordValue(Math.max(1, h[1] - c));
    }
    if (outcome.duplicatesAbsorbed > 0)
      log(`latency: ${outcome.duplicatesAbsorbed} redeliveries absorbed by the inbox`);
    return {
      rate,
      seconds,
      measured: measuredIds.length,
      lost,
      doubled: outcome.doubled,
      scheduleLag: percentilesMs(scheduleLag),
      command: percentilesMs(command),
      delivered: percentilesMs(delivered),
      effect: percentilesMs(effect),
    };
  } finally {
    if (!downstreamStopped) await downstream.stop().catch(() => undefined);
    await relay.stop();
    await relayNc.drain().catch(() => undefined);
    await producer.close(true);
  }
}
