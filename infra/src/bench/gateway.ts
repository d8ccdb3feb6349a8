import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { mintDevToken, VIEW_OPERATIONS } from '@pingquan/gateway';
import { ensureDatabase, GrpcClients, type Principal, PrincipalSigner, waitForHealthy } from '@pingquan/kit';
import autocannon from 'autocannon';
import pg from 'pg';
import { freePort, waitForPort } from '../local/ports.js';
import type { Scale } from '../seed/dataset.js';
import { seedThroughImport } from '../seed/import-load.js';
import { latencyHistogram, percentilesMs, sleep } from './histogram.js';
import { describeMachine, type Machine, machineLine } from './machine.js';
import { startBenchServers } from './servers.js';

// `pnpm bench gateway`: the GraphQL gateway against a bare graphql-yoga server, same run, same
// machine, all on 127.0.0.1. Each server runs in its own process (as in production) and autocannon
// drives it from this one:
//   1. closed loop, fixed connections: a query resolved by ONE downstream gRPC call (contract by code:
//      gateway → land-contract GetContract → PostgreSQL) vs the bare server's static field. Target:
//      ≥ 45% of the bare requests/s, p95 ≤ 3× the bare p95.
//   2. the same query on a second gateway without its protection plugins (depth, aliases, tokens,
//      cost, directives). Target: protection costs ≤ 5% of throughput.
//   3. the household view (一户一档) at a fixed arrival rate of 100 requests/s. Target: p95 ≤ 100 ms.
// Rounds alternate the targets so that drift (thermal, other load) spreads over all of them; the
// median round is reported.

const root = resolve(import.meta.dirname, '..', '..', '..');
const JWT_DEV_SECRET = randomBytes(32).toString('hex');

export interface GatewayBenchOptions {
  /** Demo data to load through the register import: small (default) or full (the whole city). */
  scale?: Scale;
  /** Seconds per measured run of each target in each round. */
  seconds?: number;
  rounds?: number;
  connections?: number;
  /** Seconds of the fixed-rate household run. */
  householdSeconds?: number;
  householdRate?: number;
  /** Diagnosis: write a V8 CPU profile of every child process (services, gateways) to this folder. */
  cpuProfileDir?: string;
  log?: (line: string) => void;
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** HTTP 200 answers carrying GraphQL errors (counted where the request checks its body). */
  graphqlErrors: number;
}

export interface GatewayBenchResult {
  machine: Machine;
  data: { scale: Scale; villages: number; households: number; contracts: number; plots: number };
  settings: { seconds: number; rounds: number; connections: number };
  bare: LoadFigures;
  oneCall: LoadFigures;
  unprotected: LoadFigures;
  /** Diagnosis: the gateway answering without a downstream call (authentication, context, plugins). */
  noDownstream: LoadFigures;
  /** Diagnosis: land-contract's GetContract called directly over gRPC (service + PostgreSQL). */
  directGrpc: LoadFigures;
  household: LoadFigures & { rate: number; seconds: number; distinctHouseholds: number };
  ratios: {
    /** oneCall rps ÷ bare rps (target ≥ 0.45). */
    throughput: number;
    /** oneCall p95 ÷ bare p95 (target ≤ 3). */
    p95: number;
    /** 1 − protected rps ÷ unprotected rps (target ≤ 0.05). */
    protectionCost: number;
  };
  targets: { throughput: boolean; p95: boolean; protectionCost: boolean; householdP95: boolean };
}

interface Child {
  process: ChildProcess;
  port: number;
}

/** How children are started: where their lines go, and extra node flags (CPU profiles). */
interface Launch {
  log: (l: string) => void;
  nodeFlags: readonly string[];
}

async function startChild(
  entry: string,
  env: Record<string, string>,
  { log, nodeFlags }: Launch,
): Promise<Child> {
  const port = await freePort();
  const { NODE_OPTIONS: _inherited, ...inherited } = process.env;
  const args = [...nodeFlags, '--conditions=pq-source', '--import', 'tsx', join(root, entry)];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...inherited, ...env, GATEWAY_PORT: String(port), GRPC_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (l) => l !== 'ready' && log(l));
  child.once('exit', (code) => code && log(`${entry} exited with ${code}`));
  return { process: child, port };
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  const gone = new Promise((r) => child.process.once('exit', r));
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

type Instance = autocannon.Instance & PromiseLike<autocannon.Result>;

/** One autocannon run; latency percentiles from every response (autocannon itself has no p95). */
async function load(options: autocannon.Options, graphqlErrors = { count: 0 }): Promise<LoadFigures> {
  const histogram = latencyHistogram();
  const instance = autocannon(options) as unknown as Instance;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    histogram.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
  });
  const result = await instance;
  const p = percentilesMs(histogram);
  histogram.destroy();
  return {
    requestsPerSecond: Math.round(result.requests.total / (result.duration || 1)),
    p50Ms: p.p50,
    p95Ms: p.p95,
    p99Ms: p.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    graphqlErrors: graphqlErrors.count,
  };
}

