#!/usr/bin/env node
// Mints a development token for one role, signed with JWT_DEV_SECRET (read from the environment or
// from the local run's .pq/dev.env). Development only: production tokens come from the identity provider.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROLES, TRACKS } from '@pingquan/kit';
import { Command } from 'commander';
import { mintDevToken } from '../auth.js';
import { type DevTokenArgs, devTokenClaims, MAX_DEV_TOKEN_TTL_S } from '../dev-token-args.js';

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
  .option('--track <track>', `lead unit's track (required): ${TRACKS.join(', ')}`)
  .option('--township <code...>', '9-digit township codes in scope (township official; required)')
  .option('--village <code...>', '12-digit village codes in scope (village task force; required)')
  .option('--bank <creditCode>', "cooperating bank's unified social credit code (required)")
  .option('--ttl <seconds>', `lifetime in seconds (at most ${MAX_DEV_TOKEN_TTL_S})`, '28800');

program.parse();
const opts = program.opts<DevTokenArgs>();
const checked = devTokenClaims(opts);
if (!checked.ok) {
  for (const v of checked.violations) process.stderr.write(`${v.field}: ${v.message} (${v.rule})\n`);
  process.exit(2);
}
const env = { ...devEnv(), ...process.env };
const secret = env['JWT_DEV_SECRET'];
if (!secret) {
  process.stderr.write('JWT_DEV_SECRET is not set and .pq/dev.env was not found (run `npm start` first).\n');
  process.exit(1);
}
const token = await mintDevToken(
  {
    JWT_ISSUER: env['JWT_ISSUER'] ?? 'https://id.pingquan.example',
    JWT_AUDIENCE: env['JWT_AUDIENCE'] ?? 'pingquan-gateway',
    JWT_DEV_SECRET: secret,
  },
  checked.claims,
  checked.ttlSeconds,
);
process.stdout.write(`${token}\n`);
