import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitForHealthy } from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, uniqueToken } from '@pingquan/kit/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, waitForPort } from '../../infra/src/local/ports.js';

// Issue 6 asks for small images built from a production bundle of one component. Docker cannot run
// here, so this proves the bundle itself: build, `pnpm deploy --prod` into an empty folder, and start
// the component from that folder alone (plain node, no TypeScript, no workspace) until it is ready.

const root = resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'pq-bundle-'));
const children: ChildProcess[] = [];
const drops: Array<() => Promise<void>> = [];

// The pinned pnpm: global when the bootstrap installed it (as root), else through npx.
const PNPM: [string, string[]] =
  spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).stdout?.trim() === '12.4.2'
    ? ['pnpm', []]
    : ['npx', ['--yes', 'pnpm@12.4.2']];

function pnpm(args: string[]): void {
  const run = spawnSync(PNPM[0], [...PNPM[1], ...args], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pnpm ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
}

function startFromBundle(dir: string, entry: string, env: Record<string, string>): ChildProcess {
  // Only the bundle's own folder: no workspace on the module path, no tsx, production mode.
  const child = spawn(process.execPath, [join(dir, 'dist', entry)], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

function runToEnd(
  dir: string,
  entry: string,
  env: Record<string, string>,
): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(dir, 'dist', entry)], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stderr: run.stderr };
}

beforeAll(() => {
  pnpm(['run', 'build']);
  pnpm(['--filter', '@pingquan/land-contract', 'deploy', '--prod', join(scratch, 'land-contract')]);
  pnpm(['--filter', '@pingquan/property-mortgage', 'deploy', '--prod', join(scratch, 'property-mortgage')]);
  pnpm(['--filter', '@pingquan/gateway', 'deploy', '--prod', join(scratch, 'gateway')]);
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const drop of drops) await drop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('production bundles', () => {
  it('hold compiled JavaScript and production dependencies only', () => {
    for (const name of ['land-contract', 'property-mortgage', 'gateway']) {
      const dir = join(scratch, name);
      expect(existsSync(join(dir, 'dist', 'main.js'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules', 'vitest'))).toBe(false);
      expect(existsSync(join(dir, 'src'))).toBe(false);
    }
  });

  it('each service migrates, creates its streams and reaches readiness from its bundle; the gateway too', async () => {
    const token = uniqueToken();
    const base = {
      NATS_URL: inject('natsUrl'),
      NATS_SUBJECT_PREFIX: `${token}.`,
      PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
      MIGRATE_ON_START: 'false',
    };
    const ports: Record<string, number> = {};
    for (const name of ['land-contract', 'property-mortgage']) {
      const db = await createTestDatabase(inject('pgUrl'), `bundle_${name.replace('-', '_')}_${token}`);
      drops.push(db.drop);
      const dir = join(scratch, name);
      const env = { ...base, DATABASE_URL: db.url };
      const migrated = runToEnd(dir, 'migrate.js', env);
      expect(migrated.status, migrated.stderr).toBe(0);
      const streams = runToEnd(dir, 'streams.js', env);
      expect(streams.status, streams.stderr).toBe(0);
      ports[name] = await freePort();
      startFromBundle(dir, 'main.js', {
        ...env,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(ports[name]),
        LAND_CONTRACT_GRPC_URL: `127.0.0.1:${ports['land-contract']}`,
      });
      await waitForHealthy(`127.0.0.1:${ports[name]}`, 30_000, 'readiness');
    }

    const httpPort = await freePort();
    startFromBundle(join(scratch, 'gateway'), 'main.js', {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(httpPort),
      GATEWAY_MODE: 'production',
      JWT_JWKS_URL: 'https://id.pingquan.example/.well-known/jwks.json',
      PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
      LAND_CONTRACT_GRPC_URL: `127.0.0.1:${ports['land-contract']}`,
      PROPERTY_MORTGAGE_GRPC_URL: `127.0.0.1:${ports['property-mortgage']}`,
      NATS_URL: inject('natsUrl'),
    });
    await waitForPort(httpPort, 30_000);
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    // Production mode: no GraphiQL page.
    const page = await fetch(`http://127.0.0.1:${httpPort}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
  }, 120_000);
});
