import { ClientError, Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../../test/support/platform.js';
import { HOUSEHOLD, PILOT_OVERVIEW, SUPERVISION_ITEMS, TOWNSHIP } from '../src/views-operations.js';
import {
  countingDownstream,
  downstreamOf,
  gql,
  type SeededHousehold,
  seedVillage,
  startGateway,
  type TestGateway,
  token,
} from './support.js';

let platform: Platform;
let counted: TestGateway;
let counter: ReturnType<typeof countingDownstream>;
let withoutFigures: TestGateway;
let households: SeededHousehold[];
let elsewhere: SeededHousehold[];

const TOWNSHIP_CODE = '130881102';
const OTHER_TOWNSHIP = '130881103';

beforeAll(async () => {
  platform = await startPlatform();
  households = [
    ...(await seedVillage(platform.gatewayUrl, '130881102201', 3)),
    ...(await seedVillage(platform.gatewayUrl, '130881102202', 1)),
  ];
  elsewhere = await seedVillage(platform.gatewayUrl, '130881103201', 1);
  counter = countingDownstream(downstreamOf(platform));
  counted = await startGateway(platform, {}, { downstream: counter.downstream });
  // An older land-contract without LandFiguresService: the views fall back to ListContracts totals.
  const real = downstreamOf(platform);
  withoutFigures = await startGateway(
    platform,
    {},
    {
      downstream: {
        ...real,
        landFigures: {
          ...real.landFigures,
          getLandFigures: async () => {
            throw new ClientError(
              '/pingquan.land_contract.v1.LandFiguresService/GetLandFigures',
              Status.UNIMPLEMENTED,
              'unknown method',
            );
          },
        },
      },
    },
  );
});
afterAll(async () => {
  await counted?.close();
  await withoutFigures?.close();
  await platform?.stop();
});

const leadingGroup = () => token({ sub: 'test:lg', pq_role: 'LEADING_GROUP' });

describe('household view (一户一档)', () => {
  it('returns members, contracts and plots in one query, ID numbers masked for the leading group', async () => {
    const h = households[0] as SeededHousehold;
    const res = await gql<{ household: Record<string, unknown> & { members: { residentId: string }[] } }>(
      platform.gatewayUrl,
      await leadingGroup(),
      { query: HOUSEHOLD, variables: { id: h.id } },
    );
    expect(res.errors).toBeUndefined();
    const household = res.data?.household;
    expect(household?.['code']).toBe(h.code);
    expect(household?.members.map((m) => m.residentId)).toEqual(
      h.residentIds.map((r) => `${r.slice(0, 6)}********${r.slice(14)}`),
    );
    const contracts = household?.['contracts'] as { code: string; totalArea: string; plots: unknown[] }[];
    expect(contracts.map((c) => c.code)).toEqual(h.contractCodes);
    expect(contracts[0]?.totalArea).toBe('3.7500');
    expect(contracts[0]?.plots).toHaveLength(2);
    const coverage = household?.['coverage'] as { service: string; available: boolean }[];
    expect(coverage).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'land-contract', available: true }),
        expect.objectContaining({ service: 'homestead', available: false }),
        expect.objectContaining({ service: 'property-mortgage' }),
      ]),
    );
  });

  it('costs the same downstream calls for one household as for three (no N+1)', async () => {
    const [a, b, c] = households as [SeededHousehold, SeededHousehold, SeededHousehold];
    const bearer = await leadingGroup();
    const fragment = `fragment H on Household {
        code
        members { name residentId }
        encumbrances { mortgageId }
        certificationCase { stage }
        contracts { code plots { code } encumbrances { mortgageId } household { code contracts { code } } }
      }`;
    counter.reset();
    const one = await gql(counted.url, bearer, {
      query: `query($a: ID!) { a: household(id: $a) { ...H } } ${fragment}`,
      variables: { a: a.id },
    });
    expect(one.errors).toBeUndefined();
    const callsForOne = Object.fromEntries(counter.calls);
    counter.reset();
    const three = await gql(counted.url, bearer, {
      query: `query($a: ID!, $b: ID!, $c: ID!) {
        a: household(id: $a) { ...H }
        b: household(id: $b) { ...H }
        c: household(id: $c) { ...H }
      } ${fragment}`,
      variables: { a: a.id, b: b.id, c: c.id },
    });
    expect(three.errors).toBeUndefined();
    const callsForThree = Object.fromEntries(counter.calls);
    expect(callsForThree).toEqual(callsForOne);
    // The households' records in one call (their contracts' households and contracts come from it);
    // the mortgages on each contract in one more, however many contracts there are.
    expect(callsForThree).toEqual({
      'landContract.batchGetHouseholdRecords': 1,
      'landRights.batchGetEncumbrances': 1,
    });
  });

  it('costs exactly one call per service for the household view operation', async () => {
    const [a, b] = households as [SeededHousehold, SeededHousehold];
    const bearer = await leadingGroup();
    for (const ids of [[a.id], [a.id, b.id]]) {
      counter.reset();
      const results = await Promise.all(
        ids.map((id) => gql(counted.url, bearer, { query: HOUSEHOLD, variables: { id } })),
      );
      for (const r of results) expect(r.errors).toBeUndefined();
      // Separate requests: one call per service for each request, nothing else.
      expect(Object.fromEntries(counter.calls)).toEqual({
        'landContract.batchGetHouseholdRecords': ids.length,
        'propertyMortgage.batchGetHouseholdFinances': ids.length,
      });
    }
    // A query that asks only for the household itself does not fetch the rest.
    counter.reset();
    const light = await gql(counted.url, bearer, { query: `{ household(id: "${a.id}") { code } }` });
    expect(light.errors).toBeUndefined();
    expect(Object.fromEntries(counter.calls)).toEqual({ 'landContract.batchGetHouseholds': 1 });
  });

  it('answers BAD_USER_INPUT with the field for a malformed id, null for an unknown one', async () => {
    const bad = await gql(platform.gatewayUrl, await leadingGroup(), {
      query: HOUSEHOLD,
      variables: { id: 'not-a-uuid' },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const missing = await gql(platform.gatewayUrl, await leadingGroup(), {
      query: HOUSEHOLD,
      variables: { id: '01900000-0000-7000-8000-000000000000' },
    });
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ household: null });
  });

  it('answers FORBIDDEN to a township official for another township and for an unknown id alike', async () => {
    const official = await token({
      sub: 'test:t',
      pq_role: 'TOWNSHIP_OFFICIAL',
      pq_townships: [TOWNSHIP_CODE],
    });
    const other = await gql(platform.gatewayUrl, official, {
      query: HOUSEHOLD,
      variables: { id: (elsewhere[0] as SeededHousehold).id },
    });
    const unknown = await gql(platform.gatewayUrl, official, {
      query: HOUSEHOLD,
      variables: { id: '01900000-0000-7000-8000-000000000000' },
    });
    for (const res of [other, unknown]) {
      expect(res.data?.['household']).toBeNull();
      expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    expect(other.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    const own = await gql<{ household: { members: { residentId: string }[] } }>(
      platform.gatewayUrl,
      official,
      {
        query: HOUSEHOLD,
        variables: { id: (households[0] as SeededHousehold).id },
      },
    );
    // The register keeper of the township sees ID numbers unmasked.
    expect(own.data?.household.members[0]?.residentId).toBe(households[0]?.residentIds[0]);
  });
});

