import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events } from '@pingquan/contracts/catalogue';
import {
  connectNats,
  DLQ_STREAM,
  DLQ_SUBJECT_ROOT,
  manager,
  prefixed,
  replayDeadLetters,
  startService,
  streamName,
} from '@pingquan/kit';
import { createTestDatabase, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import { configSchema, landContractModule } from '@pingquan/land-contract';
import { makeContractCode } from '@pingquan/reference';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { startNatsServer } from '../../infra/src/local/nats.js';
import { freePort } from '../../infra/src/local/ports.js';
import { startCountySubscriber } from '../support/platform.js';
import {
  ISSUER,
  type LandContractClient,
  landContractClient,
  pool,
  registerHouseholdWithContract,
  registerIssuer,
  type ServiceProcess,
  sleep,
  spawnLandContract,
  startDownstream,
  streamEventCounts,
  tally,
  waitFor,
} from './support.js';

// "Kill anything at any moment: no event lost, no effect doubled" (ARCHITECTURE.md), checked with
// real processes: a land-contract process killed with SIGKILL, a nats-server killed with SIGKILL, and
// a consumer that keeps failing. Each test counts what it checked and prints one line.

async function count(sql: pg.Client, query: string, params: unknown[] = []): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(query, params);
  return Number(rows[0]?.n ?? 0);
}

const UNPUBLISHED = 'SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL';

