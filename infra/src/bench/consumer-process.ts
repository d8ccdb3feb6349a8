// The downstream side of the latency benchmark, in its own process as a consuming service would be:
// an InboxConsumer with its own database. It reports, per event id, when its handler ran and when its
// transaction committed, on CLOCK_MONOTONIC (process.hrtime), which every process on the host shares.
import { Events } from '@pingquan/contracts/catalogue';
import {
  connectNats,
  createLogger,
  ensureDatabase,
  execInTransaction,
  InboxConsumer,
  kitMigrations,
  migrate,
  openDatabase,
  startTelemetry,
} from '@pingquan/kit';

export interface ConsumerReport {
  kind: 'handled';
  /** [event id, handler entered µs, transaction committed µs] */
  events: [string, number, number][];
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const send = (message: unknown) => process.send?.(message);

const telemetry = startTelemetry({ serviceName: 'bench-consumer' });
const url = env('BENCH_CONSUMER_DATABASE_URL');
await ensureDatabase(url);
const orm = await openDatabase({ url, poolMax: 4, entities: [], migrations: [] }, kitMigrations);
await migrate(orm);
await orm.em.getConnection().execute('CREATE TABLE IF NOT EXISTS effect (event_id uuid NOT NULL)');

const entered = new Map<string, number>();
let pending: [string, number, number][] = [];
// The handler's `em` is the transaction fork, and the commit event carries the same fork.
const inFlight = new WeakMap<object, string>();
orm.em.getEventManager().registerSubscriber({
  afterTransactionCommit: async (args) => {
    const id = inFlight.get(args.em);
    if (!id) return;
    pending.push([id, entered.get(id) ?? 0, nowUs()]);
    entered.delete(id);
  },
});

const nc = await connectNats(env('BENCH_NATS_URL'), 'bench-consumer');
const consumer = new InboxConsumer(
  {
    nc,
    orm,
    logger: createLogger('bench-consumer', 'warn'),
    service: 'bench-consumer',
    subjectPrefix: env('BENCH_SUBJECT_PREFIX'),
    maxAttempts: 5,
  },
  {
    type: Events['land-contract'].IssuerRegistered,
    async handler(event, em) {
      entered.set(event.envelope.id, nowUs());
      inFlight.set(em, event.envelope.id);
      await execInTransaction(em, 'INSERT INTO effect (event_id) VALUES (?)', [event.envelope.id]);
    },
  },
);
await consumer.start();

// Reports go out in small batches: one IPC message per event would itself load the loop measured.
const flush = () => {
  if (pending.length === 0) return;
  const report: ConsumerReport = { kind: 'handled', events: pending };
  pending = [];
  send(report);
};
const timer = setInterval(flush, 50);

process.on('message', (message: unknown) => {
  if ((message as { kind?: string }).kind !== 'stop') return;
  void (async () => {
    await consumer.stop();
    clearInterval(timer);
    flush();
    const dup = await orm.em
      .getConnection()
      .execute<{ n: string }[]>(
        'SELECT count(*) AS n FROM (SELECT event_id FROM effect GROUP BY event_id HAVING count(*) > 1) d',
      );
    send({ kind: 'stopped', doubled: Number(dup[0]?.n ?? 0), duplicatesAbsorbed: consumer.duplicateCount });
    await nc.drain().catch(() => undefined);
    await orm.close(true);
    await telemetry.shutdown();
    process.disconnect?.();
    process.exit(0);
  })();
});
send({ kind: 'ready' });
