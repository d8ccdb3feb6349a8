import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry, type Telemetry } from '@pingquan/kit';
import {
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CountySubscriber,
  type Platform,
  startCountySubscriber,
  startPlatform,
  waitUntil,
} from '../support/platform.js';

// Telemetry first, as in every process: spans from the gateway, both gRPC ends, the relay and the
// consumer all land in this in-memory exporter.
const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let platform: Platform;
let county: CountySubscriber;

beforeAll(async () => {
  telemetry = startTelemetry({
    serviceName: 'platform-test',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  platform = await startPlatform();
  county = await startCountySubscriber(platform.prefix);
});
afterAll(async () => {
  await county?.stop();
  await platform?.stop();
  await telemetry?.shutdown();
});

const village = '130881107201';
const issuerCode = makeIssuerCode(village, 0);
const rid = (n: number) => {
  const first17 = `13088119650${n}01${String(n).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
};

const REGISTER_CONTRACT = /* GraphQL */ `
  mutation Register($input: RegisterContractInput!) {
    registerContract(input: $input) {
      contract { id code status totalArea plots { code contractArea } household { code } }
      userErrors { code field message }
    }
  }
`;

describe('platform end to end: gateway → gRPC → database → outbox → JetStream → consumer', () => {
  it('registers through GraphQL, delivers the event once to a subscriber, and forms one trace', async () => {
    const lead = await platform.token({ sub: 'user:agri', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const issuer = await platform.graphql(
      lead,
      `mutation { registerIssuer(input: { code: "${issuerCode}", creditCode: "${makeCollectiveOrgCode('VILLAGE', '130881', 'MA0000E2E')}", name: "碾子沟村股份经济合作社", change: { reason: "e2e" } }) { issuer { id } userErrors { code } } }`,
    );
    expect(issuer.errors).toBeUndefined();
    const household = await platform.graphql<{ registerHousehold: { household: { id: string } } }>(
      lead,
      `mutation($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { household { id } userErrors { code message } } }`,
      {
        input: {
          code: makeContractorCode(issuerCode, 1),
          members: [{ residentId: rid(1), name: '刘占山', relation: 'HEAD' }],
          change: { reason: 'e2e' },
        },
      },
    );
    expect(household.errors).toBeUndefined();
    const householdId = household.data?.registerHousehold.household.id;

    exporter.reset();
    const contractCode = makeContractCode(issuerCode, 1, 'FAMILY');
    const result = await platform.graphql<{
      registerContract: { contract: { id: string; totalArea: string } | null };
    }>(lead, REGISTER_CONTRACT, {
      input: {
        code: contractCode,
        householdId,
        mode: 'FAMILY',
        termStart: '1998-10-01',
        termEnd: '2028-09-30',
        secondRoundEnd: '2028-09-30',
        plots: [
          {
            code: makePlotCode(issuerCode, 1),
            name: '南梁',
            contractArea: '3.5',
            surveyedArea: '3.6',
            landClass: 'CULTIVATED',
            boundaries: { east: '路', south: '沟', west: '王家', north: '山' },
          },
        ],
        change: { reason: 'e2e', idempotencyKey: 'e2e-contract-1' },
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerContract.contract?.totalArea).toBe('3.5000');

    const received = await waitUntil(
      async () => {
        const rows = await county.received();
        return rows.length > 0 ? rows : undefined;
      },
      15_000,
      'the county subscriber to receive the event',
    );
    expect(received.map((r) => r.contract_code)).toEqual([contractCode]);

    // Retrying the same mutation with the same idempotency key neither writes nor publishes again.
    await platform.graphql(lead, REGISTER_CONTRACT, {
      input: {
        code: contractCode,
        householdId,
        mode: 'FAMILY',
        termStart: '1998-10-01',
        termEnd: '2028-09-30',
        secondRoundEnd: '2028-09-30',
        plots: [
          {
            code: makePlotCode(issuerCode, 1),
            name: '南梁',
            contractArea: '3.5',
            surveyedArea: '3.6',
            landClass: 'CULTIVATED',
            boundaries: { east: '路', south: '沟', west: '王家', north: '山' },
          },
        ],
        change: { reason: 'e2e', idempotencyKey: 'e2e-contract-1' },
      },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await county.received()).length).toBe(1);

    // One trace from the HTTP request to the consumer.
    const consumerSpan = await waitUntil(async () =>
      exporter.getFinishedSpans().find((s) => s.name === 'process pq.land-contract.v1.contract.registered'),
    );
    const trace = exporter
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === consumerSpan.spanContext().traceId);
    const names = trace.map((s) => s.name);
    expect(names).toContain('POST /graphql');
    expect(names).toContain('publish pq.land-contract.v1.contract.registered');
    expect(
      names.filter((n) => n.includes('LandContractService/RegisterContract')).length,
    ).toBeGreaterThanOrEqual(2);
    const root = trace.find((s) => s.name === 'POST /graphql');
    expect(root?.parentSpanContext?.spanId).toBeUndefined();
  });

  it('answers invalid input with BAD_USER_INPUT naming the field, and changes nothing', async () => {
    const lead = await platform.token({ sub: 'user:agri', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const before = (await county.received()).length;
    const res = await platform.graphql(
      lead,
      `mutation { registerIssuer(input: { code: "1308811072019", creditCode: "N2130881MA0000E2X", name: "x", change: { reason: "bad" } }) { issuer { id } } }`,
    );
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(String(res.errors?.[0]?.extensions?.['field'])).toMatch(/^input\./);
    await new Promise((r) => setTimeout(r, 500));
    expect((await county.received()).length).toBe(before);
  });

  it('refuses requests without a valid token', async () => {
    const res = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
      body: JSON.stringify({ query: '{ referenceDataVersion }' }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });
});
