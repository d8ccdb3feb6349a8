import { makeCollectiveOrgCode, makeIssuerCode } from '@pingquan/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../../test/support/platform.js';
import type { AuditEntry } from '../src/audit.js';
import type { TokenClaims } from '../src/auth.js';
import { HOUSEHOLD } from '../src/views-operations.js';
import {
  gql,
  type SeededHousehold,
  seedVillage,
  startGateway,
  startIdentityProvider,
  type TestGateway,
  type TestIdentityProvider,
  token,
} from './support.js';

// The roles table of DOMAIN.md as a matrix: each role × each operation, allowed or refused. "Allowed"
// rows also say what the role sees (its own track, masked or unmasked ID numbers, an empty list).

let platform: Platform;
let audited: TestGateway;
const auditLines: AuditEntry[] = [];
let inScope: SeededHousehold;
let outOfScope: SeededHousehold;

const OWN_TOWNSHIP = '130881102';
const OWN_VILLAGE = '130881102201';
const OTHER_VILLAGE = '130881103201';

beforeAll(async () => {
  platform = await startPlatform();
  [inScope] = (await seedVillage(platform.gatewayUrl, OWN_VILLAGE, 2)) as [SeededHousehold];
  [outOfScope] = (await seedVillage(platform.gatewayUrl, OTHER_VILLAGE, 1)) as [SeededHousehold];
  audited = await startGateway(platform, {}, { auditSink: (entry) => auditLines.push(entry) });
});
afterAll(async () => {
  await audited?.close();
  await platform?.stop();
});

type RoleName =
  | 'LEADING_GROUP'
  | 'LEAD_UNIT_A'
  | 'LEAD_UNIT_B'
  | 'TOWNSHIP_OFFICIAL'
  | 'VILLAGE_TASK_FORCE'
  | 'COOPERATING_BANK'
  | 'COUNTY_SYSTEM'
  | 'AUDITOR';

const ROLE_CLAIMS: Record<RoleName, TokenClaims> = {
  LEADING_GROUP: { sub: 'm:lg', pq_role: 'LEADING_GROUP' },
  LEAD_UNIT_A: { sub: 'm:lua', pq_role: 'LEAD_UNIT', pq_track: 'A' },
  LEAD_UNIT_B: { sub: 'm:lub', pq_role: 'LEAD_UNIT', pq_track: 'B' },
  TOWNSHIP_OFFICIAL: { sub: 'm:to', pq_role: 'TOWNSHIP_OFFICIAL', pq_townships: [OWN_TOWNSHIP] },
  VILLAGE_TASK_FORCE: { sub: 'm:vtf', pq_role: 'VILLAGE_TASK_FORCE', pq_villages: [OWN_VILLAGE] },
  COOPERATING_BANK: { sub: 'm:bank', pq_role: 'COOPERATING_BANK', pq_bank: '91130881MA0BANK001' },
  COUNTY_SYSTEM: { sub: 'm:county', pq_role: 'COUNTY_SYSTEM' },
  AUDITOR: { sub: 'm:aud', pq_role: 'AUDITOR', name: '审计员' },
};

interface Operation {
  name: string;
  run(
    bearer: string,
    role: RoleName,
  ): Promise<{ data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }>;
  /** What an allowed answer shows, to tell allowed from allowed-but-empty. */
  seen(data: unknown): unknown;
}

const url = () => platform.gatewayUrl;

