import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { Events } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { connectNats, GrpcClients, PrincipalSigner, streamName, waitForHealthy } from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { change, creditCode, ISSUER, leadUnitA, VILLAGE } from './fixtures.js';
import { extensionClient, extensionResolution, importClient, villageCsv } from './import-support.js';

// The extension batch survives a SIGKILL at any row: land-contract runs as a real child process,
// is killed while a batch is between its first and last chunk, restarted, and the batch completes
// with every due contract extended exactly once and exactly one ContractExtended event each.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const HOUSEHOLDS = 5_000;
const NOT_DUE = 200; // households 1–200 run to 2040

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let child: ChildProcess | undefined;
let stderr = '';

async function startChild(env: Record<string, string>): Promise<number> {
  const port = await freePort();
  child = spawn(
    process.execPath,
    ['--conditions=pq-source', '--import', 'tsx', 'services/land-contract/src/main.ts'],
    {
      cwd: root,
      env: { ...process.env, ...env, GRPC_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  await waitForHealthy(`127.0.0.1:${port}`, 60_000);
  return port;
}

function killChild(signal: NodeJS.Signals): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

const drop: Array<() => Promise<void>> = [];
afterAll(async () => {
  await killChild('SIGKILL');
  for (const fn of drop.reverse()) await fn().catch(() => undefined);
});

describe('extension batch crash and resume', () => {
  it('resumes after SIGKILL mid-batch with every due contract extended exactly once', {
    timeout: 240_000,
  }, async () => {
    const token = uniqueToken();
    const db = await createTestDatabase(inject('pgUrl'), `lc_${token}`);
    drop.push(db.drop);
    const env = testServiceEnv(db.url, inject('natsUrl'), token, { OUTBOX_POLL_INTERVAL_MS: '100' });
    const clients = new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY) });
    drop.push(async () => clients.close());
    const sql = new pg.Client({ connectionString: db.url });

    let port = await startChild(env);
    await sql.connect();
    drop.push(() => sql.end());
    const landContract = clients.create(LandContractServiceDefinition, `127.0.0.1:${port}`);
    await landContract.registerIssuer(
      { code: ISSUER, creditCode: creditCode(1), name: '常杖子村股份经济合作社', context: change() },
      { principal: leadUnitA },
    );
    const csv = villageCsv({
      issuerCode: ISSUER,
      households: HOUSEHOLDS,
      personSeries: 31,
      plotsPer: 3,
      termEnd: (n) => (n <= NOT_DUE ? '2040-12-31' : '2028-09-30'),
    });
    const imported = await importClient(clients, port).importRegisterCsv(
      {
        villageCode: VILLAGE,
        csv: Buffer.from(csv),
        dryRun: false,
        fileName: 'crash.csv',
        context: change(),
      },
      { principal: leadUnitA, deadline: 120_000 },
    );
    expect(imported.errors).toEqual([]);
    expect(imported.counts?.contracts).toBe(HOUSEHOLDS);

    const { batch } = await extensionClient(clients, port).startExtensionBatch(
      {
        scopeCode: VILLAGE,
        resolution: extensionResolution('决议〔2025〕崩溃测试'),
        asOfDate: '2025-06-01',
        context: change(),
      },
      { principal: leadUnitA },
    );
    const batchId = batch!.id;
    const progress = async () =>
      Number(
        (await sql.query('SELECT processed_contracts AS n FROM extension_batch WHERE id = $1', [batchId]))
          .rows[0].n,
      );

    // Kill as soon as at least one chunk has committed and before the last one has.
    let seen = 0;
    for (let i = 0; i < 20_000 && seen === 0; i += 1) {
      seen = await progress();
      if (seen === 0) await new Promise((r) => setTimeout(r, 2));
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(HOUSEHOLDS);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
    await killChild('SIGKILL');
    const atKill = await progress();
    expect(atKill).toBeLessThan(HOUSEHOLDS);

    port = await startChild(env);
    for (let i = 0; i < 600; i += 1) {
      const { rows } = await sql.query('SELECT status FROM extension_batch WHERE id = $1', [batchId]);
      if (rows[0].status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const due = HOUSEHOLDS - NOT_DUE;
    const final = (
      await sql.query(
        'SELECT status, processed_contracts, extended_count, skipped FROM extension_batch WHERE id = $1',
        [batchId],
      )
    ).rows[0];
    expect(final.status).toBe('COMPLETED');
    expect(Number(final.processed_contracts)).toBe(HOUSEHOLDS);
    expect(Number(final.extended_count)).toBe(due);
    expect(final.skipped.NOT_DUE.count).toBe(NOT_DUE);

    const q = async (text: string) => Number((await sql.query(text)).rows[0].n);
    expect(
      await q(
        `SELECT count(*) AS n FROM contract WHERE status = 'EXTENDED' AND term_end = (second_round_end + interval '30 years')::date`,
      ),
    ).toBe(due);
    expect(await q(`SELECT count(*) AS n FROM contract WHERE status = 'EXTENDED'`)).toBe(due);
    expect(await q(`SELECT count(*) AS n FROM contract_amendment WHERE kind = 'TERM_EXTENSION'`)).toBe(due);
    expect(
      await q(
        `SELECT count(DISTINCT contract_id) AS n FROM contract_amendment WHERE kind = 'TERM_EXTENSION'`,
      ),
    ).toBe(due);
    expect(await q(`SELECT count(*) AS n FROM extension_skip`)).toBe(NOT_DUE);

    // Every ContractExtended event reached the stream exactly once (the relay died too).
    for (let i = 0; i < 600; i += 1) {
      if ((await q('SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL')) === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const nc = await connectNats(inject('natsUrl'), 'crash-test-reader');
    drop.push(() => nc.drain());
    const js = jetstream(nc);
    const consumer = await js.consumers.get(streamName(`${token}.`, 'PQ_LAND_CONTRACT'), {
      // A single subject as a string: the test server predates multi-subject filters.
      filter_subjects: `${token}.${Events['land-contract'].ContractExtended.subject}`,
    });
    const perContract = new Map<string, number>();
    let total = 0;
    for (;;) {
      const batchOf = await consumer.fetch({ max_messages: 1_000, expires: 1_000 });
      let got = 0;
      for await (const m of batchOf) {
        const envelope = EventEnvelope.decode(m.data);
        perContract.set(envelope.aggregateId, (perContract.get(envelope.aggregateId) ?? 0) + 1);
        got += 1;
      }
      total += got;
      if (got === 0) break;
    }
    expect(total).toBe(due);
    expect(perContract.size).toBe(due);
    expect([...perContract.values()].every((n) => n === 1)).toBe(true);
    await killChild('SIGTERM');
    if (child === undefined && stderr.includes('Error')) process.stderr.write(stderr);
  });
});
