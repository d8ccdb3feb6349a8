import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { context as otelContext, propagation, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { currentTraceId, type GrpcClients, type Logger, withSpan } from '@pingquan/kit';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { AuthenticationError, Authenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createLoaders, type GatewayContext } from './context.js';
import { createDownstream, type Downstream } from './downstream.js';
import { buildSchema } from './schema/index.js';

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
}

/** Limits per the OWASP GraphQL cheat sheet; the values are documented in the gateway README. */
export const LIMITS = { depth: 10, aliases: 15, tokens: 3000, cost: 20_000, batch: 5 } as const;

function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}

function introspectionOff(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

export interface Gateway {
  yoga: YogaServerInstance<NodeServerContext, GatewayContext>;
  server: Server;
  listen(): Promise<number>;
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const { config, logger } = options;
  const production = config.GATEWAY_MODE === 'production';
  const authenticator = new Authenticator(config);
  const downstream = options.downstream ?? createDownstream(options.clients, config);
  const armor: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: LIMITS.depth, exposeLimits: !production, flattenFragments: true },
      maxAliases: { n: LIMITS.aliases, exposeLimits: !production },
      maxTokens: { n: LIMITS.tokens, exposeLimits: !production },
      costLimit: { maxCost: LIMITS.cost, exposeLimits: !production },
      maxDirectives: { n: 20, exposeLimits: !production },
      blockFieldSuggestion: { enabled: production },
    }) as Plugin,
  ];
  if (production) armor.push(introspectionOff());

  const yoga = createYoga<NodeServerContext, GatewayContext>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    batching: { limit: LIMITS.batch },
    landingPage: false,
    graphiql: production
      ? false
      : {
          title: 'Pingquan pilot — GraphiQL',
          defaultQuery: DEFAULT_QUERY,
          headers: JSON.stringify(options.graphiqlHeaders ?? {}, null, 2),
        },
    plugins: armor,
    maskedErrors: {
      maskError(error, message) {
        // Deliberate errors (bad input, forbidden, rule refusals) pass through; anything else is
        // masked with the trace id. Checked by name, not instanceof: under test runners graphql may
        // load twice (ESM and CJS), and the same error must be recognised either way.
        const original = (error as { originalError?: unknown }).originalError;
        if (isGraphQLError(original)) return original;
        if (isGraphQLError(error) && !original) return error;
        const traceId = currentTraceId();
        logger.error({ err: original ?? error, trace_id: traceId }, 'unexpected error in a resolver');
        return new GraphQLError(`${message} (trace ${traceId || 'none'})`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', traceId },
        });
      },
    },
    logging: false,
    context: async ({ request }) => {
      try {
        const principal = await authenticator.authenticate(request.headers.get('authorization'));
        return {
          principal,
          downstream,
          logger,
          deadlineMs: config.DOWNSTREAM_DEADLINE_MS,
          loaders: createLoaders(principal, downstream, config.DOWNSTREAM_DEADLINE_MS),
        };
      } catch (error) {
        if (error instanceof AuthenticationError) {
          throw new GraphQLError(error.message, {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        }
        throw error;
      }
    },
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (path === '/readyz') {
      const ready = await readiness(downstream);
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
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.headersTimeout = Math.min(config.REQUEST_TIMEOUT_MS, 60_000);

  return {
    yoga,
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.GATEWAY_PORT, config.GATEWAY_HOST, () => {
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : config.GATEWAY_PORT);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Ready when every downstream service answers its health check. */
async function readiness(downstream: Downstream): Promise<{ ok: boolean; services: Record<string, string> }> {
  const services: Record<string, string> = {};
  await Promise.all(
    Object.entries(downstream).map(async ([name, client]) => {
      try {
        // Any answer, even NOT_FOUND, proves the service is up and reachable.
        await (client as Downstream['landContract']).getIssuer(
          { idOrCode: '00000000000000' },
          { deadline: 1000 },
        );
        services[name] = 'ok';
      } catch (error) {
        const code = (error as { code?: number }).code;
        services[name] = code === 5 || code === 16 ? 'ok' : 'unavailable';
      }
    }),
  );
  return { ok: Object.values(services).every((s) => s === 'ok'), services };
}

const DEFAULT_QUERY = /* GraphQL */ `# Pingquan pilot platform — GraphQL gateway.
# The Authorization header below carries a development token for the leading group.
# Mint tokens for other roles with: pnpm dev-token --role TOWNSHIP_OFFICIAL --township 130881102

query FirstContracts {
  contracts(first: 5, filter: { townshipCode: "130881102" }) {
    totalCount
    nodes {
      code
      status
      termStart
      termEnd
      totalArea
      village { name synthetic }
      household { code members { name residentId } }
      plots { code name contractArea landClass }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