/** `concurrency` callers calling GetContract back to back for `seconds`, from this process. */
async function grpcClosedLoop(
  client: ReturnType<typeof createLandContractClient>,
  codes: string[],
  concurrency: number,
  seconds: number,
): Promise<LoadFigures> {
  const histogram = latencyHistogram();
  const principal: Principal = { sub: 'bench:leading-group', role: 'LEADING_GROUP' };
  const until = Date.now() + seconds * 1000;
  let next = 0;
  let errors = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t = performance.now();
        try {
          await client.getContract({ idOrCode: codes[next++ % codes.length] as string }, { principal });
        } catch {
          errors += 1;
        }
        histogram.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
      }
    }),
  );
  const p = percentilesMs(histogram);
  histogram.destroy();
  return {
    requestsPerSecond: Math.round(p.count / ((Date.now() - started) / 1000)),
    p50Ms: p.p50,
    p95Ms: p.p95,
    p99Ms: p.p99,
    requests: p.count,
    errors,
    non2xx: 0,
    graphqlErrors: 0,
  };
}

function createLandContractClient(clients: GrpcClients, address: string) {
  return clients.create(LandContractServiceDefinition, address);
}

function median(runs: LoadFigures[]): LoadFigures {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)] as LoadFigures;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export async function runGatewayBenchmark(options: GatewayBenchOptions = {}): Promise<GatewayBenchResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench] ${line}\n`));
  const scale = options.scale ?? 'small';
  const seconds = options.seconds ?? 10;
  const rounds = options.rounds ?? 3;
  const connections = options.connections ?? 16;
  const householdSeconds = options.householdSeconds ?? 30;
  const householdRate = options.householdRate ?? 100;
  const launch: Launch = {
    log,
    nodeFlags: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
  };
  const machine = describeMachine();
  log(machineLine(machine));
  const servers = await startBenchServers();
  const children: Child[] = [];
  const key = randomBytes(32).toString('hex');
  const clients = new GrpcClients({ signer: new PrincipalSigner(key) });
  try {
    const dbUrl = new URL(servers.pgUrl);
    dbUrl.pathname = `/bench_gateway_${Date.now().toString(36)}`;
    await ensureDatabase(dbUrl.toString());
    const service = await startChild(
      'services/land-contract/src/main.ts',
      {
        LOG_LEVEL: 'warn',
        DATABASE_URL: dbUrl.toString(),
        NATS_URL: servers.natsUrl,
        GRPC_HOST: '127.0.0.1',
        MIGRATE_ON_START: 'true',
        PQ_INTERNAL_SIGNING_KEY: key,
      },
      launch,
    );
    children.push(service);
    const serviceAddress = `127.0.0.1:${service.port}`;
    await waitForHealthy(serviceAddress, 120_000);
    // property-mortgage too: the household view shows mortgages and loans, so it asks both services.
    const pmDb = new URL(servers.pgUrl);
    pmDb.pathname = `/bench_gateway_pm_${Date.now().toString(36)}`;
    await ensureDatabase(pmDb.toString());
    const mortgage = await startChild(
      'services/property-mortgage/src/main.ts',
      {
        LOG_LEVEL: 'warn',
        DATABASE_URL: pmDb.toString(),
        NATS_URL: servers.natsUrl,
        GRPC_HOST: '127.0.0.1',
        MIGRATE_ON_START: 'true',
        PQ_INTERNAL_SIGNING_KEY: key,
        LAND_CONTRACT_GRPC_URL: serviceAddress,
      },
      launch,
    );
    children.push(mortgage);
    const mortgageAddress = `127.0.0.1:${mortgage.port}`;
    await waitForHealthy(mortgageAddress, 120_000);

    log(`loading the ${scale} demo city through the register import`);
    const seeded = await seedThroughImport(
      {
        landContract: clients.create(LandContractServiceDefinition, serviceAddress),
        registerImport: clients.create(RegisterImportServiceDefinition, serviceAddress),
      },
      scale,
      { concurrency: 2, progress: process.stderr.isTTY },
    );
    log(`loaded ${seeded.villages} villages, ${seeded.households} households, ${seeded.contracts} contracts`);
    // The load leaves thousands of outbox events for the relay to publish; measuring while it works
    // would charge its CPU to the gateway. Wait until everything is published, then refresh statistics.
    const sql = new pg.Client({ connectionString: dbUrl.toString() });
    await sql.connect();
    try {
      const started = Date.now();
      for (;;) {
        const { rows } = await sql.query<{ n: string }>(
          'SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL',
        );
        if (Number(rows[0]?.n ?? 0) === 0) break;
        if (Date.now() - started > 600_000)
          throw new Error('the relay did not publish the load within 10 minutes');
        await sleep(250);
      }
      await sql.query('VACUUM ANALYZE');
      log(`outbox drained after ${((Date.now() - started) / 1000).toFixed(1)} s; statistics refreshed`);
    } finally {
      await sql.end();
    }

    const gatewayEnv = (target: string) => ({
      BENCH_TARGET: target,
      LOG_LEVEL: 'warn',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_MODE: 'development',
      JWT_DEV_SECRET,
      PQ_INTERNAL_SIGNING_KEY: key,
      LAND_CONTRACT_GRPC_URL: serviceAddress,
      PROPERTY_MORTGAGE_GRPC_URL: mortgageAddress,
      NATS_URL: servers.natsUrl,
    });
    const [bare, gateway, unprotected] = await Promise.all([
      startChild('infra/src/bench/gateway-process.ts', gatewayEnv('bare'), launch),
      startChild('infra/src/bench/gateway-process.ts', gatewayEnv('gateway'), launch),
      startChild('infra/src/bench/gateway-process.ts', gatewayEnv('gateway-unprotected'), launch),
    ]);
    children.push(bare, gateway, unprotected);
    await Promise.all([bare, gateway, unprotected].map((c) => waitForPort(c.port, 60_000)));

    const token = await mintDevToken(
      { JWT_ISSUER: 'https://id.pingquan.example', JWT_AUDIENCE: 'pingquan-gateway', JWT_DEV_SECRET },
      { sub: 'bench:leading-group', pq_role: 'LEADING_GROUP' },
    );
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const url = (c: Child) => `http://127.0.0.1:${c.port}/graphql`;

    // Contracts and households present, from the gateway itself (the view operations as clients send them).
    const contractCodes: string[] = [];
    const householdIds = new Set<string>();
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res = await fetch(url(gateway), {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: VIEW_OPERATIONS.Contracts, variables: { first: 100, after } }),
      });
      const body = (await res.json()) as {
        data?: {
          contracts: {
            edges: { node: { code: string; household: { id: string } | null } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      };
      for (const { node } of body.data?.contracts.edges ?? []) {
        contractCodes.push(node.code);
        if (node.household) householdIds.add(node.household.id);
      }
      if (!body.data?.contracts.pageInfo.hasNextPage) break;
      after = body.data.contracts.pageInfo.endCursor;
    }
    if (contractCodes.length === 0) throw new Error('no contracts loaded; nothing to measure');
    const ids = [...householdIds];
    log(`measuring with ${contractCodes.length} contracts and ${ids.length} households`);

    const oneCallBody = (code: string) =>
      JSON.stringify({
        query: `query One($code: String!) { contract(idOrCode: $code) { code status totalArea } }`,
        variables: { code },
      });
    let next = 0;
    const oneCallErrors = { count: 0 };
    const oneCallRequest = {
      method: 'POST' as const,
      path: '/graphql',
      headers,
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        body: oneCallBody(contractCodes[next++ % contractCodes.length] as string),
      }),
      onResponse: (_status: number, body: string) => {
        if (body.includes('"errors"')) oneCallErrors.count += 1;
      },
    };
    const closedLoop = (c: Child, requests: autocannon.Request[], body?: string): autocannon.Options => ({
      url: `http://127.0.0.1:${c.port}`,
      connections,
      duration: seconds,
      requests,
      ...(body ? { body } : {}),
    });
    const bareRequest: autocannon.Request = {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    };

    log('warming up (3 s each)');
    for (const [c, r] of [
      [bare, bareRequest],
      [gateway, oneCallRequest],
      [unprotected, oneCallRequest],
    ] as const) {
      await load({ ...closedLoop(c, [r]), duration: 3 });
    }

    const runs = {
      bare: [] as LoadFigures[],
      oneCall: [] as LoadFigures[],
      unprotected: [] as LoadFigures[],
    };
    for (let round = 1; round <= rounds; round++) {
      runs.bare.push(await load(closedLoop(bare, [bareRequest])));
      runs.oneCall.push(await load(closedLoop(gateway, [oneCallRequest])));
      runs.unprotected.push(await load(closedLoop(unprotected, [oneCallRequest])));
      log(
        `round ${round}/${rounds}: bare ${runs.bare.at(-1)?.requestsPerSecond} rps, one call ${runs.oneCall.at(-1)?.requestsPerSecond} rps, unprotected ${runs.unprotected.at(-1)?.requestsPerSecond} rps`,
      );
      await sleep(500);
    }
    const figures = {
      bare: median(runs.bare),
      // GraphQL errors of the one-call query, counted over every round of both gateways.
      oneCall: { ...median(runs.oneCall), graphqlErrors: oneCallErrors.count },
      unprotected: median(runs.unprotected),
    };

    // Where the time goes: the gateway alone, and the downstream call alone, same concurrency.
    const noDownstream = await load(
      closedLoop(gateway, [
        {
          method: 'POST',
          path: '/graphql',
          headers,
          body: JSON.stringify({ query: '{ referenceDataVersion }' }),
        },
      ]),
    );
    const directGrpc = await grpcClosedLoop(
      createLandContractClient(clients, serviceAddress),
      contractCodes,
      connections,
      seconds,
    );
    log(
      `diagnosis: gateway without downstream ${noDownstream.requestsPerSecond} rps, GetContract direct ${directGrpc.requestsPerSecond} rps`,
    );

    log(`household view at ${householdRate} requests/s for ${householdSeconds} s`);
    const householdErrors = { count: 0 };
    let h = 0;
    const household = await load(
      {
        url: `http://127.0.0.1:${gateway.port}`,
        connections: Math.max(10, Math.ceil(householdRate / 10)),
        overallRate: householdRate,
        duration: householdSeconds,
        requests: [
          {
            method: 'POST',
            path: '/graphql',
            headers,
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              body: JSON.stringify({
                query: VIEW_OPERATIONS.Household,
                variables: { id: ids[h++ % ids.length] },
              }),
            }),
            onResponse: (_status: number, body: string) => {
              if (body.includes('"errors"')) householdErrors.count += 1;
            },
          },
        ],
      },
      householdErrors,
    );

    const ratios = {
      throughput: round2(figures.oneCall.requestsPerSecond / figures.bare.requestsPerSecond),
      p95: round2(figures.oneCall.p95Ms / Math.max(figures.bare.p95Ms, 0.01)),
      protectionCost: round2(1 - figures.oneCall.requestsPerSecond / figures.unprotected.requestsPerSecond),
    };
    const result: GatewayBenchResult = {
      machine,
      data: { scale, ...seeded },
      settings: { seconds, rounds, connections },
      ...figures,
      noDownstream,
      directGrpc,
      household: {
        ...household,
        rate: householdRate,
        seconds: householdSeconds,
        distinctHouseholds: ids.length,
      },
      ratios,
      targets: {
        throughput: ratios.throughput >= 0.45,
        p95: ratios.p95 <= 3,
        protectionCost: ratios.protectionCost <= 0.05,
        householdP95: household.p95Ms <= 100,
      },
    };
    process.stdout.write(`\n${renderGatewayTable(result)}\n\n${machineLine(machine)}\n`);
    return result;
  } finally {
    clients.close();
    for (const child of children.reverse()) await stopChild(child);
    await servers.stop();
  }
}

