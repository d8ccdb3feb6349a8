import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { type ASTVisitor, GraphQLError, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Limits per the OWASP GraphQL cheat sheet. The values leave room for every view in GraphiQL's
 * examples (the schema test checks each example fits) and refuse anything much larger; the gateway
 * README lists them.
 */
export const LIMITS = {
  /** Deepest selection nesting (fragments flattened). The household view needs 5. */
  depth: 10,
  /** Aliased fields per operation: stops `a1: household(…) a2: household(…) …` fan-out. */
  aliases: 15,
  /** Lexer tokens per document: bounds parse cost before anything else runs. */
  tokens: 3000,
  /**
   * Static cost (graphql-armor: scalar 1, object 2, ×1.5 per level, × `first` of lists). One page of
   * 100 contracts with their plots costs about 5,000.
   */
  cost: 20_000,
  /** Operations per HTTP batch request (JSON array body). */
  batch: 5,
  /** Directives per operation. */
  directives: 20,
  /**
   * Request body in bytes: far above every query with its variables, and above a village's register
   * CSV sent to `importRegisterCsv` (a few hundred kB).
   */
  requestBodyBytes: 5_000_000,
} as const;

export interface ProtectionOptions {
  production: boolean;
}

/**
 * Depth, alias, token, cost and directive limits, and in production no field suggestions ("did you
 * mean …" would let a stranger map the schema) and no introspection. Limit messages name the limit in
 * development only.
 */
export function protectionPlugins({ production }: ProtectionOptions): Plugin[] {
  const exposeLimits = !production;
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: LIMITS.depth, exposeLimits, flattenFragments: true },
      maxAliases: { n: LIMITS.aliases, exposeLimits },
      maxTokens: { n: LIMITS.tokens, exposeLimits },
      costLimit: { maxCost: LIMITS.cost, exposeLimits },
      maxDirectives: { n: LIMITS.directives, exposeLimits },
      blockFieldSuggestion: { enabled: production },
    }) as Plugin,
  ];
  if (production) plugins.push(introspectionOff());
  return plugins;
}

/**
 * Refuses `__schema` and `__type` (graphql's NoSchemaIntrospectionCustomRule, by field name only: the
 * library rule checks types with instanceof, which fails when graphql is loaded twice, as under test
 * runners). `__typename` stays allowed; clients need it for unions.
 */
function introspectionOff(): Plugin {
  const rule = (context: ValidationContext): ASTVisitor => ({
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(
          new GraphQLError('Introspection is disabled in production.', {
            nodes: [node],
            extensions: { code: 'INTROSPECTION_DISABLED' },
          }),
        );
      }
    },
  });
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

/**
 * Ends a query or mutation that runs longer than the request timeout with a TIMEOUT error instead of
 * holding the connection. Downstream calls carry their own, shorter deadline, so in practice this
 * catches slow composition (many sequential batches). Subscriptions are long-lived by design and are
 * not limited here.
 */
export function executionTimeout(timeoutMs: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ errors: GraphQLError[] }>((resolve) => {
          timer = setTimeout(
            () =>
              resolve({
                errors: [
                  new GraphQLError(`The request took longer than ${timeoutMs} ms and was stopped.`, {
                    extensions: { code: 'TIMEOUT', http: { status: 504 } },
                  }),
                ],
              }),
            timeoutMs,
          );
        });
        try {
          return await Promise.race([executeFn(args), timeout]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
  };
}

function refusedBody(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/**
 * Refuses request bodies over `limit` bytes (413), replacing yoga's built-in limit, which pipes every
 * body through a counting TransformStream: a stream pipeline, an AbortController and a DOMException
 * per request, about 8 % of the gateway's CPU in the benchmark's profile. A declared Content-Length
 * is a hard bound — node's HTTP parser never reads a body past it — so such bodies are judged by the
 * header alone; only bodies without one (chunked) are counted as they stream, as yoga does.
 */
export function requestBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // One non-negative integer only: anything else is a smuggling attempt or a broken client.
        if (!/^\d+$/.test(declared))
          throw refusedBody('Content-Length header is invalid.', 'BAD_REQUEST', 400);
        if (Number(declared) > limit) {
          throw refusedBody(`Request body over ${limit} bytes.`, 'REQUEST_ENTITY_TOO_LARGE', 413);
        }
        return;
      }
      const body = request.body;
      if (!requestParser || !body) return;
      const tooLarge = () =>
        refusedBody(`Request body over ${limit} bytes.`, 'REQUEST_ENTITY_TOO_LARGE', 413);
      let read = 0;
      let exceeded = false;
      const counted = body.pipeThrough(
        new fetchAPI.TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.byteLength;
            if (read > limit) {
              exceeded = true;
              controller.error(tooLarge());
              return;
            }
            controller.enqueue(chunk);
          },
        }),
      );
      const parse = requestParser;
      setRequestParser(async (req) => {
        try {
          return await parse(
            new fetchAPI.Request(req.url, {
              method: req.method,
              headers: req.headers,
              signal: req.signal,
              body: counted,
              // Streaming request bodies need half duplex (fetch spec); not in TypeScript's RequestInit.
              ...({ duplex: 'half' } as object),
            }),
          );
        } catch (error) {
          // The JSON parser reports a cut-off body as invalid JSON; say what really happened.
          throw exceeded ? tooLarge() : error;
        }
      });
    },
  };
}
