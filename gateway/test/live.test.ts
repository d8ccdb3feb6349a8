import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Platform, startPlatform, waitUntil } from '../../test/support/platform.js';
import type { TokenClaims } from '../src/auth.js';
import { LIVE_EVENTS } from '../src/views-operations.js';
import { gql, seedVillage, token } from './support.js';

// Live events end to end: a contract registered through the gateway travels land-contract → outbox
// → JetStream → the gateway's ordered consumer → subscriptions over SSE and over WebSocket.

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform();
  await waitUntil(
    async () => platform.gateway.live?.status()['land-contract'] === 'consuming',
    20_000,
    'the live feed to consume the land-contract stream',
  );
});
afterAll(async () => {
  await platform?.stop();
});

interface EventData {
  events: {
    id: string;
    subject: string;
    track: string;
    township: { code: string } | null;
    payload: {
      __typename: string;
      contract?: { code: string };
      household?: { code: string; members: { residentId: string }[] };
    };
  };
}

interface Stream {
  events: EventData['events'][];
  errors: unknown[];
  close(): void;
}

/** A subscription over Server-Sent Events (POST with Accept: text/event-stream). */
async function sse(claims: TokenClaims, variables: Record<string, unknown>): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${await token(claims)}`,
    },
    body: JSON.stringify({ query: LIVE_EVENTS, variables }),
    signal: controller.signal,
  });
  const stream: Stream = { events: [], errors: [], close: () => controller.abort() };
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('');
          if (data) {
            const message = JSON.parse(data) as { data?: EventData; errors?: unknown[] };
            if (message.data) stream.events.push(message.data.events);
            if (message.errors) stream.errors.push(...message.errors);
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return stream;
}

/** A subscription over WebSocket (graphql-ws protocol), token in the connection params. */
async function ws(
  claims: TokenClaims | string,
  variables: Record<string, unknown>,
): Promise<Stream & { closed: Promise<number> }> {
  const bearer = typeof claims === 'string' ? claims : await token(claims);
  let onClosed: (code: number) => void = () => undefined;
  const closed = new Promise<number>((r) => {
    onClosed = r;
  });
  const client = createClient({
    url: platform.gatewayUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${bearer}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  const stream: Stream & { closed: Promise<number> } = {
    events: [],
    errors: [],
    closed,
    close: () => void client.dispose(),
  };
  client.subscribe<EventData>(
    { query: LIVE_EVENTS, variables },
    {
      next: (message) => {
        if (message.data) stream.events.push(message.data.events);
        if (message.errors) stream.errors.push(...message.errors);
      },
      error: (error) => stream.errors.push(error),
      complete: () => undefined,
    },
  );
  return stream;
}

const leadA: TokenClaims = { sub: 'live:a', pq_role: 'LEAD_UNIT', pq_track: 'A' };
const CONTRACT_REGISTERED = 'pq.land-contract.v1.contract.registered';

describe('subscriptions fed from JetStream', () => {
  it('delivers a contract registered through the gateway over SSE and WebSocket, filtered by role', async () => {
    const live = platform.gateway.live;
    if (!live) throw new Error('live events are off');
    const before = live.subscriberCount;
    const overSse = await sse(leadA, { tracks: ['A'], townshipCodes: ['130881104'] });
    const overWs = await ws({ sub: 'live:county', pq_role: 'COUNTY_SYSTEM' }, { tracks: ['A'] });
    const ownTownship = await ws(
      { sub: 'live:t', pq_role: 'TOWNSHIP_OFFICIAL', pq_townships: ['130881104'] },
      {},
    );
    const otherTownship = await sse(
      { sub: 'live:t2', pq_role: 'TOWNSHIP_OFFICIAL', pq_townships: ['130881105'] },
      {},
    );
    const otherTrack = await sse({ sub: 'live:b', pq_role: 'LEAD_UNIT', pq_track: 'B' }, {});
    const otherFilter = await sse(leadA, { tracks: ['C'] });
    await waitUntil(async () => live.subscriberCount === before + 6, 10_000, 'six subscriptions');

    const [household] = await seedVillage(platform.gatewayUrl, '130881104201', 1);
    const contractCode = household?.contractCodes[0];

    const gotContract = (s: Stream) => s.events.some((e) => e.payload.contract?.code === contractCode);
    await waitUntil(
      async () => gotContract(overSse) && gotContract(overWs) && gotContract(ownTownship),
      20_000,
      'the event',
    );

    for (const s of [overSse, overWs, ownTownship]) {
      const event = s.events.find((e) => e.subject === CONTRACT_REGISTERED);
      expect(event).toMatchObject({
        track: 'A',
        township: { code: '130881104' },
        payload: { __typename: 'ContractEventPayload', contract: { code: contractCode } },
      });
      // Issuer, household and contract, each once, in order.
      expect(s.events.map((e) => e.subject)).toEqual([
        'pq.land-contract.v1.issuer.registered',
        'pq.land-contract.v1.household.registered',
        CONTRACT_REGISTERED,
      ]);
      const householdEvent = s.events.find((e) => e.payload.household);
      expect(householdEvent?.payload.household?.members[0]?.residentId).toMatch(/\*{8}/);
    }
    // Give stray deliveries a moment, then check the filtered-out subscribers got nothing.
    await new Promise((r) => setTimeout(r, 500));
    expect(otherTownship.events).toEqual([]);
    expect(otherTrack.events).toEqual([]);
    expect(otherFilter.events).toEqual([]);
    for (const s of [overSse, overWs, ownTownship, otherTownship, otherTrack, otherFilter]) {
      expect(s.errors).toEqual([]);
      s.close();
    }
    await waitUntil(async () => live.subscriberCount === before, 10_000, 'subscriptions to end');
  });

  it('answers BAD_USER_INPUT naming the filter field', async () => {
    const s = await sse(leadA, { townshipCodes: ['130881999'] });
    await waitUntil(async () => s.errors.length > 0, 5000, 'the error');
    expect(s.errors[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'filter.townshipCodes[0]' },
    });
    s.close();
  });

  it('closes a WebSocket whose token is not valid', async () => {
    const s = await ws('not-a-token', {});
    expect(await s.closed).toBe(4403);
  });

  it('refuses a subscription without a token over SSE', async () => {
    const res = await gql(platform.gatewayUrl, null, { query: LIVE_EVENTS });
    expect(res.status).toBe(401);
  });
});
