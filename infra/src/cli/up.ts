// `npm start`: PostgreSQL (embedded unless DATABASE_URL), nats-server with JetStream (unless
// NATS_URL), every service and the gateway as child processes, demo data, then the URLs.
// Ctrl-C stops everything in reverse order; data persists in .pq/ until `--fresh`.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import { ensureDatabase, GrpcClients, onStopSignals, PrincipalSigner, waitForHealthy } from '@pingquan/kit';
import { Command } from 'commander';
import { DEFAULT_PORTS, SERVICES, serviceUrls } from '../components.js';
import { type LocalNats, startNatsServer } from '../local/nats.js';
import { isListening, waitForPort } from '../local/ports.js';
import type { LocalPostgres } from '../local/postgres.js';
import { startDetachedPostgres } from '../local/postgres-detached.js';
import type { Scale } from '../seed/dataset.js';
import { seedThroughImport } from '../seed/import-load.js';
import { seedThroughServices } from '../seed/load.js';
import { startHistoryReplica } from '../seed/mortgage-history.js';
import { seedMortgages } from '../seed/mortgage-load.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const program = new Command()
  .name('up')
  .option('--fresh', 'delete local data (.pq/) and start from empty')
  .option(
    '--scale <scale>',
    'demo data: small (quick start) or full (the whole city, ~110,000 households)',
    'small',
  )
  .option('--no-seed', 'start without demo data')
  .parse();
const opts = program.opts<{ fresh?: boolean; scale: Scale; seed: boolean }>();
if (opts.scale !== 'small' && opts.scale !== 'full') {
  process.stderr.write(`--scale must be small or full, not ${opts.scale}\n`);
  process.exit(2);
}

const dataDir = join(root, '.pq');
if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const log = (msg: string) => process.stdout.write(`[up] ${msg}\n`);

