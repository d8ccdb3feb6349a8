import { z } from 'zod';

/** Raised when the environment does not describe a runnable service; the message names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

/** Variables every service understands. A service extends this with its own. */
export const serviceEnvShape = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Prepended to every subject and stream name; lets test files share one NATS server. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^([a-z0-9_-]+\.)?$/, 'lowercase token followed by a dot, or empty')
    .default(''),
  GRPC_HOST: z.string().default('0.0.0.0'),
  GRPC_PORT: port,
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Shared secret (≥ 32 characters) that signs the caller's principal in gRPC metadata. */
  PQ_INTERNAL_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters'),
  MIGRATE_ON_START: bool.default(false),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Published outbox rows are kept this long for inspection, then pruned. */
  OUTBOX_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 90)
    .default(24),
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
} as const;

export const serviceEnvSchema = z.object(serviceEnvShape);
export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

/**
 * Parses the environment with a zod schema. Start-up stops with a readable error naming every
 * variable that is missing or wrong, instead of failing later somewhere deep.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "not set" so that `FOO=` in a shell behaves like an absent variable.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = cleaned[String(issue.path[0])];
    const shown =
      value === undefined
        ? 'not set'
        : /KEY|SECRET|PASSWORD|TOKEN/.test(name)
          ? 'set (hidden)'
          : `"${value}"`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
}
