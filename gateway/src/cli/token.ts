#!/usr/bin/env node
// Mints a development token for one role, signed with JWT_DEV_SECRET (read from the environment or
// from the local run's .pq/dev.env). Development only: production tokens come from the identity provider.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROLES, type RoleName, TRACKS, type TrackName } from '@pingquan/kit';
import { Command } from 'commander';
import { mintDevToken } from '../auth.js';

function devEnv(): Record<string, string> {
  try {
    const text = readFileSync(resolve(process.cwd(), '.pq', 'dev.env'), 'utf8');
    return Object.fromEntries(
      text
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
}

const program = new Command()
  .name('pq-token')
  .description('Mint a development bearer token for the GraphQL gateway.')
  .requiredOption('--role <role>', `one of ${ROLES.filter((r) => r !== 'SERVICE').join(', ')}`)
  .option('--sub <subject>', 'subject (user id)', '')
  .option('--name <name>', 'display name')
  .option('--track <track>', `lead unit's track: ${TRACKS.join(', ')}`)
  .option('--township <code...>', 'township codes in scope (township official)')
  .option('--village <code...>', 'village codes in scope (village task force)')
  .option('--bank <creditCode>', "cooperating bank's unified social credit code")
  .option('--ttl <seconds>', 'lifetime in seconds', '28800');

program.parse();
const opts = program.opts<{
  role: string;
  sub: string;
  name?: string;
  track?: string;
  township?: string[];
  village?: string[];
  bank?: string;
  ttl: string;
}>();
const env = { ...devEnv(), ...process.env };
const secret = env['JWT_DEV_SECRET'];
if (!secret) {
  process.stderr.write('JWT_DEV_SECRET is not set and .pq/dev.env was not found (run `npm start` first).\n');
  process.exit(1);
}
if (!ROLES.includes(opts.role as RoleName) || opts.role === 'SERVICE') {
  process.stderr.write(`unknown role ${opts.role}\n`);
  process.exit(1);
}
const token = await mintDevToken(
  {
    JWT_ISSUER: env['JWT_ISSUER'] ?? 'https://id.pingquan.example',
    JWT_AUDIENCE: env['JWT_AUDIENCE'] ?? 'pingquan-gateway',
    JWT_DEV_SECRET: secret,
  },
  {
    sub: opts.sub || `dev:${opts.role.toLowerCase()}`,
    pq_role: opts.role as Exclude<RoleName, 'SERVICE'>,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.track ? { pq_track: opts.track as TrackName } : {}),
    ...(opts.township ? { pq_townships: opts.township } : {}),
    ...(opts.village ? { pq_villages: opts.village } : {}),
    ...(opts.bank ? { pq_bank: opts.bank } : {}),
  },
  Number(opts.ttl),
);
process.stdout.write(`${token}\n`);
