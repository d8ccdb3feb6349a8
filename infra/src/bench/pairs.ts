import { Streams } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import {
  connectNats,
  createLogger,
  ensureStream,
  manager,
  OutboxRelay,
  wakeRelayOnCommit,
} from '@pingquan/kit';
import { latencyHistogram, type Percentiles, percentilesMs, sleep } from './histogram.js';
import { kitCommand, openBenchDatabase } from './workload.js';

export interface PairsOptions {
  pgUrl: string;
  natsUrl: string;
  pairs: number;
  pollIntervalMs: number;
  log(line: string): void;
}

export interface PairsResult {
  pairs: number;
  pollIntervalMs: number;
  /** Commit → published on NATS, first event of each pair (the relay was idle). */
  first: Percentiles;
  /** The same for the second event, committed 1–4 ms after the first. */
  second: Percentiles;
  /** Second events that waited at least half the polling interval: missed wake-ups. */
  missedWakeups: number;
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Two commands in quick succession (a household, then its contract) with the system otherwise idle:
 * commit → publish latency of each, observed on a plain NATS subscription to the stream's subjects.
 * A notification that arrives while the relay is publishing must not be lost, or the second event
 * waits for the polling fallback.
 */
export async function benchPairs(options: PairsOptions): Promise<PairsResult> {
  const { pgUrl, natsUrl, pairs, pollIntervalMs, log } = options;
  const prefix = 'pairs.';
  const u = new URL(pgUrl);
  u.pathname = '/bench_pairs';
  const orm = await openBenchDatabase(u.toString(), 4);
  const nc = await connectNats(natsUrl, 'bench-pairs');
  await ensureStream(await manager(nc), prefix, Streams['land-contract']);
  const publishedAt = new Map<string, number>();
  const sub = nc.subscribe(`${prefix}pq.>`);
  void (async () => {
    for await (const m of sub) publishedAt.set(EventEnvelope.decode(m.data).id, nowUs());
  })();
  const relay = new OutboxRelay({
    databaseUrl: u.toString(),
    nc,
    logger: createLogger('bench-relay', 'warn'),
    subjectPrefix: prefix,
    batchSize: 500,
    pollIntervalMs,
    retentionHours: 24,
  });
  relay.start();
  wakeRelayOnCommit(orm, relay);
  const first = latencyHistogram();
  const second = latencyHistogram();
  let missedWakeups = 0;
  log(`pairs: ${pairs} pairs of commands 1–4 ms apart, ${pollIntervalMs + 500} ms between pairs`);
  try {
    await sleep(pollIntervalMs + 500);
    for (let i = 0; i < pairs; i += 1) {
      const a = await kitCommand(orm, 2 * i);
      const aAt = nowUs();
      await sleep(1 + (i % 4));
      const b = await kitCommand(orm, 2 * i + 1);
      const bAt = nowUs();
      // Longer than the polling interval, so every pair starts with an idle relay.
      await sleep(pollIntervalMs + 500);
      first.recordValue(Math.max(1, (publishedAt.get(a) ?? nowUs()) - aAt));
      const wait = (publishedAt.get(b) ?? nowUs()) - bAt;
      second.recordValue(Math.max(1, wait));
      if (wait >= (pollIntervalMs * 1000) / 2) missedWakeups += 1;
    }
    return {
      pairs,
      pollIntervalMs,
      first: percentilesMs(first),
      second: percentilesMs(second),
      missedWakeups,
    };
  } finally {
    sub.unsubscribe();
    await relay.stop();
    await nc.drain().catch(() => undefined);
    await orm.close(true);
  }
}
