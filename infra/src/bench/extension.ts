import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExtensionServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { ensureDatabase, GrpcClients, type Principal, PrincipalSigner, waitForHealthy } from '@pingquan/kit';
import { listVillages } from '@pingquan/reference';
import pg from 'pg';
import { freePort } from '../local/ports.js';
import type { Scale } from '../seed/dataset.js';
import { seedThroughImport } from '../seed/import-load.js';
import { sleep } from './histogram.js';
import { describeMachine, type Machine, machineLine } from './machine.js';
import { startBenchServers } from './servers.js';

// `pnpm bench extension`: the 30-year extension of the whole city. Loads the full city through the
// register import into a land-contract child process, starts one batch per village, and measures
// wall time until every batch has committed (contracts, amendments, skips, audit, outbox events) and
// until the relay has published every ContractExtended event to JetStream, with the service's
// resident memory sampled throughout. In the same run a bare SQL baseline makes the same row
// changes on copies of the tables, in the same chunking, and the ratio of the two is printed.

const root = resolve(import.meta.dirname, '..', '..', '..');
const AS_OF = '2025-06-01'; // city-wide phase: every village may run
const CHUNK = 1_000;
const TARGET_SECONDS = 120;

export interface ExtensionBenchOptions {
  scale?: Scale;
  /** Use these servers instead of starting embedded ones. */
  pgUrl?: string;
  natsUrl?: string;
  log?: (line: string) => void;
}

export interface RssFigures {
  startMiB: number;
  peakMiB: number;
  endMiB: number;
  samples: number;
}

