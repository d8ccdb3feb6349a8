import { EventsBySubject } from '@pingquan/contracts/catalogue';
import { TRACKS, type TrackName } from '@pingquan/kit';
import { validateTownshipCode, violation } from '@pingquan/reference';
import { GraphQLError } from 'graphql';
import { badUserInput } from '../errors.js';
import type { LiveEvent } from '../subscriptions.js';
import type { RequestContext } from '../views-context.js';
import { clearLoaders } from '../views-loaders.js';
import { divisionOf } from './base.js';

export const liveTypeDefs = /* GraphQL */ `
  """
  A domain event as a service published it (transactional outbox → JetStream), delivered live.
  Personal ID numbers in payloads are masked at the source.
  """
  type DomainEvent {
    "Event id (UUIDv7); the same event is never delivered twice to one subscription."
    id: ID!
    "Subject, e.g. pq.land-contract.v1.contract.registered (see docs/event-catalogue.md)."
    subject: String!
    "Protobuf type of the payload, e.g. pingquan.land_contract.v1.ContractRegistered."
    typeName: String!
    "Publishing service."
    service: String!
    "Track of the publishing service."
    track: Track!
    "Township the record belongs to; null for city-wide records."
    township: Division
    "When the change was committed."
    occurredAt: DateTime!
    "Aggregate type, e.g. contract."
    aggregateType: String!
    "Aggregate id."
    aggregateId: String!
    "Version of the aggregate after this event."
    aggregateVersion: Int!
    "Role of whoever made the change, e.g. LEAD_UNIT."
    actorRole: String
    "Reason given for the change."
    reason: String!
    "Document reference given for the change (e.g. a meeting resolution number)."
    documentRef: String!
    "The event's content."
    payload: DomainEventPayload!
  }

  """
  What an event carries: a typed record where the gateway knows its type, the JSON of the payload
  otherwise (later services type theirs).
  """
  union DomainEventPayload = ContractEventPayload | HouseholdEventPayload | IssuerEventPayload | OtherEventPayload

  """
  An event about a land contract (registered, extended, plots adjusted, …).
  """
  type ContractEventPayload {
    "The contract as the event carries it."
    contract: Contract!
  }

  """
  An event about a contracting household.
  """
  type HouseholdEventPayload {
    "The household as the event carries it (ID numbers masked)."
    household: Household!
  }

  """
  An event about a contract issuer.
  """
  type IssuerEventPayload {
    "The issuer as the event carries it."
    issuer: Issuer!
  }

  """
  An event the gateway does not type yet.
  """
  type OtherEventPayload {
    "The payload message as JSON (64-bit integers as numbers, bytes as base64)."
    json: String!
  }

  """
  Which events to receive; every list narrows, empty or absent lists do not.
  """
  input EventFilter {
    "Only events of services of these tracks."
    tracks: [Track!]
    "Only events of records in these townships (9-digit codes)."
    townshipCodes: [String!]
    "Only these subjects, e.g. pq.land-contract.v1.contract.registered."
    types: [String!]
  }

  """
  Live updates, over Server-Sent Events (POST /graphql with Accept: text/event-stream) or WebSocket
  (graphql-ws protocol on /graphql, token in the connection params).
  """
  type Subscription {
    "Domain events from now on, filtered by track, township and type, and by what your role may see (lead units their track, township officials their townships, village task forces their villages, banks their own mortgages)."
    events("Narrow the feed." filter: EventFilter): DomainEvent!
  }
`;

interface EventsArgs {
  filter?: {
    tracks?: TrackName[] | null;
    townshipCodes?: string[] | null;
    types?: string[] | null;
  } | null;
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') {
      return Buffer.from((v as { data: number[] }).data).toString('base64');
    }
    return v;
  });
}

export const liveResolvers = {
  Subscription: {
    events: {
      subscribe(_: unknown, args: EventsArgs, ctx: RequestContext): AsyncIterableIterator<LiveEvent> {
        const tracks = args.filter?.tracks ?? [];
        for (const [i, t] of tracks.entries()) {
          if (!TRACKS.includes(t)) {
            throw badUserInput([violation('TRACK_UNKNOWN', `filter.tracks[${i}]`, `Unknown track ${t}.`)]);
          }
        }
        const townshipCodes = args.filter?.townshipCodes ?? [];
        for (const [i, code] of townshipCodes.entries()) {
          const checked = validateTownshipCode(code, `filter.townshipCodes[${i}]`);
          if (!checked.ok) throw badUserInput(checked.violations);
        }
        const subjects = args.filter?.types ?? [];
        for (const [i, subject] of subjects.entries()) {
          if (!EventsBySubject.has(subject)) {
            throw badUserInput([
              violation(
                'EVENT_TYPE_UNKNOWN',
                `filter.types[${i}]`,
                `${subject} is not a subject of the event catalogue.`,
              ),
            ]);
          }
        }
        if (!ctx.live) {
          throw new GraphQLError('Live events are switched off on this gateway.', {
            extensions: { code: 'SERVICE_UNAVAILABLE' },
          });
        }
        return ctx.live.subscribe(ctx.principal, { tracks, townshipCodes, subjects });
      },
      resolve(event: LiveEvent, _: unknown, ctx: RequestContext): LiveEvent {
        // One context serves the whole subscription: resolve each event against fresh data.
        clearLoaders(ctx.loaders);
        clearLoaders(ctx.views);
        ctx.audit.read('DomainEvent', event.id);
        return event;
      },
    },
  },
  DomainEvent: {
    track: (e: LiveEvent) => e.scope.track,
    township: (e: LiveEvent) => (e.scope.townshipCode ? divisionOf(e.scope.townshipCode) : null),
    actorRole: (e: LiveEvent) => e.actorRole || null,
    payload: (e: LiveEvent) => e.payload,
  },
  DomainEventPayload: {
    __resolveType(payload: Record<string, unknown>): string {
      if (isRecord(payload['contract'])) return 'ContractEventPayload';
      if (isRecord(payload['household'])) return 'HouseholdEventPayload';
      if (isRecord(payload['issuer'])) return 'IssuerEventPayload';
      return 'OtherEventPayload';
    },
  },
  OtherEventPayload: {
    json: (payload: Record<string, unknown>) => jsonOf(payload),
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