let issuerGroup = 10;
const OPERATIONS: Record<string, Operation> = {
  pilotOverview: {
    name: 'pilotOverview',
    run: (b) => gql(url(), b, '{ pilotOverview { tracks { track } } }'),
    seen: (d) =>
      (d as { pilotOverview: { tracks: { track: string }[] } }).pilotOverview.tracks
        .map((t) => t.track)
        .join(''),
  },
  supervisionItems: {
    name: 'supervisionItems',
    run: (b) =>
      gql(
        url(),
        b,
        '{ supervisionItems(statuses: [OVERDUE, AT_RISK, NO_DATA, ON_TRACK, ACHIEVED], first: 100) { nodes { track } } }',
      ),
    seen: (d) =>
      [
        ...new Set(
          (d as { supervisionItems: { nodes: { track: string }[] } }).supervisionItems.nodes.map(
            (n) => n.track,
          ),
        ),
      ]
        .sort()
        .join(''),
  },
  townshipOwn: {
    name: 'township(own)',
    run: (b) => gql(url(), b, `{ township(code: "${OWN_TOWNSHIP}") { name } }`),
    seen: () => 'shown',
  },
  townshipOther: {
    name: 'township(other)',
    run: (b) => gql(url(), b, '{ township(code: "130881103") { name } }'),
    seen: () => 'shown',
  },
  householdInScope: {
    name: 'household(in scope)',
    run: (b) => gql(url(), b, { query: HOUSEHOLD, variables: { id: inScope.id } }),
    seen: (d) => {
      const id =
        (d as { household: { members: { residentId: string }[] } }).household.members[0]?.residentId ?? '';
      return id.includes('*') ? 'masked' : 'unmasked';
    },
  },
  householdOutOfScope: {
    name: 'household(out of scope)',
    run: (b) => gql(url(), b, { query: HOUSEHOLD, variables: { id: outOfScope.id } }),
    seen: () => 'shown',
  },
  contracts: {
    name: 'contracts',
    run: (b) => gql(url(), b, `{ contracts(filter: { townshipCode: "${OWN_TOWNSHIP}" }) { totalCount } }`),
    seen: (d) => (d as { contracts: { totalCount: number } }).contracts.totalCount,
  },
  registerIssuer: {
    name: 'registerIssuer',
    run: (b) => {
      issuerGroup += 1;
      return gql(url(), b, {
        query: `mutation($input: RegisterIssuerInput!) { registerIssuer(input: $input) { issuer { code } userErrors { code } } }`,
        variables: {
          input: {
            code: makeIssuerCode(OWN_VILLAGE, issuerGroup),
            creditCode: makeCollectiveOrgCode('GROUP', '130881', `MA00RLEX${issuerGroup % 10}`),
            name: `第${issuerGroup}村民小组股份经济合作社`,
            change: { reason: 'role matrix' },
          },
        },
      });
    },
    seen: (d) =>
      (d as { registerIssuer: { issuer: unknown } }).registerIssuer.issuer ? 'written' : 'refused',
  },
};

const F = 'FORBIDDEN';
/** Expected per role and operation: FORBIDDEN, or what the allowed answer shows. */
const MATRIX: Record<RoleName, Record<keyof typeof OPERATIONS, unknown>> = {
  LEADING_GROUP: {
    pilotOverview: 'ABC',
    supervisionItems: 'ABC',
    townshipOwn: 'shown',
    townshipOther: 'shown',
    householdInScope: 'masked',
    householdOutOfScope: 'shown',
    contracts: 2,
    registerIssuer: F,
  },
  LEAD_UNIT_A: {
    pilotOverview: 'A',
    supervisionItems: 'A',
    townshipOwn: 'shown',
    townshipOther: 'shown',
    householdInScope: 'unmasked',
    householdOutOfScope: 'shown',
    contracts: 2,
    registerIssuer: 'written',
  },
  LEAD_UNIT_B: {
    pilotOverview: 'B',
    supervisionItems: 'B',
    townshipOwn: 'shown',
    townshipOther: 'shown',
    householdInScope: F,
    householdOutOfScope: F,
    contracts: 0,
    registerIssuer: F,
  },
  TOWNSHIP_OFFICIAL: {
    pilotOverview: F,
    supervisionItems: F,
    townshipOwn: 'shown',
    townshipOther: F,
    householdInScope: 'unmasked',
    householdOutOfScope: F,
    contracts: 2,
    registerIssuer: 'written',
  },
  VILLAGE_TASK_FORCE: {
    pilotOverview: F,
    supervisionItems: F,
    townshipOwn: F,
    townshipOther: F,
    householdInScope: 'masked',
    householdOutOfScope: F,
    contracts: 2,
    registerIssuer: F,
  },
  COOPERATING_BANK: {
    pilotOverview: F,
    supervisionItems: F,
    townshipOwn: F,
    townshipOther: F,
    householdInScope: F,
    householdOutOfScope: F,
    contracts: 0,
    registerIssuer: F,
  },
  COUNTY_SYSTEM: {
    pilotOverview: F,
    supervisionItems: F,
    townshipOwn: F,
    townshipOther: F,
    householdInScope: F,
    householdOutOfScope: F,
    contracts: 0,
    registerIssuer: F,
  },
  AUDITOR: {
    pilotOverview: 'ABC',
    supervisionItems: 'ABC',
    townshipOwn: 'shown',
    townshipOther: 'shown',
    householdInScope: 'unmasked',
    householdOutOfScope: 'shown',
    contracts: 2,
    registerIssuer: F,
  },
};

