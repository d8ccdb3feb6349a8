import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDatabase, waitForHealthy } from '@pingquan/kit';
import { freePort } from '../local/ports.js';
import { sleep } from './histogram.js';

const root = resolve(import.meta.dirname, '..', '..', '..');

/** The newest compiled file land-contract runs: its own dist and the kit's. */
function newestBuild(): Date {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['services/land-contract/dist', 'packages/kit/dist']) {
    if (existsSync(join(root, dir))) walk(join(root, dir));
  }
  return new Date(newest);
}

export interface IdleOptions {
  pgUrl: string;
  natsUrl: string;
  /** Time between "healthy" and the reading. */
  settleSeconds: number;
  log(line: string): void;
}

export interface IdleResult {
  /** How the process was started. */
  launch: string;
  startupMs: number;
  /** When the compiled output was last built, newest file of the service's and the kit's dist (tsc rewrites only what changed). */
  builtAt?: string;
  /** Resident set of the service process itself after settling, MiB and MB (the target is in MB). */
  rssMiB: number;
  rssMB: number;
  /** Peak resident set during start-up, MiB. */
  peakMiB: number;
  /** Resident set of its child processes (tsx's esbuild), MiB. */
  childrenMiB: number;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const file = `/proc/${pid}/task/${task}/children`;
    if (!existsSync(file)) continue;
    for (const c of readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      out.push(Number(c), ...childPids(Number(c)));
    }
  }
  return out;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
const mb = (kib: number) => Math.round(kib * 1.024) / 1000;

/**
 * Idle RSS of a land-contract process after start-up: started as a child process the way `pnpm start`
 * starts it (or from compiled output), given its own database, left alone for `settleSeconds` after it
 * reports SERVING, then read from /proc/<pid>/status.
 */
export async function benchIdle(options: IdleOptions, launch: 'tsx' | 'dist'): Promise<IdleResult> {
  const u = new URL(options.pgUrl);
  u.pathname = `/bench_idle_${launch}`;
  await ensureDatabase(u.toString());
  const port = await freePort();
  const args =
    launch === 'tsx'
      ? ['--conditions=pq-source', '--import', 'tsx', join(root, 'services/land-contract/src/main.ts')]
      : [join(root, 'services/land-contract/dist/main.js')];
  const { NODE_OPTIONS: _inherited, ...env } = process.env;
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...env,
      LOG_LEVEL: 'warn',
      DATABASE_URL: u.toString(),
      NATS_URL: options.natsUrl,
      NATS_SUBJECT_PREFIX: `idle${launch}.`,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      MIGRATE_ON_START: 'true',
      PQ_INTERNAL_SIGNING_KEY: randomBytes(32).toString('hex'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`land-contract (${launch}) exited with ${code}: ${stderr}`)),
    ),
  );
  try {
    await Promise.race([waitForHealthy(`127.0.0.1:${port}`, 60_000), exited]);
    const startupMs = Date.now() - started;
    options.log(
      `idle: land-contract (${launch}) healthy after ${startupMs} ms; waiting ${options.settleSeconds} s`,
    );
    await Promise.race([sleep(options.settleSeconds * 1000), exited]);
    const pid = child.pid ?? 0;
    const rss = statusKiB(pid, 'VmRSS');
    return {
      launch:
        launch === 'tsx'
          ? 'node --conditions=pq-source --import tsx services/land-contract/src/main.ts'
          : 'node services/land-contract/dist/main.js',
      ...(launch === 'dist' ? { builtAt: newestBuild().toISOString() } : {}),
      startupMs,
      rssMiB: mib(rss),
      rssMB: Math.round(mb(rss) * 10) / 10,
      peakMiB: mib(statusKiB(pid, 'VmHWM')),
      childrenMiB: mib(childPids(pid).reduce((sum, c) => sum + statusKiB(c, 'VmRSS'), 0)),
    };
  } finally {
    exited.catch(() => undefined);
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  }
}

/** Whether compiled output exists to measure the production form (`node dist/main.js`). */
export function compiledServiceExists(): boolean {
  return existsSync(join(root, 'services/land-contract/dist/main.js'));
}
