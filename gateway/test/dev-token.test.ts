import { describe, expect, it } from 'vitest';
import { devTokenClaims } from '../src/dev-token-args.js';

const rules = (r: ReturnType<typeof devTokenClaims>) =>
  r.ok ? [] : r.violations.map((v) => `${v.field} ${v.rule}`);

describe('dev-token flags', () => {
  it('mints a leading-group token with no scope flag', () => {
    const r = devTokenClaims({ role: 'LEADING_GROUP', ttl: '3600' });
    expect(r).toEqual({
      ok: true,
      ttlSeconds: 3600,
      claims: { sub: 'dev:leading_group', pq_role: 'LEADING_GROUP' },
    });
  });

  it('requires each scoped role’s scope flag, naming it', () => {
    expect(rules(devTokenClaims({ role: 'LEAD_UNIT', ttl: '60' }))).toEqual(['--track SCOPE_REQUIRED']);
    expect(rules(devTokenClaims({ role: 'TOWNSHIP_OFFICIAL', ttl: '60' }))).toEqual([
      '--township SCOPE_REQUIRED',
    ]);
    expect(rules(devTokenClaims({ role: 'VILLAGE_TASK_FORCE', ttl: '60' }))).toEqual([
      '--village SCOPE_REQUIRED',
    ]);
    expect(rules(devTokenClaims({ role: 'COOPERATING_BANK', ttl: '60' }))).toEqual(['--bank SCOPE_REQUIRED']);
  });

  it('refuses a scope flag the role does not take', () => {
    expect(rules(devTokenClaims({ role: 'AUDITOR', track: 'A', ttl: '60' }))).toEqual([
      '--track SCOPE_NOT_FOR_ROLE',
    ]);
    expect(
      rules(devTokenClaims({ role: 'LEAD_UNIT', track: 'A', township: ['130881102'], ttl: '60' })),
    ).toEqual(['--township SCOPE_NOT_FOR_ROLE']);
  });

  it('refuses codes that are not Pingquan’s and an unknown track or role', () => {
    expect(rules(devTokenClaims({ role: 'TOWNSHIP_OFFICIAL', township: ['130881999'], ttl: '60' }))).toEqual([
      '--township DIVISION_UNKNOWN_TOWNSHIP',
    ]);
    expect(
      rules(devTokenClaims({ role: 'VILLAGE_TASK_FORCE', village: ['1308811022'], ttl: '60' })),
    ).toHaveLength(1);
    expect(
      rules(devTokenClaims({ role: 'COOPERATING_BANK', bank: '91130881MA00000000', ttl: '60' })),
    ).toHaveLength(1);
    expect(rules(devTokenClaims({ role: 'LEAD_UNIT', track: 'Z', ttl: '60' }))).toEqual([
      '--track TRACK_UNKNOWN',
    ]);
    expect(rules(devTokenClaims({ role: 'SERVICE', ttl: '60' }))).toEqual(['--role ROLE_UNKNOWN']);
  });

  it('keeps the lifetime between one second and seven days', () => {
    for (const ttl of ['0', '-5', '1.5', 'soon', String(7 * 24 * 3600 + 1)]) {
      expect(rules(devTokenClaims({ role: 'AUDITOR', ttl }))).toEqual(['--ttl TTL_RANGE']);
    }
  });

  it('carries the scope into the claims', () => {
    const r = devTokenClaims({
      role: 'VILLAGE_TASK_FORCE',
      village: ['130881102201'],
      sub: 'u:1',
      ttl: '60',
    });
    expect(r.ok && r.claims).toEqual({
      sub: 'u:1',
      pq_role: 'VILLAGE_TASK_FORCE',
      pq_villages: ['130881102201'],
    });
  });
});