export function renderGatewayTable(r: GatewayBenchResult): string {
  const row = (name: string, f: LoadFigures) =>
    `| ${name} | ${f.requestsPerSecond} | ${f.p50Ms} | ${f.p95Ms} | ${f.p99Ms} | ${f.requests} | ${f.errors + f.non2xx + f.graphqlErrors} |`;
  const yes = (ok: boolean) => (ok ? 'met' : 'NOT met');
  return [
    '| target | req/s | p50 ms | p95 ms | p99 ms | requests | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('bare graphql-yoga, static field', r.bare),
    row('gateway, one downstream gRPC call', r.oneCall),
    row('gateway without protection plugins, same query', r.unprotected),
    row(`household view at a fixed ${r.household.rate} req/s`, r.household),
    row('diagnosis: gateway, no downstream call (referenceDataVersion)', r.noDownstream),
    row('diagnosis: GetContract called directly over gRPC', r.directGrpc),
    '',
    `- one call ÷ bare: throughput ${r.ratios.throughput} (target ≥ 0.45: ${yes(r.targets.throughput)}), p95 ${r.ratios.p95}× (target ≤ 3×: ${yes(r.targets.p95)})`,
    `- protection plugins cost ${Math.round(r.ratios.protectionCost * 1000) / 10}% of throughput (target ≤ 5%: ${yes(r.targets.protectionCost)})`,
    `- household view p95 ${r.household.p95Ms} ms at ${r.household.rate} req/s over ${r.household.distinctHouseholds} households (target ≤ 100 ms: ${yes(r.targets.householdP95)})`,
    `- data: ${r.data.scale} demo city — ${r.data.villages} villages, ${r.data.households} households, ${r.data.contracts} contracts, ${r.data.plots} plots`,
  ].join('\n');
}
