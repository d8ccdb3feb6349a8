import { startTelemetry, type Telemetry, type TelemetryOptions } from '@pingquan/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../../test/support/platform.js';
import type { Downstream } from '../src/downstream.js';
import { HOUSEHOLD } from '../src/views-operations.js';
import {
  downstreamOf,
  gql,
  type SeededHousehold,
  seedVillage,
  startGateway,
  type TestGateway,
  token,
} from './support.js';

// Spans for each resolver batch and downstream call, masked internal errors carrying the trace id,
// health and readiness, GraphiQL with an example per view.

type SpanProcessor = NonNullable<TelemetryOptions['spanProcessors']>[number];
type FinishedSpan = Parameters<SpanProcessor['onEnd']>[0];

const finished: FinishedSpan[] = [];
const capture: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span) => void finished.push(span),
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

let telemetry: Telemetry;
let platform: Platform;
let failing: TestGateway;
let households: SeededHousehold[];

beforeAll(async () => {
  telemetry = startTelemetry({ serviceName: 'gateway-test', spanProcessors: [capture] });
  platform = await startPlatform();
  households = await seedVillage(platform.gatewayUrl, '130881105201', 2);
  const real = downstreamOf(platform);
  // A bug below the gateway: an error that is not a GraphQL error must be masked.
  const broken: Downstream = {
    ...real,
    landContract: new Proxy(real.landContract, {
      get(target, prop, receiver) {
        if (prop !== 'listContracts') return Reflect.get(target, prop, receiver);
        return async () => {
          throw new Error('connection to 10.0.0.7:5432 refused (password=hunter2)');
        };
      },
    }),
  };
  failing = await startGateway(platform, {}, { downstream: broken });
});
afterAll(async () => {
  await failing?.close();
  await platform?.stop();
  await telemetry?.shutdown();
});

describe('OpenTelemetry', () => {
  it('traces each DataLoader batch and each downstream call under the request span', async () => {
    finished.length = 0;
    const bearer = await token({ sub: 'o:lg', pq_role: 'LEADING_GROUP' });
    const res = await gql(platform.gatewayUrl, bearer, {
      query: `query($a: ID!, $b: ID!) { a: household(id: $a) { code contracts { code } } b: household(id: $b) { code contracts { code } } }`,
      variables: { a: households[0]?.id, b: households[1]?.id },
    });
    expect(res.errors).toBeUndefined();
    const root = finished.find((s) => s.name === 'POST /graphql');
    expect(root).toBeDefined();
    const traceId = root?.spanContext().traceId;
    const inTrace = finished.filter((s) => s.spanContext().traceId === traceId);
    // Both households and their contracts in one batch: the households' records.
    const batch = inTrace.find((s) => s.name === 'dataloader householdRecord');
    expect(batch?.attributes['pq.dataloader.batch_size']).toBe(2);
    const grpc = inTrace.filter((s) => s.name.includes('LandContractService/BatchGetHouseholdRecords'));
    expect(grpc.length).toBeGreaterThanOrEqual(2); // client and server
    const client = grpc.find((s) => s.parentSpanContext?.spanId === batch?.spanContext().spanId);
    expect(client).toBeDefined();
  });
});

describe('masked internal errors', () => {
  it('hides the internal message and returns the trace id, continuing the caller’s trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await gql(
      failing.url,
      await token({ sub: 'o:lg', pq_role: 'LEADING_GROUP' }),
      '{ contracts { totalCount } }',
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(res.errors).toHaveLength(1);
    const error = res.errors?.[0];
    expect(error?.message).toBe(`Unexpected error. (trace ${traceId})`);
    expect(error?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', traceId });
    expect(JSON.stringify(res)).not.toMatch(/hunter2|10\.0\.0\.7/);
  });

  it('passes deliberate errors through unmasked', async () => {
    const res = await gql(failing.url, await token({ sub: 'o:lg', pq_role: 'LEADING_GROUP' }), {
      query: HOUSEHOLD,
      variables: { id: 'x' },
    });
    expect(res.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    const base = platform.gatewayUrl.replace('/graphql', '');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ok: true,
      services: { 'land-contract': 'ok', 'property-mortgage': 'ok' },
    });
  });

  it('serves GraphiQL in development with an example operation for each view', async () => {
    const html = await (await fetch(platform.gatewayUrl, { headers: { accept: 'text/html' } })).text();
    for (const name of [
      'PilotOverview',
      'SupervisionItems',
      'Township',
      'Household',
      'Contracts',
      'LiveEvents',
    ]) {
      expect(html).toContain(name);
    }
  });
});
