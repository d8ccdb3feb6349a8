// `pnpm bench [outbox|latency|idle]`: the platform's benchmark harness (not a test — timing never
// decides a test). Starts its own PostgreSQL and nats-server on free loopback ports in a temp folder,
// measures, prints a table and the machine, and removes everything it started.
import { writeFileSync } from 'node:fs';
import { startTelemetry } from '@pingquan/kit';
import { Command, InvalidArgumentError } from 'commander';
import { runExtensionBenchmark } from '../bench/extension.js';
import { benchIdle, compiledServiceExists, type IdleResult } from '../bench/idle-rss.js';
import { benchLatency } from '../bench/latency.js';
import { describeMachine, machineLine } from '../bench/machine.js';
import { benchOutbox, OUTBOX_PATHS, type OutboxPathName } from '../bench/outbox-throughput.js';
import { benchPairs } from '../bench/pairs.js';
import { type BenchReport, renderTable } from '../bench/report.js';
import { startBenchServers } from '../bench/servers.js';

type Which = 'outbox' | 'latency' | 'idle' | 'pairs';

interface Options {
  commands: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  pollInterval: number;
  settle: number;
  pairs: number;
  compiled: boolean;
  paths: string;
  pg: string[];
  json?: string;
}

const int = (name: string, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be 1..${max}`);
  return n;
};

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function run(which: readonly Which[], opts: Options): Promise<void> {
  // As in every service process: telemetry first, so spans are created (and dropped, no exporter)
  // exactly as they are in production.
  const telemetry = startTelemetry({ serviceName: 'bench' });
  const machine = describeMachine();
  log(machineLine(machine));
  log('starting embedded PostgreSQL and nats-server on free ports');
  const settings = Object.fromEntries(
    opts.pg.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  if (opts.pg.length > 0)
    log(`what-if PostgreSQL settings (not the default configuration): ${opts.pg.join(' ')}`);
  const servers = await startBenchServers(settings);
  log(`PostgreSQL ${servers.pgUrl.replace(/:[^:@/]+@/, ':***@')}, NATS ${servers.natsUrl}`);
  const report: BenchReport = { machine, settings };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('interrupted; stopping servers');
    void servers.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (which.includes('outbox')) {
      report.outbox = await benchOutbox({
        pgUrl: servers.pgUrl,
        commands: opts.commands,
        concurrency: opts.concurrency,
        warmup: opts.warmup,
        rounds: opts.rounds,
        only: opts.paths
          .split(',')
          .filter((p): p is OutboxPathName => (OUTBOX_PATHS as readonly string[]).includes(p)),
        log,
      });
    }
    if (which.includes('latency')) {
      report.latency = await benchLatency({
        pgUrl: servers.pgUrl,
        natsUrl: servers.natsUrl,
        rate: opts.rate,
        seconds: opts.seconds,
        warmupSeconds: opts.warmupSeconds,
        pollIntervalMs: opts.pollInterval,
        log,
      });
    }
    if (which.includes('pairs')) {
      report.pairs = await benchPairs({
        pgUrl: servers.pgUrl,
        natsUrl: servers.natsUrl,
        pairs: opts.pairs,
        pollIntervalMs: opts.pollInterval,
        log,
      });
    }
    if (which.includes('idle')) {
      const idle: IdleResult[] = [];
      const settings = { pgUrl: servers.pgUrl, natsUrl: servers.natsUrl, settleSeconds: opts.settle, log };
      idle.push(await benchIdle(settings, 'tsx'));
      if (opts.compiled && compiledServiceExists()) {
        try {
          idle.push(await benchIdle(settings, 'dist'));
        } catch (error) {
          log(`idle: compiled service did not start (${(error as Error).message.split('\n')[0]}); skipped`);
        }
      }
      report.idle = idle;
    }
  } finally {
    await servers.stop();
    await telemetry.shutdown();
  }
  const whatIf = opts.pg.length > 0 ? `what-if PostgreSQL settings: ${opts.pg.join(' ')}\n` : '';
  process.stdout.write(`\n${renderTable(report)}\n\n${whatIf}${machineLine(machine)}\n`);
  if (opts.json) {
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`raw figures written to ${opts.json}`);
  }
}

const program = new Command()
  .name('bench')
  .description('Outbox write throughput (kit vs raw pg), commit-to-consumer latency, idle RSS of a service')
  .option('--commands <n>', 'outbox: measured commands per path', int('commands', 1_000_000), 20_000)
  .option('--concurrency <n>', 'outbox: concurrent clients (and pool size)', int('concurrency', 64), 8)
  .option('--warmup <n>', 'outbox: warm-up commands per path', int('warmup', 100_000), 2_000)
  .option('--rounds <n>', 'outbox: rounds, paths alternating', int('rounds', 100), 4)
  .option('--paths <list>', `outbox: paths to run, of ${OUTBOX_PATHS.join(',')}`, OUTBOX_PATHS.join(','))
  .option('--rate <n>', 'latency: events per second', int('rate', 5_000), 200)
  .option('--seconds <n>', 'latency: measured seconds', int('seconds', 600), 30)
  .option('--warmup-seconds <n>', 'latency: warm-up seconds', int('warmup-seconds', 60), 3)
  .option(
    '--poll-interval <ms>',
    'latency, pairs: relay polling fallback (service default 250)',
    int('poll-interval', 60_000),
    250,
  )
  .option('--settle <s>', 'idle: seconds between healthy and the reading', int('settle', 600), 10)
  .option('--pairs <n>', 'pairs: command pairs to time', int('pairs', 1000), 40)
  .option('--no-compiled', 'idle: skip the compiled (dist) service even when it exists')
  .option(
    '--pg <setting=value>',
    'what-if: a PostgreSQL setting for the run, repeatable (diagnosis only)',
    (kv: string, all: string[]) => {
      if (!/^[a-z_]+=.+$/.test(kv)) throw new InvalidArgumentError('use name=value');
      return [...all, kv];
    },
    [] as string[],
  )
  .option('--json <file>', 'also write the raw figures as JSON');

const action = (which: readonly Which[]) => async () => {
  await run(which, program.opts<Options>());
  process.exit(0);
};
program
  .command('outbox')
  .description('command throughput: state + outbox row, kit vs raw pg')
  .action(action(['outbox']));
program
  .command('latency')
  .description('commit-to-consumer latency at a fixed rate')
  .action(action(['latency']));
program
  .command('idle')
  .description('idle RSS of a land-contract process')
  .action(action(['idle']));
program
  .command('pairs')
  .description('relay wake-ups: commit-to-publish latency of two commands 1–4 ms apart (not in all)')
  .action(action(['pairs']));
program
  .command('all', { isDefault: true })
  .description('all three (default)')
  .action(action(['outbox', 'latency', 'idle']));

program
  .command('extension')
  .description('30-year extension of the whole city (loaded through the register import) vs bare SQL')
  .option('--scale <scale>', 'full (the whole city) or small', 'full')
  .action(async (cmd: { scale: string }) => {
    if (cmd.scale !== 'full' && cmd.scale !== 'small')
      throw new InvalidArgumentError('--scale must be full or small');
    const telemetry = startTelemetry({ serviceName: 'bench' });
    const result = await runExtensionBenchmark({ scale: cmd.scale });
    await telemetry.shutdown();
    const json = program.opts<Options>().json;
    if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    process.exit(0);
  });

program
  .command('gateway')
  .description(
    'GraphQL gateway: one-call query vs bare graphql-yoga, protection cost, household view at 100 req/s',
  )
  .option('--scale <scale>', 'demo data to load: small or full (the whole city)', 'small')
  .option('--gateway-seconds <n>', 'seconds per measured run', int('gateway-seconds', 600), 10)
  .option('--gateway-rounds <n>', 'rounds, targets alternating', int('gateway-rounds', 20), 3)
  .option(
    '--cpu-prof <dir>',
    'diagnosis: write a V8 CPU profile of each service and gateway process to <dir>',
  )
  .action(async (cmd: { scale: string; gatewaySeconds: number; gatewayRounds: number; cpuProf?: string }) => {
    if (cmd.scale !== 'full' && cmd.scale !== 'small')
      throw new InvalidArgumentError('--scale must be full or small');
    const { runGatewayBenchmark } = await import('../bench/gateway.js');
    const result = await runGatewayBenchmark({
      scale: cmd.scale,
      seconds: cmd.gatewaySeconds,
      rounds: cmd.gatewayRounds,
      ...(cmd.cpuProf ? { cpuProfileDir: cmd.cpuProf } : {}),
    });
    const json = program.opts<Options>().json;
    if (json) writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    process.exit(0);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`[bench] ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
