import { z } from 'zod';

const url = z.string().min(1);
const flag = z
  .enum(['true', 'false'])
  .default('true')
  .transform((v) => v === 'true');

/** The gateway's environment. A bad value stops start-up with a message naming the variable. */
export const gatewayConfigSchema = z
  .object({
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    GATEWAY_HOST: z.string().default('0.0.0.0'),
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(4080),
    /** production: no GraphiQL, no introspection, no field suggestions, persisted operations enforced if configured. */
    GATEWAY_MODE: z.enum(['development', 'production']).default('development'),
    JWT_ISSUER: z.string().min(1).default('https://id.pingquan.example'),
    JWT_AUDIENCE: z.string().min(1).default('pingquan-gateway'),
    /** JWKS endpoint of the identity provider (production). */
    JWT_JWKS_URL: z.string().url().optional(),
    /** Shared HS256 secret for development tokens minted by `pq-token` (development only). */
    JWT_DEV_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Seconds of clock skew tolerated on exp/nbf between the identity provider and the gateway. */
    JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
    PQ_INTERNAL_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters'),
    LAND_CONTRACT_GRPC_URL: url.default('127.0.0.1:50101'),
    PROPERTY_MORTGAGE_GRPC_URL: url.default('127.0.0.1:50104'),
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^([a-z0-9_-]+\.)?$/)
      .default(''),
    /** Live events (GraphQL subscriptions fed from JetStream); off for a gateway without NATS. */
    LIVE_EVENTS_ENABLED: flag,
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
    /** Longest a query or mutation may run; also the HTTP request-receive timeout. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    DOWNSTREAM_DEADLINE_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** JSON file mapping operation hashes to documents; production clients send only the hash. */
    PERSISTED_OPERATIONS_FILE: z.string().optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.JWT_JWKS_URL && !c.JWT_DEV_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_JWKS_URL'],
        message: 'set JWT_JWKS_URL (or JWT_DEV_SECRET in development)',
      });
    }
    if (c.GATEWAY_MODE === 'production' && c.JWT_DEV_SECRET && !c.JWT_JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_DEV_SECRET'],
        message: 'development tokens are not accepted in production mode',
      });
    }
  });

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
