import type { Server } from 'node:http';
import { EventsBySubject, Streams } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import {
  connectNats,
  type Logger,
  manager,
  type NatsConnection,
  type Principal,
  streamName,
  type TrackName,
} from '@pingquan/kit';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { type PersistedManifest, resolveDocument } from './persisted.js';
import type { NodeServerContext } from './server.js';
import { trackOfService } from './views.js';
import { canReceiveEvent, type EventScope } from './views-access.js';
import type { RequestContext } from './views-context.js';

// Live events: one ordered (ephemeral, unacknowledged) JetStream consumer per service stream per
// gateway process, delivering only events published after it starts, fanned out in process to every
// subscription whose filter and role admit the event. One consumer per stream rather than one per
// subscription keeps the server's consumer count independent of how many browsers are open; the
// ordered consumer recreates itself at the right sequence after a reconnect, so a NATS restart
// pauses the feed without losing or repeating events.

type JetStreamManager = Awaited<ReturnType<typeof manager>>;
type JetStreamClient = ReturnType<JetStreamManager['jetstream']>;
type Consumer = Awaited<ReturnType<JetStreamClient['consumers']['get']>>;
type ConsumerMessages = Awaited<ReturnType<Consumer['consume']>>;
type JsMsg = ConsumerMessages extends AsyncIterable<infer M> ? M : never;

/** A domain event as subscribers receive it. */
export interface LiveEvent {
  id: string;
  /** Subject without the deployment prefix, e.g. pq.land-contract.v1.contract.registered. */
  subject: string;
  typeName: string;
  service: string;
  occurredAt: Date;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  actorRole: string;
  reason: string;
  documentRef: string;
  /** The decoded payload message. */
  payload: Record<string, unknown>;
  scope: EventScope;
}

export interface LiveFilter {
  tracks?: readonly TrackName[];
  townshipCodes?: readonly string[];
  subjects?: readonly string[];
}

export interface LiveFeedOptions {
  natsUrl: string;
  subjectPrefix: string;
  logger: Logger;
  /** Events a subscriber may have waiting before it is cut off as too slow. */
  maxQueue?: number;
}

interface Listener {
  principal: Principal;
  filter: LiveFilter;
  push(event: LiveEvent): void;
}

type StreamState = 'starting' | 'waiting-for-stream' | 'consuming' | 'stopped';

/** Pulls a 12-digit village code or a bank's credit code out of a payload for the role filter. */
function scopeOf(service: string, townshipCode: string, payload: Record<string, unknown>): EventScope {
  const scope: EventScope = { track: trackOfService(service) ?? 'A', townshipCode };
  const candidates = [payload, ...Object.values(payload).filter((v) => v && typeof v === 'object')] as Record<
    string,
    unknown
  >[];
  for (const c of candidates) {
    const village = c['villageCode'];
    if (scope.villageCode === undefined && typeof village === 'string' && village)
      scope.villageCode = village;
    const bank = c['mortgageeCreditCode'];
    if (scope.bankCreditCode === undefined && typeof bank === 'string' && bank) scope.bankCreditCode = bank;
  }
  return scope;
}

function matches(filter: LiveFilter, event: LiveEvent): boolean {
  if (filter.tracks?.length && !filter.tracks.includes(event.scope.track)) return false;
  if (filter.townshipCodes?.length && !filter.townshipCodes.includes(event.scope.townshipCode)) return false;
  if (filter.subjects?.length && !filter.subjects.includes(event.subject)) return false;
  return true;
}

export class LiveFeed {
  private nc: NatsConnection | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly states = new Map<string, StreamState>();
  private readonly running = new Map<string, ConsumerMessages>();
  private closed = false;
  private started: Promise<void> | undefined;
  private readonly maxQueue: number;

  constructor(private readonly options: LiveFeedOptions) {
    this.maxQueue = options.maxQueue ?? 1000;
    for (const service of Object.keys(Streams)) this.states.set(service, 'starting');
  }

  /** Connects and starts one consumer per stream in the background; never throws. */
  start(): void {
    this.started ??= this.run().catch((error: unknown) => {
      // Closing while still connecting ends run() with a "connection closed" error: not a failure.
      if (!this.closed) this.options.logger.error({ err: error }, 'live event feed stopped');
    });
  }

  private async run(): Promise<void> {
    this.nc = await connectNats(this.options.natsUrl, 'gateway-live-events');
    if (this.closed) {
      await this.nc.close();
      return;
    }
    const js = (await manager(this.nc)).jetstream();
    await Promise.all(Object.entries(Streams).map(([service, spec]) => this.consume(js, service, spec.name)));
  }

  private async consume(js: JetStreamClient, service: string, baseName: string): Promise<void> {
    const name = streamName(this.options.subjectPrefix, baseName);
    let backoff = 250;
    while (!this.closed) {
      try {
        const consumer = await js.consumers.get(name, { deliver_policy: 'new' });
        const messages = await consumer.consume();
        if (this.closed) {
          await messages.close();
          return;
        }
        this.running.set(service, messages);
        this.states.set(service, 'consuming');
        backoff = 250;
        for await (const m of messages) this.dispatch(service, m);
      } catch (error) {
        // The stream appears when its service first starts; until then (or while NATS is away) retry.
        if (this.states.get(service) !== 'waiting-for-stream') {
          this.options.logger.debug({ err: error, stream: name }, 'live events: stream not available yet');
        }
        this.states.set(service, 'waiting-for-stream');
      }
      this.running.delete(service);
      if (this.closed) break;
      await new Promise((r) => setTimeout(r, backoff).unref());
      backoff = Math.min(backoff * 2, 10_000);
    }
    this.states.set(service, 'stopped');
  }

