import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { EventType } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import {
  connectNats,
  createLogger,
  type DeliveredEvent,
  execInTransaction,
  GrpcClients,
  InboxConsumer,
  type InternalCallOptions,
  kitMigrations,
  manager,
  migrate,
  type NatsConnection,
  openDatabase,
  type Principal,
  PrincipalSigner,
  streamName,
  waitForHealthy,
} from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, uniqueToken } from '@pingquan/kit/testing';
import {
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import type { Client } from 'nice-grpc';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const VILLAGE = '130881102201';
export const ISSUER = makeIssuerCode(VILLAGE, 0);
export const OPERATOR: Principal = { sub: 'user:fault-test', role: 'LEAD_UNIT', track: 'A' };

export type LandContractClient = Client<typeof LandContractServiceDefinition, InternalCallOptions>;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Runs `fn` over 0..count-1 with at most `limit` in flight. */
export async function pool(count: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

export function landContractClient(port: number): { client: LandContractClient; close(): void } {
  const clients = new GrpcClients({
    signer: new PrincipalSigner(TEST_SIGNING_KEY),
    defaultDeadlineMs: 15_000,
  });
  return {
    client: clients.create(LandContractServiceDefinition, `127.0.0.1:${port}`),
    close: () => clients.close(),
  };
}

// One birth date per thousand households keeps resident ids unique (the sequence field has 3 digits).
function residentId(n: number): string {
  const first17 = `130881${1950 + Math.floor(n / 1000)}0101${String(n % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

const change = (reason: string) => ({ reason, documentRef: '', idempotencyKey: '' });

export async function registerIssuer(client: LandContractClient): Promise<void> {
  await client.registerIssuer(
    {
      code: ISSUER,
      creditCode: makeCollectiveOrgCode('VILLAGE', '130881', 'MA00FAULT'),
      name: '故障测试村股份经济合作社',
      context: change('fault test'),
    },
    { principal: OPERATOR },
  );
}

/** Registers household `n` (1-based, < 10,000) and its contract: two commands, two events. */
export async function registerHouseholdWithContract(client: LandContractClient, n: number): Promise<string> {
  const { household } = await client.registerHousehold(
    {
      code: makeContractorCode(ISSUER, n),
      address: '榆树林子镇',
      members: [
        {
          residentId: residentId(n),
          name: `户主${n}`,
          relation: 'RELATION_HEAD',
          alive: true,
          movedToTown: false,
          liftedOutOfPoverty: false,
          povertyMonitoring: false,
          deceasedOn: '',
        },
      ],
      context: change('fault test'),
    },
    { principal: OPERATOR },
  );
  const code = makeContractCode(ISSUER, n, 'FAMILY');
  await client.registerContract(
    {
      code,
      householdId: household?.id ?? '',
      mode: 'CONTRACT_MODE_FAMILY',
      termStartDate: '1998-10-01',
      termEndDate: '2028-09-30',
      secondRoundEndDate: '2028-09-30',
      adjustmentForbidden: false,
      plots: [
        {
          code: makePlotCode(ISSUER, n),
          name: `南梁${n}`,
          contractAreaMu4: 25_000,
          surveyedAreaMu4: 25_100,
          landClass: 'LAND_CLASS_CULTIVATED',
          basicFarmland: true,
          boundaries: { east: '路', south: '沟', west: '王家', north: '山' },
          geometryGeojson: '',
        },
      ],
      context: change('fault test'),
    },
    { principal: OPERATOR },
  );
  return code;
}

/**
 * Every message in the service's stream, counted by event id. An ordered consumer reads the stream
 * from the start without leaving state on the server.
 */
export async function streamEventCounts(nc: NatsConnection, prefix: string): Promise<Map<string, number>> {
  const js = jetstream(nc);
  const stream = streamName(prefix, 'PQ_LAND_CONTRACT');
  const total = (await (await manager(nc)).streams.info(stream)).state.messages;
  const counts = new Map<string, number>();
  if (total === 0) return counts;
  const consumer = await js.consumers.get(stream);
  const messages = await consumer.consume({ max_messages: 500 });
  let seen = 0;
  for await (const m of messages) {
    const id = EventEnvelope.decode(m.data).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    seen += 1;
    if (seen >= total) break;
  }
  await messages.close();
  return counts;
}

/** Ids lost (expected but absent) and doubled (present more than once) in a count map. */
export function tally(
  expected: Iterable<string>,
  counts: Map<string, number>,
): { lost: string[]; doubled: string[]; unexpected: string[] } {
  const want = new Set(expected);
  return {
    lost: [...want].filter((id) => !counts.has(id)),
    doubled: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...counts.keys()].filter((id) => !want.has(id)),
  };
}

/**
 * land-contract as a separate process, exactly as the local runner starts it, so it can be killed
 * with SIGKILL: no shutdown hook, no drain, no final UPDATE of the outbox.
 */
export interface ServiceProcess {
  pid: number;
  /** Kills the process and waits until it is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnLandContract(env: Record<string, string>, port: number): Promise<ServiceProcess> {
  // The test runner's NODE_OPTIONS (its own loaders) must not leak into the service.
  const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=pq-source', '--import', 'tsx', 'services/land-contract/src/main.ts'],
    { cwd: ROOT, env: { ...inherited, ...env, GRPC_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = exited.then(() => {
    throw new Error(`land-contract exited during start-up: ${output}`);
  });
  await Promise.race([waitForHealthy(`127.0.0.1:${port}`, 60_000), failed]);
  failed.catch(() => undefined);
  return {
    pid: child.pid ?? 0,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * A downstream system with its own database: an inbox consumer whose effect is one row per handled
 * event in `effect`. The table has no unique key on purpose, so a doubled effect would show.
 * `poison` makes the handler fail (after writing its effect, which must roll back) while it returns
 * a reason.
 */
export interface Downstream<T> {
  consumer: InboxConsumer<T>;
  nc: NatsConnection;
  /** Handler invocations per event id, failed ones included. */
  attempts: Map<string, number>;
  /** Effect rows per event id. */
  effects(): Promise<Map<string, number>>;
  /** Effect rows per business key (e.g. contract code). */
  effectsByKey(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export async function startDownstream<T>(options: {
  pgUrl: string;
  natsUrl: string;
  prefix: string;
  service: string;
  type: EventType<T>;
  key: (event: DeliveredEvent<T>) => string;
  maxAttempts?: number;
  poison?: (event: DeliveredEvent<T>) => string | undefined;
}): Promise<Downstream<T>> {
  const db = await createTestDatabase(options.pgUrl, `ds_${uniqueToken()}`);
  const orm = await openDatabase({ url: db.url, poolMax: 2, entities: [], migrations: [] }, kitMigrations);
  await migrate(orm);
  await orm.em.getConnection().execute('CREATE TABLE effect (event_id uuid NOT NULL, key text NOT NULL)');
  const nc = await connectNats(options.natsUrl, options.service);
  const attempts = new Map<string, number>();
  const consumer = new InboxConsumer<T>(
    {
      nc,
      orm,
      logger: createLogger(options.service, 'silent'),
      service: options.service,
      subjectPrefix: options.prefix,
      maxAttempts: options.maxAttempts ?? 5,
    },
    {
      type: options.type,
      async handler(event, em) {
        attempts.set(event.envelope.id, (attempts.get(event.envelope.id) ?? 0) + 1);
        await execInTransaction(em, 'INSERT INTO effect (event_id, key) VALUES (?, ?)', [
          event.envelope.id,
          options.key(event),
        ]);
        const reason = options.poison?.(event);
        if (reason) throw new Error(reason);
      },
    },
  );
  await consumer.start();
  const grouped = async (column: 'event_id' | 'key') => {
    const rows = await orm.em
      .getConnection()
      .execute<{ k: string; n: string }[]>(
        `SELECT ${column}::text AS k, count(*) AS n FROM effect GROUP BY 1`,
      );
    return new Map(rows.map((r) => [r.k, Number(r.n)]));
  };
  return {
    consumer,
    nc,
    attempts,
    effects: () => grouped('event_id'),
    effectsByKey: () => grouped('key'),
    async stop() {
      await consumer.stop();
      await nc.drain().catch(() => undefined);
      await orm.close(true);
      await db.drop();
    },
  };
}