const CASES = (Object.keys(MATRIX) as RoleName[]).flatMap((role) =>
  Object.entries(MATRIX[role]).map(([op, expected]) => ({ role, op, expected })),
);

describe('role matrix (DOMAIN.md roles table)', () => {
  it.each(CASES)('$role × $op → $expected', async ({ role, op, expected }) => {
    const operation = OPERATIONS[op] as Operation;
    const bearer = await token(ROLE_CLAIMS[role]);
    const res = await operation.run(bearer, role);
    if (expected === F) {
      expect(res.errors?.map((e) => e.extensions?.['code'])).toContain('FORBIDDEN');
      // A refusal says nothing about the record: the message is the same for every refusal.
      const forbidden = res.errors?.find((e) => e.extensions?.['code'] === 'FORBIDDEN') as {
        message: string;
      };
      expect(forbidden.message).toBe('Not allowed for your role or scope.');
    } else {
      expect(res.errors).toBeUndefined();
      expect(operation.seen(res.data)).toEqual(expected);
    }
  });

  it('changes nothing on a refused mutation', async () => {
    const code = makeIssuerCode(OWN_VILLAGE, 90);
    const res = await gql(url(), await token(ROLE_CLAIMS.LEAD_UNIT_B), {
      query: `mutation($input: RegisterIssuerInput!) { registerIssuer(input: $input) { issuer { code } } }`,
      variables: {
        input: {
          code,
          creditCode: makeCollectiveOrgCode('GROUP', '130881', 'MA00RLEX9'),
          name: '不应写入',
          change: { reason: 'refused' },
        },
      },
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const lookup = await platform.landContract.port;
    expect(lookup).toBeGreaterThan(0);
    const check = await gql(url(), await token(ROLE_CLAIMS.LEAD_UNIT_A), {
      query: `mutation($input: RegisterIssuerInput!) { registerIssuer(input: $input) { issuer { name } } }`,
      variables: {
        input: {
          code,
          creditCode: makeCollectiveOrgCode('GROUP', '130881', 'MA00RLEX9'),
          name: '后来写入',
          change: { reason: 'allowed' },
        },
      },
    });
    // Registered now with the allowed caller's name: the refused call left no issuer behind.
    expect(check.data).toEqual({ registerIssuer: { issuer: { name: '后来写入' } } });
  });
});

describe('masking and the audit of unmasked reads', () => {
  it('logs an auditor’s unmasked read with principal, operation and the ids read', async () => {
    auditLines.length = 0;
    const res = await gql<{ household: { id: string; members: { residentId: string }[] } }>(
      audited.url,
      await token(ROLE_CLAIMS.AUDITOR),
      { query: HOUSEHOLD, variables: { id: inScope.id }, operationName: 'Household' },
    );
    expect(res.data?.household.members.map((m) => m.residentId)).toEqual(inScope.residentIds);
    expect(auditLines).toHaveLength(1);
    const line = auditLines[0] as AuditEntry;
    expect(line).toMatchObject({
      audit: 'read',
      principal: { sub: 'm:aud', role: 'AUDITOR', name: '审计员' },
      operation: { type: 'query', name: 'Household', rootFields: ['household(id: $id)'] },
      variables: { id: inScope.id },
      unmaskedPersonalData: { householdIds: [inScope.id], residentIdCount: 2 },
    });
    expect(line.read['Household']).toEqual([inScope.id]);
    expect(line.read['Contract']).toHaveLength(1);
    // The line names records, never the ID numbers themselves.
    expect(JSON.stringify(line)).not.toContain(inScope.residentIds[0]);
  });

  it('logs every auditor read, even without personal data', async () => {
    auditLines.length = 0;
    await gql(audited.url, await token(ROLE_CLAIMS.AUDITOR), '{ pilotOverview { asOf } }');
    expect(auditLines.map((l) => l.operation.rootFields)).toEqual([['pilotOverview']]);
  });

  it('writes nothing for a leading-group read, which is masked', async () => {
    auditLines.length = 0;
    const res = await gql<{ household: { members: { residentId: string }[] } }>(
      audited.url,
      await token(ROLE_CLAIMS.LEADING_GROUP),
      { query: HOUSEHOLD, variables: { id: inScope.id } },
    );
    expect(res.data?.household.members[0]?.residentId).toMatch(/^130881\*{8}\d{3}[\dX]$/);
    expect(auditLines).toHaveLength(0);
  });

  it('writes the default audit sink as a structured log line', async () => {
    const { loggerAuditSink } = await import('../src/audit.js');
    const lines: { obj: unknown; msg: string }[] = [];
    const sink = loggerAuditSink({
      info: ((obj: unknown, msg: string) => lines.push({ obj, msg })) as never,
    });
    sink({
      audit: 'read',
      principal: { sub: 'a', role: 'AUDITOR' },
      operation: { type: 'query', name: null, rootFields: [] },
      variables: {},
      read: {},
      unmaskedPersonalData: { householdIds: [], residentIdCount: 0 },
      traceId: '',
    });
    expect(lines[0]).toMatchObject({
      msg: 'audit: read',
      obj: { audit: 'read', principal: { role: 'AUDITOR' } },
    });
  });
});

describe('identity: bearer tokens verified with jose', () => {
  let idp: TestIdentityProvider;
  let prod: TestGateway;

  beforeAll(async () => {
    idp = await startIdentityProvider();
    prod = await startGateway(platform, idp.env);
  });
  afterAll(async () => {
    await prod?.close();
    await idp?.close();
  });

  it('accepts a token signed by a key from the JWKS', async () => {
    const res = await gql(prod.url, await idp.sign({ pq_role: 'LEADING_GROUP' }), '{ referenceDataVersion }');
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
  });

  it.each([
    ['a development (HS256) token', () => token(ROLE_CLAIMS.LEADING_GROUP)],
    ['another audience', () => idp.sign({ pq_role: 'LEADING_GROUP' }, { aud: 'other' })],
    ['an expired token', () => idp.sign({ pq_role: 'LEADING_GROUP' }, { exp: '-5m' })],
    ['a token without platform claims', () => idp.sign({})],
    ['a lead unit without its track', () => idp.sign({ pq_role: 'LEAD_UNIT' })],
    ['the internal SERVICE role', () => idp.sign({ pq_role: 'SERVICE' })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_what, make) => {
    const res = await gql(prod.url, await make(), '{ referenceDataVersion }');
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('refuses a request without a token', async () => {
    const res = await gql(prod.url, null, '{ referenceDataVersion }');
    expect(res.status).toBe(401);
  });
});