describe('outbox and inbox under faults', () => {
  it('relay killed between commit and publish, and between publish and mark: every event once', async () => {
    const token = uniqueToken();
    const prefix = `${token}.`;
    const db = await createTestDatabase(inject('pgUrl'), `lcf_${token}`);
    const env = testServiceEnv(db.url, inject('natsUrl'), token, { OUTBOX_POLL_INTERVAL_MS: '100' });
    const port = await freePort();
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    const county = await startCountySubscriber(prefix);
    let service: ServiceProcess | undefined;
    // A fresh channel per process: a gRPC channel that saw the old process die is in back-off and
    // fails calls at once instead of waiting.
    let rpc: ReturnType<typeof landContractClient> | undefined;
    const start = async () => {
      rpc?.close();
      service = await spawnLandContract(env, port);
      rpc = landContractClient(port);
      return rpc.client;
    };
    const perRun = 60;
    const contractCodes: string[] = [];
    const write = (client: LandContractClient, from: number) =>
      pool(perRun, 8, async (i) => {
        contractCodes.push(await registerHouseholdWithContract(client, from + i));
      });
    try {
      // Run 1: kill right after the last command returns, whatever the relay is doing then.
      let client = await start();
      await registerIssuer(client);
      // The relay's leader lock is found rather than hard-coded, so the test follows the kit.
      const lockKey = await waitFor('the relay to become leader', async () => {
        const { rows } = await sql.query<{ key: string }>(
          `SELECT ((l.classid::bigint << 32) | l.objid::bigint)::text AS key
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
             AND a.application_name = 'pq-outbox-relay'`,
        );
        return rows[0]?.key;
      });
      await write(client, 1);
      await service?.kill('SIGKILL');

      // Run 2: committed, never published. Holding the leader lock keeps the new relay from
      // publishing, so every command of this run is still in the outbox when the process dies.
      await waitFor('the killed relay session to end', async () => {
        const { rows } = await locker.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock($1::bigint) AS ok',
          [lockKey],
        );
        return rows[0]?.ok === true;
      });
      // Counted once the killed session is gone: a statement it had already sent still completes.
      const pendingAtKill1 = await count(sql, UNPUBLISHED);
      client = await start();
      await write(client, perRun + 1);
      const pendingAtKill2 = await count(sql, UNPUBLISHED);
      expect(pendingAtKill2).toBeGreaterThanOrEqual(2 * perRun);
      await service?.kill('SIGKILL');

      // Run 3: published, never marked. Row locks on the pending rows let the relay read and publish
      // them but stall its UPDATE … SET published_at; it is killed while it waits.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM pq_outbox WHERE published_at IS NULL FOR UPDATE');
      await locker.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]);
      await start();
      const blockedPid = await waitFor('the relay to publish and block on marking', async () => {
        const { rows } = await sql.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database()
             AND application_name = 'pq-outbox-relay' AND wait_event_type = 'Lock'`,
        );
        return rows[0]?.pid;
      });
      await service?.kill('SIGKILL');
      // A backend waiting on a lock does not read its socket, so PostgreSQL would only notice the
      // dead client after the lock is granted — and would then commit the UPDATE. End it the way
      // a TCP reset does before releasing the rows.
      await sql.query('SELECT pg_terminate_backend($1)', [blockedPid]);
      await locker.query('ROLLBACK');
      const publishedUnmarked = await count(sql, UNPUBLISHED);
      const totalEvents = await count(sql, 'SELECT count(*) AS n FROM pq_outbox');
      expect(publishedUnmarked).toBe(pendingAtKill2);

      // Run 4: the relay publishes the unmarked rows again; JetStream drops them by Nats-Msg-Id.
      const { rows: nowRows } = await sql.query<{ t: Date }>('SELECT now() AS t');
      await start();
      await waitFor('the outbox to drain', async () => (await count(sql, UNPUBLISHED)) === 0);
      const republished = await count(sql, 'SELECT count(*) AS n FROM pq_outbox WHERE published_at >= $1', [
        nowRows[0]?.t,
      ]);

      const ids = (await sql.query<{ id: string }>('SELECT id::text AS id FROM pq_outbox')).rows.map(
        (r) => r.id,
      );
      const nc = await connectNats(inject('natsUrl'), 'fault-test-reader');
      const inStream = await streamEventCounts(nc, prefix);
      await nc.close();
      const stream = tally(ids, inStream);
      await waitFor(
        'the county subscriber to receive every contract',
        async () => (await county.received()).length >= contractCodes.length,
      );
      await sleep(500); // room for a late duplicate to show up
      const received = await county.received();
      const byCode = new Map<string, number>();
      for (const r of received) byCode.set(r.contract_code, (byCode.get(r.contract_code) ?? 0) + 1);
      const countyTally = tally(contractCodes, byCode);

      console.log(
        `fault/relay-kill: ${totalEvents} events, 3 SIGKILLs (${pendingAtKill1} unpublished at kill 1, ` +
          `${pendingAtKill2} committed-unpublished at kill 2, ${publishedUnmarked} published-unmarked at kill 3), ` +
          `${republished} republished and dropped by JetStream dedupe, stream: ${stream.lost.length} lost, ` +
          `${stream.doubled.length} doubled; county: ${byCode.size} contracts, ${countyTally.lost.length} lost, ` +
          `${countyTally.doubled.length} doubled, ${county.consumer.duplicateCount} redelivered duplicates absorbed by the inbox`,
      );
      expect(totalEvents).toBe(1 + 4 * perRun);
      expect(republished).toBe(publishedUnmarked);
      expect(inStream.size).toBe(totalEvents);
      expect(stream).toEqual({ lost: [], doubled: [], unexpected: [] });
      expect(countyTally).toEqual({ lost: [], doubled: [], unexpected: [] });
    } finally {
      rpc?.close();
      await service?.kill('SIGTERM');
      await county.stop();
      await locker.end().catch(() => undefined);
      await sql.end();
      await db.drop();
    }
  }, 90_000);

  it('nats-server killed mid-stream: every event delivered once, each effect once', async () => {
    // Its own nats-server: killing the shared one would break the other test files.
    const dir = mkdtempSync(join(tmpdir(), 'pq-fault-nats-'));
    const nats = await startNatsServer(dir, await freePort());
    const token = uniqueToken();
    const prefix = `${token}.`;
    const pgUrl = inject('pgUrl');
    const db = await createTestDatabase(pgUrl, `lcn_${token}`);
    const service = await startService(
      landContractModule,
      configSchema.parse(
        testServiceEnv(db.url, nats.url, token, { OUTBOX_POLL_INTERVAL_MS: '100', LOG_LEVEL: 'error' }),
      ),
    );
    const common = { pgUrl, natsUrl: nats.url, prefix };
    const households = await startDownstream({
      ...common,
      service: 'county-households',
      type: Events['land-contract'].HouseholdRegistered,
      key: (e) => e.payload.household?.code ?? '',
    });
    const contracts = await startDownstream({
      ...common,
      service: 'county-contracts',
      type: Events['land-contract'].ContractRegistered,
      key: (e) => e.payload.contract?.code ?? '',
    });
    const { client, close } = landContractClient(service.port);
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const n = 150;
      await registerIssuer(client);
      let written = 0;
      const writing = pool(n, 4, async (i) => {
        await registerHouseholdWithContract(client, i + 1);
        written += 1;
      });
      await waitFor('a third of the households written', async () => written >= n / 3);
      const consumedAtKill = (await contracts.effects()).size;
      await nats.stop('SIGKILL');
      const writtenAtKill = written;
      // Commands keep committing while NATS is down; the outbox holds their events.
      await sleep(1500);
      const pendingWhileDown = await count(sql, UNPUBLISHED);
      await nats.restart();
      const restartedAt = Date.now();
      await writing;
      await waitFor(
        'both downstream systems to handle every event',
        async () => (await households.effects()).size >= n && (await contracts.effects()).size >= n,
        45_000,
      );
      await waitFor('the outbox to drain', async () => (await count(sql, UNPUBLISHED)) === 0);
      const recoveryMs = Date.now() - restartedAt;
      await sleep(500);

      const outbox = (
        await sql.query<{ id: string; subject: string }>('SELECT id::text AS id, subject FROM pq_outbox')
      ).rows;
      const inStream = await streamEventCounts(households.nc, prefix);
      const stream = tally(
        outbox.map((r) => r.id),
        inStream,
      );
      const effectTally = (subject: string, effects: Map<string, number>) =>
        tally(
          outbox.filter((r) => r.subject === subject).map((r) => r.id),
          effects,
        );
      const hh = effectTally(Events['land-contract'].HouseholdRegistered.subject, await households.effects());
      const ct = effectTally(Events['land-contract'].ContractRegistered.subject, await contracts.effects());
      const absorbed = households.consumer.duplicateCount + contracts.consumer.duplicateCount;
      const redelivered = [...households.attempts.values(), ...contracts.attempts.values()].filter(
        (a) => a > 1,
      );

      console.log(
        `fault/nats-kill: ${outbox.length} events, nats-server SIGKILLed after ${writtenAtKill} households ` +
          `(${consumedAtKill} contracts consumed; ${pendingWhileDown} events pending in the outbox while it was down), ` +
          `${stream.lost.length} lost, ${stream.doubled.length} doubled in the stream; effects: ` +
          `${hh.lost.length + ct.lost.length} lost, ${hh.doubled.length + ct.doubled.length} doubled, ` +
          `${absorbed} redelivered duplicates absorbed by the inbox, ${redelivered.length} handler retries; ` +
          `outbox drained ${recoveryMs} ms after the restart`,
      );
      expect(outbox.length).toBe(1 + 2 * n);
      expect(stream).toEqual({ lost: [], doubled: [], unexpected: [] });
      expect(hh).toEqual({ lost: [], doubled: [], unexpected: [] });
      expect(ct).toEqual({ lost: [], doubled: [], unexpected: [] });
    } finally {
      close();
      await sql.end();
      await households.stop();
      await contracts.stop();
      await service.stop();
      await nats.stop();
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a message failing N times is dead-lettered with its reason; a replay has it handled once', async () => {
    const token = uniqueToken();
    const prefix = `${token}.`;
    const pgUrl = inject('pgUrl');
    const natsUrl = inject('natsUrl');
    const db = await createTestDatabase(pgUrl, `lcd_${token}`);
    const service = await startService(
      landContractModule,
      configSchema.parse(testServiceEnv(db.url, natsUrl, token, { OUTBOX_POLL_INTERVAL_MS: '100' })),
    );
    const poisonCode = makeContractCode(ISSUER, 3, 'FAMILY');
    const reason = 'county register refused the parcel geometry';
    const maxAttempts = 3;
    let poisoned = true;
    let poisonEventId = '';
    const county = await startDownstream({
      pgUrl,
      natsUrl,
      prefix,
      service: 'county-dlq',
      type: Events['land-contract'].ContractRegistered,
      key: (e) => e.payload.contract?.code ?? '',
      maxAttempts,
      poison: (e) => {
        if (!poisoned || e.payload.contract?.code !== poisonCode) return undefined;
        poisonEventId = e.envelope.id;
        return reason;
      },
    });
    const { client, close } = landContractClient(service.port);
    try {
      const jsm = await manager(county.nc);
      const dlqStream = streamName(prefix, DLQ_STREAM);
      const dlqSubject = prefixed(prefix, `${DLQ_SUBJECT_ROOT}.county-dlq`);
      const n = 5;
      await registerIssuer(client);
      await pool(n, 1, async (i) => {
        await registerHouseholdWithContract(client, i + 1);
      });
      await waitFor(
        'the poison message to be dead-lettered',
        async () =>
          (await jsm.streams.info(dlqStream)).state.messages === 1 && (await county.effects()).size === n - 1,
      );
      const parked = await jsm.streams.getMessage(dlqStream, { last_by_subj: dlqSubject });
      expect(parked?.header.get('Pq-Dlq-Reason')).toBe(reason);
      expect(parked?.header.get('Pq-Attempts')).toBe(String(maxAttempts));
      expect(county.attempts.get(poisonEventId)).toBe(maxAttempts);
      // Each failed attempt wrote its effect before throwing; all of them rolled back.
      expect((await county.effectsByKey()).has(poisonCode)).toBe(false);

      // The county fixes its side; the operator replays the dead letters.
      poisoned = false;
      expect(await replayDeadLetters(county.nc, prefix, 'county-dlq')).toBe(1);
      await waitFor('the replayed event to be handled', async () =>
        (await county.effectsByKey()).has(poisonCode),
      );
      expect(await replayDeadLetters(county.nc, prefix, 'county-dlq')).toBe(0);
      await sleep(500);
      const byKey = await county.effectsByKey();
      console.log(
        `fault/dead-letter: ${n} events, 1 failed ${maxAttempts} times and was dead-lettered ("${reason}"), ` +
          `replayed once and handled once; effects: ${byKey.size} contracts, ` +
          `${[...byKey.values()].filter((v) => v > 1).length} doubled, ${(await jsm.streams.info(dlqStream)).state.messages} left in the dead-letter stream`,
      );
      expect(byKey.size).toBe(n);
      expect([...byKey.values()].every((v) => v === 1)).toBe(true);
      expect((await jsm.streams.info(dlqStream)).state.messages).toBe(0);
    } finally {
      close();
      await county.stop();
      await service.stop();
      await db.drop();
    }
  }, 30_000);
});
