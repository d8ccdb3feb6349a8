import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import {
  currentTraceId,
  type GrpcClients,
  type Logger,
  type Principal,
  READINESS,
  withSpan,
} from '@pingquan/kit';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type AuditSink, auditPlugin, loggerAuditSink, RequestAudit, recordIdReads } from './audit.js';
import { AuthenticationError, Authenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createLoaders } from './context.js';
import { createDownstream, type Downstream } from './downstream.js';
import { inputErrorFields } from './errors.js';
import { executionTimeout, LIMITS, protectionPlugins, requestBodyLimit } from './limits.js';
import { loadManifest, type PersistedManifest, persistedOperations } from './persisted.js';
import { buildSchema } from './schema/index.js';
import { attachWebSocket, LiveFeed } from './subscriptions.js';
import { createViewLoaders } from './views.js';
import type { RequestContext } from './views-context.js';
import { graphiqlDefaultQuery } from './views-operations.js';

/** What node's http server hands yoga with each request. */
export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  clients: GrpcClients;
  /** Replaces the downstream clients (tests count calls through it). */
  downstream?: Downstream;
  /** Default headers shown in GraphiQL (development), e.g. a minted token. */
  graphiqlHeaders?: Record<string, string>;
  /** Where audit lines go; a structured log line by default. */
  auditSink?: AuditSink;
  /** Replaces the persisted-operation manifest read from PERSISTED_OPERATIONS_FILE. */
  persistedOperations?: PersistedManifest;
  /**
   * false leaves out the depth/alias/token/cost/directive limits: only for the benchmark that
   * measures what they cost. Not reachable from the environment on purpose.
   */
  protection?: boolean;
}

function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}

export interface Gateway {
  yoga: YogaServerInstance<NodeServerContext, RequestContext>;
  server: Server;
  /** The live event feed (undefined when LIVE_EVENTS_ENABLED=false). */
  live: LiveFeed | undefined;
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** What the context factory receives: yoga's request over HTTP, a pre-authenticated principal over WebSocket. */
interface InitialContext {
  request?: Request;
  principal?: Principal;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { config, logger } = options;
  const production = config.GATEWAY_MODE === 'production';
  const authenticator = new Authenticator(config);
  const downstream = options.downstream ?? createDownstream(options.clients, config);
  const auditSink = options.auditSink ?? loggerAuditSink(logger);
  const manifest =
    options.persistedOperations ??
    (config.PERSISTED_OPERATIONS_FILE ? loadManifest(config.PERSISTED_OPERATIONS_FILE) : undefined);
  // Production clients with a manifest configured may run only what is in it (OWASP allow-listing).
  const enforcePersisted = production && manifest !== undefined;
  const live = config.LIVE_EVENTS_ENABLED
    ? new LiveFeed({ natsUrl: config.NATS_URL, subjectPrefix: config.NATS_SUBJECT_PREFIX, logger })
    : undefined;

  const authenticate = async (authorization: string | null): Promise<Principal> => {
    try {
      return await authenticator.authenticate(authorization);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        throw new GraphQLError(error.message, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
      throw error;
    }
  };

  const yoga = createYoga<NodeServerContext, RequestContext>({
    schema: recordIdReads(buildSchema()),
    graphqlEndpoint: '/graphql',
    batching: { limit: LIMITS.batch },
    // Replaced by requestBodyLimit (same refusal, without a stream pipeline per request).
    maxRequestBodySize: false,
    landingPage: false,
    graphiql: production
      ? false
      : {
          title: 'Pingquan pilot — GraphiQL',
          defaultQuery: graphiqlDefaultQuery(),
          headers: JSON.stringify(options.graphiqlHeaders ?? {}, null, 2),
        },
    plugins: [
      requestBodyLimit(LIMITS.requestBodyBytes),
      persistedOperations(manifest, enforcePersisted),
      ...(options.protection === false ? [] : protectionPlugins({ production })),
      executionTimeout(config.REQUEST_TIMEOUT_MS),
      auditPlugin(),
      inputErrorFields(),
    ],
    maskedErrors: {
      maskError(error, message) {
        // Deliberate errors (bad input, forbidden, rule refusals) pass through; anything else is
        // masked with the trace id. Checked by name, not instanceof: under test runners graphql may
        // load twice (ESM and CJS), and the same error must be recognised either way.
        // The located error (with path and locations) is returned, not the original: clients need the
        // path to tell which field was refused.
        const original = (error as { originalError?: unknown }).originalError;
        if (isGraphQLError(error) && (isGraphQLError(original) || !original)) return error;
        const traceId = currentTraceId();
        logger.error({ err: original ?? error, trace_id: traceId }, 'unexpected error in a resolver');
        return new GraphQLError(`${message} (trace ${traceId || 'none'})`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', traceId },
        });
      },
    },
    logging: false,
    context: async (initial: InitialContext) => {
      const principal =
        initial.principal ?? (await authenticate(initial.request?.headers.get('authorization') ?? null));
      const context: RequestContext = {
        principal,
        downstream,
        logger,
        deadlineMs: config.DOWNSTREAM_DEADLINE_MS,
        loaders: createLoaders(principal, downstream, config.DOWNSTREAM_DEADLINE_MS),
        views: createViewLoaders(principal, downstream, config.DOWNSTREAM_DEADLINE_MS),
        audit: new RequestAudit(principal, auditSink),
        live,
      };
      return context;
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/readyz') {
      const ready = await readiness(options.clients, config, live);
      res.writeHead(ready.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(ready));
      return;
    }
    // The request's trace starts here, continuing the caller's trace if it sent one.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    await withSpan(
      `${req.method} ${path}`,
      { kind: SpanKind.SERVER, parent, attributes: { 'http.route': path ?? '' } },
      () => otelContext.with(otelContext.active(), () => yoga.handle(req, res, { req, res })),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  // Bounds how long a client may take to send its request (slowloris); execution has its own limit.
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(config.REQUEST_TIMEOUT_MS, 60_000);

  const ws = attachWebSocket({
    server,
    yoga,
    path: '/graphql',
    authenticate,
    manifest,
    enforcePersisted,
    logger,
  });

  return {
    yoga,
    server,
    live,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.GATEWAY_PORT, config.GATEWAY_HOST, () => {
          live?.start();
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.GATEWAY_PORT);
        });
      }),
    close: async () => {
      // Subscriptions first (they hold connections open), then the HTTP server.
      await live?.close();
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish before their connections are cut.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    },
  };
}

/** Ready when every downstream service answers its health check; reports the live feed's streams. */
async function readiness(
  clients: GrpcClients,
  config: GatewayConfig,
  live: LiveFeed | undefined,
): Promise<{ ok: boolean; services: Record<string, string>; liveEvents: Record<string, string> | 'off' }> {
  // Every downstream service's readiness entry on the standard gRPC health service.
  const targets = Object.entries(config).filter(
    (entry): entry is [string, string] => entry[0].endsWith('_GRPC_URL') && typeof entry[1] === 'string',
  );
  const services: Record<string, string> = {};
  await Promise.all(
    targets.map(async ([key, address]) => {
      const name = key
        .replace(/_GRPC_URL$/, '')
        .toLowerCase()
        .replaceAll('_', '-');
      services[name] = (await clients.isServing(address, 1000, READINESS)) ? 'ok' : 'unavailable';
    }),
  );
  return {
    ok: Object.values(services).every((s) => s === 'ok'),
    services,
    // Informational: a stream appears when its service first publishes, so it does not gate readiness.
    liveEvents: live ? live.status() : 'off',
  };
}