describe('township view', () => {
  it('shows villages, figures from LandFiguresService, counts by status and the contracts', async () => {
    const res = await gql<{ township: Record<string, unknown> }>(platform.gatewayUrl, await leadingGroup(), {
      query: TOWNSHIP,
      variables: { code: TOWNSHIP_CODE },
    });
    expect(res.errors).toBeUndefined();
    const t = res.data?.township as {
      name: string;
      landContract: {
        figures: { contractsInForce: { count: number; area: string }; source: { method: string } };
        contractCounts: { status: string; count: number }[];
        contracts: { totalCount: number; nodes: { code: string }[] };
      };
      villages: { division: { code: string }; landFigures: { contractsInForce: { count: number } } | null }[];
    };
    expect(t.name).toBe('榆树林子镇');
    expect(t.landContract.figures.source.method).toBe('LandFiguresService.GetLandFigures');
    expect(t.landContract.figures.contractsInForce).toEqual({ count: 4, area: '15.0000' });
    expect(t.landContract.contractCounts).toContainEqual({ status: 'ACTIVE', count: 4 });
    expect(t.landContract.contracts.totalCount).toBe(4);
    const village = t.villages.find((v) => v.division.code === '130881102201');
    expect(village?.landFigures?.contractsInForce.count).toBe(3);
  });

  it('is FORBIDDEN outside a township official’s townships and BAD_USER_INPUT for an unknown code', async () => {
    const official = await token({
      sub: 'test:t',
      pq_role: 'TOWNSHIP_OFFICIAL',
      pq_townships: [OTHER_TOWNSHIP],
    });
    const res = await gql(platform.gatewayUrl, official, {
      query: TOWNSHIP,
      variables: { code: TOWNSHIP_CODE },
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const bad = await gql(platform.gatewayUrl, await leadingGroup(), {
      query: TOWNSHIP,
      variables: { code: '130881999' },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'code' });
  });

  it('refuses the land-contract section to a lead unit of another track, field by field', async () => {
    const leadB = await token({ sub: 'test:b', pq_role: 'LEAD_UNIT', pq_track: 'B' });
    const res = await gql<{ township: { name: string; landContract: unknown } }>(platform.gatewayUrl, leadB, {
      query: `{ township(code: "${TOWNSHIP_CODE}") { name landContract { contractCounts { count } } } }`,
    });
    expect(res.data?.township.name).toBe('榆树林子镇');
    expect(res.data?.township.landContract).toBeNull();
    expect(res.errors?.[0]).toMatchObject({
      path: ['township', 'landContract'],
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('pilot overview and supervision list', () => {
  it('lists every target per track with values only from services that exist', async () => {
    const res = await gql<{
      pilotOverview: {
        tracks: {
          track: string;
          phase: string;
          targets: {
            id: string;
            currentValue: number | null;
            status: string;
            source: { service: string; available: boolean; method: string };
          }[];
        }[];
      };
    }>(platform.gatewayUrl, await leadingGroup(), { query: PILOT_OVERVIEW });
    expect(res.errors).toBeUndefined();
    const tracks = res.data?.pilotOverview.tracks ?? [];
    expect(tracks.map((t) => t.track)).toEqual(['A', 'B', 'C']);
    const targets = tracks.flatMap((t) => t.targets);
    const roads = targets.find((t) => t.id === 'C-RURAL-ROADS');
    expect(roads).toMatchObject({
      currentValue: null,
      status: 'NO_DATA',
      source: { service: 'infrastructure', available: false },
    });
    const cert = targets.find((t) => t.id === 'A-CERTIFICATION');
    expect(cert?.source).toMatchObject({ service: 'land-contract', available: true });
    // Nothing is certified in this data set: 0 of 5 households.
    expect(cert?.currentValue).toBe(0);
    expect(cert?.status).toBe('OVERDUE');
    // Services not yet part of the platform give nothing; property-mortgage's figures are covered in
    // views-mortgage.test.ts (here the centre holds no records, so its milestones are 0, not done).
    for (const t of targets.filter((x) => !x.source.available)) {
      expect(t.currentValue).toBeNull();
    }
    expect(targets.find((t) => t.id === 'B-COOPERATING-BANKS')).toMatchObject({
      currentValue: 0,
      status: 'OVERDUE',
      source: { service: 'property-mortgage', available: true },
    });
  });

  it('shows a lead unit its own track only', async () => {
    const leadC = await token({ sub: 'test:c', pq_role: 'LEAD_UNIT', pq_track: 'C' });
    const res = await gql<{ pilotOverview: { tracks: { track: string }[] } }>(platform.gatewayUrl, leadC, {
      query: '{ pilotOverview { tracks { track } } }',
    });
    expect(res.data?.pilotOverview.tracks).toEqual([{ track: 'C' }]);
  });

  it('computes statuses as of a past date from the phases', async () => {
    const res = await gql<{
      pilotOverview: {
        tracks: {
          track: string;
          phase: string;
          targets: { id: string; status: string; expectedProgress: number }[];
        }[];
      };
    }>(platform.gatewayUrl, await leadingGroup(), {
      query:
        '{ pilotOverview(asOf: "2024-03-31") { tracks { track phase targets { id status expectedProgress } } } }',
    });
    expect(res.errors).toBeUndefined();
    const [a, , c] = res.data?.pilotOverview.tracks ?? [];
    expect(a?.phase).toBe('EARLY_PILOT');
    expect(c?.phase).toBe('CITY_WIDE_ROLLOUT');
    const roads = c?.targets.find((t) => t.id === 'C-RURAL-ROADS');
    // 2023-01-01 → 2025-06-30 is 911 days; 2024-03-31 is day 455.
    expect(roads?.expectedProgress).toBeCloseTo(455 / 911, 3);
    expect(roads?.status).toBe('NO_DATA');
  });

  it('answers BAD_USER_INPUT naming asOf for dates outside the pilot and in the future', async () => {
    for (const asOf of ['2022-12-31', '2999-01-01']) {
      const res = await gql(platform.gatewayUrl, await leadingGroup(), {
        query: PILOT_OVERVIEW,
        variables: { asOf },
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    }
  });

  it('lists overdue and at-risk targets with responsible units, paginated', async () => {
    const bearer = await leadingGroup();
    const all = await gql<{
      supervisionItems: {
        totalCount: number;
        nodes: { id: string; status: string; responsibleUnits: string[] }[];
      };
    }>(platform.gatewayUrl, bearer, {
      query:
        '{ supervisionItems(statuses: [OVERDUE, AT_RISK, NO_DATA], first: 100) { totalCount nodes { id status responsibleUnits } } }',
    });
    expect(all.errors).toBeUndefined();
    const items = all.data?.supervisionItems.nodes ?? [];
    expect(items.length).toBe(all.data?.supervisionItems.totalCount);
    expect(items[0]?.status).toBe('OVERDUE');
    expect(items.every((i) => i.responsibleUnits.length > 0)).toBe(true);
    const page1 = await gql<{
      supervisionItems: { nodes: { id: string }[]; pageInfo: { endCursor: string; hasNextPage: boolean } };
    }>(platform.gatewayUrl, bearer, { query: SUPERVISION_ITEMS, variables: { first: 1 } });
    const defaults = await gql<{ supervisionItems: { totalCount: number } }>(platform.gatewayUrl, bearer, {
      query: SUPERVISION_ITEMS,
      variables: { first: 100 },
    });
    expect(defaults.data?.supervisionItems.totalCount).toBeGreaterThanOrEqual(1);
    const page2 = await gql<{ supervisionItems: { nodes: { id: string }[] } }>(platform.gatewayUrl, bearer, {
      query: SUPERVISION_ITEMS,
      variables: { first: 1, after: page1.data?.supervisionItems.pageInfo.endCursor },
    });
    if ((defaults.data?.supervisionItems.totalCount ?? 0) > 1) {
      expect(page2.data?.supervisionItems.nodes[0]?.id).not.toBe(page1.data?.supervisionItems.nodes[0]?.id);
    }
  });
});

describe('figures without LandFiguresService', () => {
  it('falls back to ListContracts totals today, stating the method, and shows nothing for a past date', async () => {
    const bearer = await leadingGroup();
    const res = await gql<{
      township: {
        landContract: { figures: Record<string, unknown> & { source: { method: string; note: string } } };
      };
    }>(withoutFigures.url, bearer, { query: TOWNSHIP, variables: { code: TOWNSHIP_CODE } });
    expect(res.errors).toBeUndefined();
    const figures = res.data?.township.landContract.figures;
    expect(figures?.source.method).toBe('ListContracts totals by status');
    expect(figures?.['contractsInForce']).toEqual({ count: 4, area: null });
    expect(figures?.['households']).toBeNull();
    const past = await gql<{
      pilotOverview: {
        tracks: {
          targets: { id: string; currentValue: number | null; status: string; source: { note: string } }[];
        }[];
      };
    }>(withoutFigures.url, bearer, {
      query:
        '{ pilotOverview(asOf: "2024-06-30") { tracks { targets { id currentValue status source { note } } } } }',
    });
    const extension = past.data?.pilotOverview.tracks[0]?.targets.find((t) => t.id === 'A-EXTENSION-30Y');
    expect(extension).toMatchObject({ currentValue: null, status: 'NO_DATA' });
    expect(extension?.source.note).toMatch(/today only|describe today/);
  });
});

describe('invalid arguments', () => {
  it('answers BAD_USER_INPUT with the variable path for values GraphQL itself refuses', async () => {
    const bearer = await leadingGroup();
    const date = await gql(platform.gatewayUrl, bearer, {
      query: PILOT_OVERVIEW,
      variables: { asOf: '2024-13-45' },
    });
    expect(date.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    const lead = await token({ sub: 'test:a', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const area = await gql(platform.gatewayUrl, lead, {
      query:
        'mutation($input: RegisterContractInput!) { registerContract(input: $input) { contract { id } } }',
      variables: {
        input: {
          code: '1308811022010000111',
          householdId: (households[0] as SeededHousehold).id,
          mode: 'FAMILY',
          termStart: '1998-10-01',
          termEnd: '2028-09-30',
          plots: [
            {
              code: '1308811022010009',
              name: 'x',
              contractArea: 'abc',
              surveyedArea: '1',
              landClass: 'CULTIVATED',
              boundaries: { east: 'a', south: 'b', west: 'c', north: 'd' },
            },
          ],
          change: { reason: 'bad' },
        },
      },
    });
    expect(area.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.plots[0].contractArea',
    });
  });

  it('names the argument path of a value written inline in the query', async () => {
    const bearer = await leadingGroup();
    const literal = await gql(platform.gatewayUrl, bearer, '{ supervisionItems(track: D) { totalCount } }');
    expect(literal.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'track' });
    const lead = await token({ sub: 'test:a', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const nested = await gql(
      platform.gatewayUrl,
      lead,
      `mutation { registerContract(input: {
        code: "1308811022010000111", householdId: "${(households[0] as SeededHousehold).id}", mode: FAMILY,
        termStart: "1998-10-01", termEnd: "2028-09-30", change: { reason: "bad" },
        plots: [
          { code: "1308811022010009", name: "x", contractArea: "1", surveyedArea: "1", landClass: CULTIVATED,
            boundaries: { east: "a", south: "b", west: "c", north: "d" } },
          { code: "1308811022010010", name: "y", contractArea: 7, surveyedArea: "1", landClass: CULTIVATED,
            boundaries: { east: "a", south: "b", west: "c", north: "d" } }
        ] }) { contract { id } } }`,
    );
    expect(nested.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.plots[1].contractArea',
    });
  });
});

describe('exchange review queue (待复核)', () => {
  it('answers an empty queue as a connection, and refuses a bank without saying more', async () => {
    const query =
      '{ exchangeReviewQueue(first: 5) { totalCount nodes { kind id reason price receivedAt } pageInfo { hasNextPage } } }';
    const res = await gql<{ exchangeReviewQueue: { totalCount: number; nodes: unknown[] } }>(
      platform.gatewayUrl,
      await leadingGroup(),
      query,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.exchangeReviewQueue).toEqual({
      totalCount: 0,
      nodes: [],
      pageInfo: { hasNextPage: false },
    });
    const bank = await token({
      sub: 'test:bank',
      pq_role: 'COOPERATING_BANK',
      pq_bank: '91130881MA0000000X',
    });
    const refused = await gql(platform.gatewayUrl, bank, query);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const bad = await gql(
      platform.gatewayUrl,
      await leadingGroup(),
      '{ exchangeReviewQueue(townshipCode: "1308") { totalCount } }',
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'townshipCode' });
  });

  it('settles by hand only with a settlement, and says when there is nothing to settle', async () => {
    const lead = await token({ sub: 'test:a', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const settle = (id: string, settlement: string) =>
      gql(
        platform.gatewayUrl,
        lead,
        `mutation { settleExchangeReviewItem(input: { kind: DISPOSAL, id: "${id}", settlement: "${settlement}",
          change: { reason: "人工复核" } }) { item { id settledAt } userErrors { code field } } }`,
      );
    const empty = await settle('d-1', ' ');
    expect(empty.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.settlement',
    });
    const unknown = await settle('d-1', '已核实');
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
  });
});
