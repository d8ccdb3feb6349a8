#!/usr/bin/env node
// The README's two commands (`npm start`, `npm test`) land here. This file is plain JavaScript on
// purpose: it runs on a fresh machine that has only Node.js and npm, before TypeScript, pnpm or any
// dependency exists. It installs what is missing, then hands over to the typed entry points.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM_VERSION = '12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const passThrough = process.argv.slice(3);

function fail(message) {
  process.stderr.write(`\n[pingquan] ${message}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (res.error) return { status: 1, error: res.error };
  return { status: res.status ?? 1 };
}

function capture(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 11)) {
  fail(`Node.js >= 20.11 is required; this is ${process.versions.node}.`);
}

// pnpm: use a global pnpm of the pinned version when present, else run the pinned one through npx
// (no root needed, cached after the first run). corepack is not used: it fails on this registry.
function pnpmCommand() {
  if (capture('pnpm', ['--version']) === PNPM_VERSION) return ['pnpm', []];
  if (process.getuid?.() === 0) {
    const res = run('npm', [
      'install',
      '--global',
      '--save-exact',
      `pnpm@${PNPM_VERSION}`,
      '--no-fund',
      '--no-audit',
    ]);
    if (res.status === 0 && capture('pnpm', ['--version']) === PNPM_VERSION) return ['pnpm', []];
  }
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

function findNatsServer() {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (existsSync(p)) return p;
  }
  return capture('sh', ['-c', 'command -v nats-server']);
}

// A local JetStream server is only needed when no NATS_URL points at one. Debian ships nats-server;
// as root we install it, otherwise we say exactly what to run.
function ensureNatsServer() {
  if (process.env.NATS_URL) return;
  if (findNatsServer()) return;
  if (process.getuid?.() !== 0) {
    fail(
      'nats-server is not installed and NATS_URL is not set.\n' +
        '  Install it with:  sudo apt-get update && sudo apt-get install -y nats-server\n' +
        '  or point NATS_URL at a JetStream-enabled NATS server.',
    );
  }
  process.stdout.write('[pingquan] installing nats-server from Debian packages...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], { env }).status !== 0) fail('apt-get update failed.');
  if (run('apt-get', ['install', '-y', '-qq', 'nats-server'], { env }).status !== 0) {
    fail('apt-get install nats-server failed.');
  }
  if (!findNatsServer()) fail('nats-server was installed but is not on the expected path.');
}

if (mode !== 'up' && mode !== 'test') fail('usage: node infra/bootstrap.mjs up|test [args]');

const [pnpm, pnpmPrefix] = pnpmCommand();
const install = run(pnpm, [...pnpmPrefix, 'install', '--frozen-lockfile', '--prefer-offline']);
if (install.status !== 0) fail('dependency installation failed (pnpm install).');

ensureNatsServer();

// Run the typed entry point directly under Node (tsx as loader), one process fewer to pass signals through.
const entry = mode === 'up' ? 'infra/src/cli/up.ts' : 'infra/src/cli/test-runner.ts';
const child = spawn(process.execPath, ['--conditions=pq-source', '--import', 'tsx', entry, ...passThrough], {
  stdio: 'inherit',
  cwd: root,
});
// A terminal's Ctrl-C reaches the whole process group; a SIGTERM sent to this process alone (a
// supervisor, `timeout`) is passed on so the platform still stops in order.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
