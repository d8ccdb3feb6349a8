import { ROLES, type RoleName, TRACKS, type TrackName } from '@pingquan/kit';
import {
  type RuleViolation,
  validateCreditCode,
  validateTownshipCode,
  validateVillageCode,
  violation,
} from '@pingquan/reference';
import type { TokenClaims } from './auth.js';

export interface DevTokenArgs {
  role: string;
  sub?: string;
  name?: string;
  track?: string;
  township?: string[];
  village?: string[];
  bank?: string;
  ttl: string;
}

/** The longest a development token may live: one working week. */
export const MAX_DEV_TOKEN_TTL_S = 7 * 24 * 3600;

/** Which scope flag each role needs; a role not listed takes none. */
const SCOPE_FLAG: Partial<Record<RoleName, keyof DevTokenArgs>> = {
  LEAD_UNIT: 'track',
  TOWNSHIP_OFFICIAL: 'township',
  VILLAGE_TASK_FORCE: 'village',
  COOPERATING_BANK: 'bank',
};
const SCOPE_FLAGS = ['track', 'township', 'village', 'bank'] as const;

/**
 * Checks the dev-token CLI's flags and turns them into claims. A token missing its role's scope would
 * be refused by the gateway on first use (or see nothing), so the CLI refuses to mint it, naming the
 * flag; so does a scope flag the role does not take, and a code that is not one of Pingquan's.
 */
export function devTokenClaims(
  args: DevTokenArgs,
): { ok: true; claims: TokenClaims; ttlSeconds: number } | { ok: false; violations: RuleViolation[] } {
  const problems: RuleViolation[] = [];
  const role = args.role as RoleName;
  if (!ROLES.includes(role) || role === 'SERVICE') {
    const roles = ROLES.filter((r) => r !== 'SERVICE').join(', ');
    return {
      ok: false,
      violations: [violation('ROLE_UNKNOWN', '--role', `${args.role} is not one of ${roles}.`)],
    };
  }
  const needed = SCOPE_FLAG[role];
  for (const flag of SCOPE_FLAGS) {
    const given = args[flag] !== undefined;
    if (flag === needed && !given) {
      problems.push(violation('SCOPE_REQUIRED', `--${flag}`, `${role} needs --${flag} (its scope).`));
    } else if (flag !== needed && given) {
      problems.push(violation('SCOPE_NOT_FOR_ROLE', `--${flag}`, `${role} takes no --${flag}.`));
    }
  }
  if (args.track !== undefined && !TRACKS.includes(args.track as TrackName)) {
    problems.push(violation('TRACK_UNKNOWN', '--track', `${args.track} is not one of ${TRACKS.join(', ')}.`));
  }
  const checks = [
    ...(args.township ?? []).map((code) => validateTownshipCode(code, '--township')),
    ...(args.village ?? []).map((code) => validateVillageCode(code, '--village')),
    ...(args.bank !== undefined ? [validateCreditCode(args.bank, '--bank')] : []),
  ];
  for (const check of checks) if (!check.ok) problems.push(...check.violations);
  const ttl = Number(args.ttl);
  if (!/^\d+$/.test(args.ttl) || ttl < 1 || ttl > MAX_DEV_TOKEN_TTL_S) {
    problems.push(
      violation('TTL_RANGE', '--ttl', `--ttl is whole seconds from 1 to ${MAX_DEV_TOKEN_TTL_S} (7 days).`),
    );
  }
  if (problems.length > 0) return { ok: false, violations: problems };
  return {
    ok: true,
    ttlSeconds: ttl,
    claims: {
      sub: args.sub || `dev:${role.toLowerCase()}`,
      pq_role: role as Exclude<RoleName, 'SERVICE'>,
      ...(args.name ? { name: args.name } : {}),
      ...(args.track ? { pq_track: args.track as TrackName } : {}),
      ...(args.township ? { pq_townships: args.township } : {}),
      ...(args.village ? { pq_villages: args.village } : {}),
      ...(args.bank ? { pq_bank: args.bank } : {}),
    },
  };
}
