import { Events } from '@pingquan/contracts/catalogue';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type CommandContext,
  connectNats,
  createLogger,
  type EntityManager,
  ensureStream,
  inTransaction,
  kitMigrations,
  manager,
  migrate,
  type NatsConnection,
  type Orm,
  OutboxRelay,
  openDatabase,
  recordChanges,
  streamName,
  wakeRelayOnCommit,
} from '../src/index.js';
import { createTestDatabase, uniqueToken } from '../src/testing.js';

// The relay must publish because a command committed, not because a poll came round: with the poll
// set to a minute, an event still has to appear at once.
let orm: Orm;
let nc: NatsConnection;
let relay: OutboxRelay;
let drop: () => Promise<void>;
const token = uniqueToken();
const prefix = `${token}.`;

beforeAll(async () => {
  const db = await createTestDatabase(inject('pgUrl'), `kit_${token}`);
  drop = db.drop;
  orm = await openDatabase({ url: db.url, poolMax: 4, entities: [], migrations: [] }, kitMigrations);
  await migrate(orm);
  nc = await connectNats(inject('natsUrl'), 'relay-wake-test');
  await ensureStream(await manager(nc), prefix, {
    name: 'PQ_LAND_CONTRACT',
    subjects: ['pq.land-contract.v1.>'],
  });
  relay = new OutboxRelay({
    databaseUrl: db.url,
    nc,
    logger: createLogger('relay-test', 'silent'),
    subjectPrefix: prefix,
    batchSize: 100,
    pollIntervalMs: 60_000,
    retentionHours: 1,
  });
  relay.start();
  wakeRelayOnCommit(orm, relay);
});

afterAll(async () => {
  await relay?.stop();
  await nc?.drain();
  await orm?.close(true);
  await drop?.();
});

const ctx: CommandContext = {
  principal: { sub: 'test', role: 'SERVICE' },
  reason: 'wake test',
  documentRef: '',
  traceId: '',
  now: new Date(),
};

async function publishedCount(): Promise<number> {
  const info = await (await manager(nc)).streams.info(streamName(prefix, 'PQ_LAND_CONTRACT'));
  return info.state.messages;
}

describe('outbox relay wake-up', () => {
  it('publishes right after the committing transaction, without waiting for the poll', async () => {
    // Let the relay take the leader lock and settle into its (one-minute) sleep.
    for (let i = 0; i < 50 && relay.publishedCount === 0 && (await publishedCount()) === 0; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 500));
    for (let n = 1; n <= 3; n += 1) {
      // The kit's own transactions, and (the third) one MikroORM opened: both wake the relay.
      const run = <T>(work: (em: EntityManager) => Promise<T>) =>
        n < 3 ? inTransaction(orm, work) : orm.em.fork().transactional(work);
      await run((em) =>
        recordChanges(em, ctx, [
          {
            aggregateType: 'issuer',
            aggregateId: `issuer-${n}`,
            aggregateVersion: 1,
            townshipCode: '130881102',
            action: 'issuer.registered',
            event: { type: Events['land-contract'].IssuerRegistered, payload: { issuer: undefined } },
          },
        ]),
      );
      const started = Date.now();
      while ((await publishedCount()) < n && Date.now() - started < 5_000) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await publishedCount()).toBe(n);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });
});