/** Secrets for local development, generated once and kept in .pq/dev.env (git-ignored). */
function devSecrets(): Record<string, string> {
  const file = join(dataDir, 'dev.env');
  if (existsSync(file)) {
    return Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }
  const secrets = {
    PQ_INTERNAL_SIGNING_KEY: randomBytes(32).toString('hex'),
    JWT_DEV_SECRET: randomBytes(32).toString('hex'),
  };
  writeFileSync(
    file,
    `${Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  return secrets;
}

const children: { name: string; proc: ChildProcess }[] = [];
let pgServer: LocalPostgres | undefined;
let natsServer: LocalNats | undefined;
let stopping = false;

function startChild(name: string, entry: string, env: Record<string, string>): ChildProcess {
  const proc = spawn(process.execPath, ['--conditions=pq-source', '--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Services log JSON; show a readable line per entry with its component name.
  const show = (line: string) => {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; err?: { message?: string } };
      if (entry.level === 'debug' || entry.level === 'trace') return;
      process.stdout.write(
        `[${name}] ${entry.level ?? ''} ${entry.msg ?? ''}${entry.err?.message ? ` — ${entry.err.message}` : ''}\n`,
      );
    } catch {
      if (line.trim()) process.stdout.write(`[${name}] ${line}\n`);
    }
  };
  if (proc.stdout) createInterface({ input: proc.stdout }).on('line', show);
  if (proc.stderr) createInterface({ input: proc.stderr }).on('line', show);
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${code ?? signal}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

async function shutdown(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  log('stopping…');
  // Reverse order: gateway, services, then NATS and PostgreSQL.
  for (const { name, proc } of [...children].reverse()) {
    if (proc.exitCode !== null) continue;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
    log(`${name} stopped`);
  }
  await natsServer?.stop();
  await pgServer?.stop();
  log('all stopped');
  process.exit(code);
}

onStopSignals(() => void shutdown(0));

async function main(): Promise<void> {
  const secrets = devSecrets();
  let serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) {
    if (await isListening(DEFAULT_PORTS.postgres)) {
      throw new Error(`port ${DEFAULT_PORTS.postgres} is taken; stop what runs there or set DATABASE_URL`);
    }
    log(`starting embedded PostgreSQL on 127.0.0.1:${DEFAULT_PORTS.postgres}`);
    pgServer = await startDetachedPostgres(dataDir, DEFAULT_PORTS.postgres);
    serverUrl = pgServer.url;
  }
  // DATABASE_URL names a server; each service gets its own database on it.
  const base = new URL(serverUrl);
  const dbUrl = (name: string) => {
    const u = new URL(base.toString());
    u.pathname = `/${name}`;
    return u.toString();
  };
  let natsUrl = process.env['NATS_URL'];
  if (!natsUrl) {
    if (await isListening(DEFAULT_PORTS.nats)) {
      throw new Error(`port ${DEFAULT_PORTS.nats} is taken; stop what runs there or set NATS_URL`);
    }
    log(`starting nats-server with JetStream on 127.0.0.1:${DEFAULT_PORTS.nats}`);
    natsServer = await startNatsServer(dataDir, DEFAULT_PORTS.nats, { detached: true });
    natsUrl = natsServer.url;
  }

  for (const svc of SERVICES) {
    await ensureDatabase(dbUrl(svc.database));
    if (await isListening(svc.port)) throw new Error(`port ${svc.port} (${svc.name}) is taken`);
    startChild(svc.name, join(svc.dir, 'src', 'main.ts'), {
      DATABASE_URL: dbUrl(svc.database),
      NATS_URL: natsUrl,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(svc.port),
      MIGRATE_ON_START: 'true',
      PQ_INTERNAL_SIGNING_KEY: secrets['PQ_INTERNAL_SIGNING_KEY'] ?? '',
      LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
      ...serviceUrls(),
    });
  }
  await Promise.all(SERVICES.map((svc) => waitForHealthy(`127.0.0.1:${svc.port}`, 60_000)));

  if (await isListening(DEFAULT_PORTS.gateway))
    throw new Error(`port ${DEFAULT_PORTS.gateway} (gateway) is taken`);
  startChild('gateway', 'gateway/src/main.ts', {
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: String(DEFAULT_PORTS.gateway),
    GATEWAY_MODE: 'development',
    JWT_DEV_SECRET: secrets['JWT_DEV_SECRET'] ?? '',
    PQ_INTERNAL_SIGNING_KEY: secrets['PQ_INTERNAL_SIGNING_KEY'] ?? '',
    NATS_URL: natsUrl,
    ...serviceUrls(),
  });
  await waitForPort(DEFAULT_PORTS.gateway, 60_000);

  if (opts.seed) {
    const clients = new GrpcClients({
      signer: new PrincipalSigner(secrets['PQ_INTERNAL_SIGNING_KEY'] ?? ''),
    });
    const landContract = clients.create(
      LandContractServiceDefinition,
      serviceUrls()['LAND_CONTRACT_GRPC_URL'] ?? '',
    );
    const started = Date.now();
    // The whole city goes through the register import (one all-or-nothing file per village), the
    // way the county loads it; the quick start registers record by record.
    const seeded =
      opts.scale === 'full'
        ? await seedThroughImport(
            {
              landContract,
              registerImport: clients.create(
                RegisterImportServiceDefinition,
                serviceUrls()['LAND_CONTRACT_GRPC_URL'] ?? '',
              ),
            },
            'full',
            { progress: process.stdout.isTTY },
          ).catch((error: unknown) => {
            throw new Error(
              `${(error as Error).message} (data of another scale in .pq/? start with --fresh)`,
            );
          })
        : await seedThroughServices({ landContract }, opts.scale, process.stdout.isTTY);
    log(
      `demo data (${opts.scale}): ${seeded.villages} villages, ${seeded.households} households, ${seeded.contracts} contracts, ${seeded.plots} plots in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    // Track B on top of the seeded contracts: the exchange centre's products, prices, valuations,
    // mortgages and loans (the history through a back-dated replica, see seed/mortgage-history.ts).
    const startedB = Date.now();
    const urls = serviceUrls();
    const m = await seedMortgages(
      {
        landContract,
        propertyMortgage: clients.create(
          PropertyMortgageServiceDefinition,
          urls['PROPERTY_MORTGAGE_GRPC_URL'] ?? '',
        ),
        startHistory: () =>
          startHistoryReplica({
            databaseUrl: dbUrl(
              SERVICES.find((svc) => svc.name === 'property-mortgage')?.database ?? 'pq_property_mortgage',
            ),
            natsUrl: natsUrl ?? '',
            signingKey: secrets['PQ_INTERNAL_SIGNING_KEY'] ?? '',
            landContractUrl: urls['LAND_CONTRACT_GRPC_URL'] ?? '',
            clients,
          }),
      },
      opts.scale,
    );
    clients.close();
    log(
      `demo data track B: ${m.banks} banks, ${m.products} loan products, ${m.benchmarkPrices} benchmark prices, ${m.valuations} valuations, ${m.applications} mortgage applications (${m.registered} registered, ${m.rejected} rejected), ${m.loans} loans (${m.overdue} overdue, ${m.nonPerforming} non-performing), ${m.repayments} repayments, ${m.released} released, fund ¥${(m.fundContributedFen / 100).toLocaleString('en-US')} contributed in ${((Date.now() - startedB) / 1000).toFixed(1)} s (as of ${m.anchor})`,
    );
    for (const s of m.skipped) log(`  track B case skipped: ${s}`);
  }

  log('ready:');
  log(`  GraphQL + GraphiQL  http://localhost:${DEFAULT_PORTS.gateway}/graphql`);
  log(`  health              http://localhost:${DEFAULT_PORTS.gateway}/healthz  /readyz`);
  for (const svc of SERVICES) log(`  ${svc.name.padEnd(18)}  grpc://127.0.0.1:${svc.port}`);
  log(`  PostgreSQL          ${serverUrl.replace(/:[^:@/]+@/, ':***@')}`);
  log(`  NATS JetStream      ${natsUrl}`);
  log('  tokens for other roles: pnpm dev-token --role TOWNSHIP_OFFICIAL --township 130881102');
  log('Ctrl-C stops everything.');
}

main().catch((error: unknown) => {
  process.stderr.write(`[up] ${(error as Error).message}\n`);
  void shutdown(1);
});