  private dispatch(service: string, m: JsMsg): void {
    if (this.listeners.size === 0) return;
    let event: LiveEvent;
    try {
      const envelope = EventEnvelope.decode(m.data);
      const subject = m.subject.slice(this.options.subjectPrefix.length);
      const type = EventsBySubject.get(subject);
      const payload = (type ? type.codec.decode(envelope.payload) : {}) as Record<string, unknown>;
      const townshipCode = m.headers?.get('Pq-Township') || envelope.townshipCode;
      event = {
        id: envelope.id,
        subject,
        typeName: m.headers?.get('Pq-Event-Type') || envelope.type,
        service,
        occurredAt: envelope.occurredAt ?? new Date(0),
        aggregateType: envelope.aggregateType,
        aggregateId: envelope.aggregateId,
        aggregateVersion: envelope.aggregateVersion,
        actorRole: (envelope.actor?.role ?? '').replace(/^ROLE_/, ''),
        reason: envelope.reason,
        documentRef: envelope.documentRef,
        payload,
        scope: scopeOf(service, townshipCode, payload),
      };
    } catch (error) {
      this.options.logger.warn(
        { err: error, subject: m.subject },
        'live events: undecodable message skipped',
      );
      return;
    }
    for (const listener of this.listeners) {
      if (matches(listener.filter, event) && canReceiveEvent(listener.principal, event.scope))
        listener.push(event);
    }
  }

  /**
   * Events for one subscription, as an async iterator; ends when the client goes away (the
   * GraphQL executor calls `return`) or with SUBSCRIBER_TOO_SLOW when it falls too far behind.
   */
  subscribe(principal: Principal, filter: LiveFilter): AsyncIterableIterator<LiveEvent> {
    this.start();
    const queue: LiveEvent[] = [];
    let wake: (() => void) | undefined;
    let failure: GraphQLError | undefined;
    let done = false;
    const listener: Listener = {
      principal,
      filter,
      push: (event) => {
        if (queue.length >= this.maxQueue) {
          failure = new GraphQLError(
            'Events arrived faster than this subscription read them; subscribe again.',
            {
              extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
            },
          );
          this.listeners.delete(listener);
        } else {
          queue.push(event);
        }
        wake?.();
      },
    };
    this.listeners.add(listener);
    const finish = () => {
      done = true;
      this.listeners.delete(listener);
      wake?.();
    };
    const iterator: AsyncIterableIterator<LiveEvent> = {
      next: async () => {
        for (;;) {
          const event = queue.shift();
          if (event) return { value: event, done: false };
          if (failure) {
            finish();
            throw failure;
          }
          if (done || this.closed) return { value: undefined, done: true };
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      },
      return: async () => {
        finish();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Per stream: consuming, waiting for the stream to exist, … (for /readyz and tests). */
  status(): Record<string, StreamState> {
    return Object.fromEntries(this.states);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const listener of [...this.listeners]) listener.push = () => undefined;
    this.listeners.clear();
    await Promise.all([...this.running.values()].map((m) => m.close().catch(() => undefined)));
    await this.nc?.close().catch(() => undefined);
  }
}

export interface WebSocketOptions {
  server: Server;
  yoga: YogaServerInstance<NodeServerContext, RequestContext>;
  path: string;
  /** Authenticates the connection from its connection params; throws to refuse. */
  authenticate(authorization: string | null): Promise<Principal>;
  manifest: PersistedManifest | undefined;
  enforcePersisted: boolean;
  logger: Logger;
}

/**
 * GraphQL over WebSocket (graphql-ws protocol) on the gateway's own HTTP server and path. The token
 * travels in the connection params (`{ "authorization": "Bearer …" }`), since browsers cannot set
 * headers on a WebSocket. Operations run through yoga's envelop, so limits, persisted operations,
 * masking and the role filter apply exactly as over HTTP and SSE.
 */
export function attachWebSocket(options: WebSocketOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.server, path: options.path });
  const disposable = useServer<Record<string, unknown>, { principal: Principal }>(
    {
      // onSubscribe puts yoga's envelop execute/subscribe in rootValue, so plugins run per operation.
      execute: (args) => (args.rootValue as EnvelopRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopRoot).subscribe(args),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params['authorization'] ?? params['Authorization'];
        try {
          ctx.extra.principal = await options.authenticate(typeof header === 'string' ? header : null);
          return true;
        } catch {
          // graphql-ws closes with 4403 Forbidden.
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        let query: string | undefined;
        try {
          query = resolveDocument(
            payload as Parameters<typeof resolveDocument>[0],
            options.manifest,
            options.enforcePersisted,
          );
        } catch (error) {
          return [error as GraphQLError];
        }
        if (!query) return [new GraphQLError('Missing query.', { extensions: { code: 'BAD_REQUEST' } })];
        const { schema, execute, subscribe, contextFactory, parse, validate } = options.yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: { ...payload, query },
          principal: ctx.extra.principal,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

type OperationResult = ReturnType<NonNullable<ServerOptions['execute']>>;

interface EnvelopRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}