export interface ExtensionBenchResult {
  machine: Machine;
  scale: Scale;
  villages: number;
  households: number;
  plots: number;
  load: { seconds: number; publishedSeconds: number; households: number };
  extension: {
    batches: number;
    extended: number;
    committedSeconds: number;
    publishedSeconds: number;
    contractsPerSecond: number;
    rss: RssFigures;
  };
  baseline: { seconds: number; contractsPerSecond: number; extended: number };
  /** Service wall time to committed ÷ baseline wall time (lower is better, 1 = as fast as bare SQL). */
  ratio: number;
  targetMet: boolean;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

/** Samples a process's RSS until stopped: memory during the batch, not just at its ends. */
function sampleRss(pid: number, everyMs = 250): { stop(): RssFigures } {
  const samples: number[] = [rssKiB(pid)];
  const timer = setInterval(() => {
    try {
      samples.push(rssKiB(pid));
    } catch {
      // the process is gone; the samples so far stand
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(rssKiB(pid));
      return {
        startMiB: mib(samples[0] ?? 0),
        peakMiB: mib(Math.max(...samples)),
        endMiB: mib(samples[samples.length - 1] ?? 0),
        samples: samples.length,
      };
    },
  };
}

async function waitUntil(
  sql: pg.Client,
  query: string,
  done: (n: number) => boolean,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    const n = Number((await sql.query(query)).rows[0]?.n ?? 0);
    if (done(n)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for: ${query} (last ${n})`);
    await sleep(100);
  }
}

function startService(dbUrl: string, natsUrl: string, port: number, key: string): ChildProcess {
  const { NODE_OPTIONS: _inherited, ...env } = process.env;
  const child = spawn(
    process.execPath,
    ['--conditions=pq-source', '--import', 'tsx', join(root, 'services/land-contract/src/main.ts')],
    {
      cwd: root,
      env: {
        ...env,
        LOG_LEVEL: 'warn',
        DATABASE_URL: dbUrl,
        NATS_URL: natsUrl,
        NATS_SUBJECT_PREFIX: 'benchext.',
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        MIGRATE_ON_START: 'true',
        PQ_INTERNAL_SIGNING_KEY: key,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return child;
}

/**
 * The bare baseline: per village, chunks of 1,000 due contracts in code order, each chunk ONE
 * statement (its own transaction) that updates the contracts and inserts one amendment, one outbox
 * row and one audit row per contract — the same row changes the service makes, with no application
 * code between. Two workers, like the service's runner.
 */
async function runBaseline(
  pgUrl: string,
  villages: readonly string[],
): Promise<{ seconds: number; extended: number }> {
  const statement = `
    WITH chunk AS (
      SELECT id, code, term_end, second_round_end, township_code, version FROM bench_contract
      WHERE code > $1 AND code < $2 AND status = 'ACTIVE' AND mode = 'FAMILY'
        AND coalesce(second_round_end, term_end) <= ($3::date + interval '72 months')
      ORDER BY code LIMIT ${CHUNK} FOR UPDATE),
    upd AS (
      UPDATE bench_contract c SET term_end = (coalesce(chunk.second_round_end, chunk.term_end) + interval '30 years')::date,
             second_round_end = coalesce(chunk.second_round_end, chunk.term_end), status = 'EXTENDED',
             version = c.version + 1, updated_at = now()
      FROM chunk WHERE c.id = chunk.id
      RETURNING c.id, c.code, c.township_code, chunk.term_end AS old_end, c.term_end AS new_end, c.version),
    am AS (
      INSERT INTO bench_amendment (id, contract_id, kind, batch_id, old_term_end, new_term_start, new_term_end, resolution_ref,
             certificate_reissued, detail, actor_subject, recorded_at)
      SELECT gen_random_uuid(), id, 'TERM_EXTENSION', NULL, old_end, old_end, new_end, 'baseline', false,
             jsonb_build_object('kind', 'TERM_EXTENSION', 'oldTermEnd', old_end, 'newTermEnd', new_end), 'bench', now()
      FROM upd RETURNING 1),
    ob AS (
      INSERT INTO bench_outbox (id, subject, event_type, aggregate_type, aggregate_id, township_code, envelope, headers)
      SELECT gen_random_uuid(), 'pq.land-contract.v1.contract.extended', 'pingquan.land_contract.v1.ContractExtended', 'contract',
             id::text, township_code, convert_to(jsonb_build_object('contract', code, 'old', old_end, 'new', new_end)::text, 'UTF8'), '{}'
      FROM upd RETURNING 1),
    au AS (
      INSERT INTO bench_audit (aggregate_type, aggregate_id, aggregate_version, action, actor_subject, actor_role, at, effective_on, state)
      SELECT 'contract', id::text, version, 'contract.extended', 'bench', 'SERVICE', now(), old_end,
             jsonb_build_object('contract', code, 'termEnd', new_end)
      FROM upd RETURNING 1)
    SELECT max(code) AS last, count(*) AS n FROM upd`;
  let next = 0;
  let extended = 0;
  const started = Date.now();
  const worker = async () => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      for (;;) {
        const village = villages[next++];
        if (village === undefined) return;
        const upper = (BigInt(village) + 1n).toString().padStart(village.length, '0');
        let cursor = village;
        for (;;) {
          const { rows } = await client.query<{ last: string | null; n: string }>(statement, [
            cursor,
            upper,
            AS_OF,
          ]);
          const n = Number(rows[0]?.n ?? 0);
          extended += n;
          if (n < CHUNK || !rows[0]?.last) break;
          cursor = rows[0].last;
        }
      }
    } finally {
      await client.end();
    }
  };
  await Promise.all([worker(), worker()]);
  return { seconds: (Date.now() - started) / 1000, extended };
}

export async function runExtensionBenchmark(
  options: ExtensionBenchOptions = {},
): Promise<ExtensionBenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const scale = options.scale ?? 'full';
  const machine = describeMachine();
  log(machineLine(machine));
  const servers = options.pgUrl && options.natsUrl ? undefined : await startBenchServers();
  const pgServer = options.pgUrl ?? servers?.pgUrl ?? '';
  const natsUrl = options.natsUrl ?? servers?.natsUrl ?? '';
  const u = new URL(pgServer);
  u.pathname = `/bench_extension_${Date.now().toString(36)}`;
  const dbUrl = u.toString();
  await ensureDatabase(dbUrl);
  const key = randomBytes(32).toString('hex');
  const port = await freePort();
  const child = startService(dbUrl, natsUrl, port, key);
  const clients = new GrpcClients({ signer: new PrincipalSigner(key) });
  const sql = new pg.Client({ connectionString: dbUrl });
  try {
    await waitForHealthy(`127.0.0.1:${port}`, 120_000);
    await sql.connect();
    const address = `127.0.0.1:${port}`;
    const landContract = clients.create(LandContractServiceDefinition, address);
    const registerImport = clients.create(RegisterImportServiceDefinition, address);
    const extension = clients.create(ExtensionServiceDefinition, address);

    log(`loading the ${scale} city through the register import`);
    const loadStarted = Date.now();
    const seeded = await seedThroughImport({ landContract, registerImport }, scale, {
      concurrency: 2,
      progress: process.stderr.isTTY,
    });
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    await waitUntil(
      sql,
      'SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL',
      (n) => n === 0,
      1_800_000,
    );
    const loadPublishedSeconds = (Date.now() - loadStarted) / 1000;
    log(
      `loaded ${seeded.villages} villages, ${seeded.households} households, ${seeded.plots} plots in ${loadSeconds.toFixed(1)} s (events published after ${loadPublishedSeconds.toFixed(1)} s)`,
    );

    // Copies of the tables for the baseline, taken before any extension, with the same indexes.
    for (const [copy, table] of [
      ['bench_contract', 'contract'],
      ['bench_amendment', 'contract_amendment'],
      ['bench_outbox', 'pq_outbox'],
      ['bench_audit', 'pq_audit_log'],
    ] as const) {
      await sql.query(`CREATE TABLE ${copy} (LIKE ${table} INCLUDING ALL)`);
      if (copy === 'bench_contract') await sql.query(`INSERT INTO ${copy} SELECT * FROM ${table}`);
    }
    await sql.query('VACUUM ANALYZE');

    const villages = listVillages().map((v) => v.code);
    const principal: Principal = {
      sub: 'bench:extension',
      role: 'LEAD_UNIT',
      track: 'A',
      name: 'extension benchmark',
    };
    log(`extending the whole city: ${villages.length} batches`);
    const rss = sampleRss(child.pid ?? 0);
    const started = Date.now();
    let nextVillage = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const village = villages[nextVillage++];
          if (village === undefined) return;
          await extension.startExtensionBatch(
            {
              scopeCode: village,
              resolution: {
                body: 'COLLECTIVE_RESOLUTION_BODY_MEMBER_MEETING',
                matter: 'CONTRACT_EXTENSION',
                meetingDate: '2025-03-20',
                noticeDate: '2025-03-05',
                totalMembers: 900,
                attending: 800,
                votesFor: 700,
                votesAgainst: 20,
                documentRef: `${village}-延包决议-2025-1`,
              },
              asOfDate: AS_OF,
              context: { reason: 'extension benchmark', documentRef: '', idempotencyKey: '' },
            },
            { principal, deadline: 60_000 },
          );
        }
      }),
    );
    await waitUntil(
      sql,
      `SELECT count(*) AS n FROM extension_batch WHERE status <> 'COMPLETED'`,
      (n) => n === 0,
      1_800_000,
    );
    const committedSeconds = (Date.now() - started) / 1000;
    await waitUntil(
      sql,
      'SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL',
      (n) => n === 0,
      1_800_000,
    );
    const publishedSeconds = (Date.now() - started) / 1000;
    const rssFigures = rss.stop();
    const [totals] = (
      await sql.query(
        'SELECT count(*) AS batches, coalesce(sum(extended_count), 0) AS extended FROM extension_batch',
      )
    ).rows;
    const extended = Number(totals.extended);
    log(
      `service: ${extended} contracts extended in ${committedSeconds.toFixed(1)} s, events published after ${publishedSeconds.toFixed(1)} s`,
    );

    log('baseline: the same row changes in bare SQL, same chunking');
    const baseline = await runBaseline(dbUrl, villages);
    log(`baseline: ${baseline.extended} contracts in ${baseline.seconds.toFixed(1)} s`);

    const result: ExtensionBenchResult = {
      machine,
      scale,
      villages: seeded.villages,
      households: seeded.households,
      plots: seeded.plots,
      load: { seconds: loadSeconds, publishedSeconds: loadPublishedSeconds, households: seeded.households },
      extension: {
        batches: Number(totals.batches),
        extended,
        committedSeconds,
        publishedSeconds,
        contractsPerSecond: extended / committedSeconds,
        rss: rssFigures,
      },
      baseline: {
        seconds: baseline.seconds,
        extended: baseline.extended,
        contractsPerSecond: baseline.extended / baseline.seconds,
      },
      ratio: committedSeconds / baseline.seconds,
      targetMet: publishedSeconds < TARGET_SECONDS,
    };
    process.stdout.write(`\n${renderExtensionReport(result)}\n`);
    return result;
  } finally {
    clients.close();
    await sql.end().catch(() => undefined);
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await servers?.stop();
  }
}

export function renderExtensionReport(r: ExtensionBenchResult): string {
  const s = (n: number) => `${n.toFixed(1)} s`;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    `extension benchmark (${r.scale}): ${r.villages} villages, ${fmt(r.households)} households, ${fmt(r.plots)} plots`,
    `| measure | figure |`,
    `|---|---|`,
    `| load through the register import (committed) | ${s(r.load.seconds)} (${fmt(r.load.households / r.load.seconds)} households/s) |`,
    `| load: all register events published | ${s(r.load.publishedSeconds)} |`,
    `| whole-city extension: ${r.extension.batches} batches, ${fmt(r.extension.extended)} contracts committed | ${s(r.extension.committedSeconds)} (${fmt(r.extension.contractsPerSecond)} contracts/s) |`,
    `| whole-city extension: every ContractExtended published to JetStream | ${s(r.extension.publishedSeconds)} (target < ${TARGET_SECONDS} s: ${r.targetMet ? 'met' : 'NOT met'}) |`,
    `| service RSS during the extension: start / peak / end | ${r.extension.rss.startMiB} / ${r.extension.rss.peakMiB} / ${r.extension.rss.endMiB} MiB (${r.extension.rss.samples} samples) |`,
    `| bare SQL baseline, same row changes and chunking | ${s(r.baseline.seconds)} (${fmt(r.baseline.contractsPerSecond)} contracts/s) |`,
    `| ratio service ÷ baseline (time to committed) | ${r.ratio.toFixed(2)}× |`,
    '',
    machineLine(r.machine),
  ].join('\n');
}
