import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A token unique to this test file, used as NATS subject prefix and database name suffix. */
export function uniqueToken(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/**
 * Creates an empty database for one test file on the shared test server and returns its URL.
 * Each file migrates its own database, so files run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    url: `${serverUrl}/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: `${serverUrl}/postgres` });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_SIGNING_KEY = 'test-signing-key-with-at-least-32-characters';

/**
 * The environment of a service under test: own database, own subject prefix, random port. Parse it
 * with the service's own config schema, exactly as a real start would.
 */
export function testServiceEnv(
  databaseUrl: string,
  natsUrl: string,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    NATS_SUBJECT_PREFIX: `${prefix}.`,
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: '0',
    PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
    MIGRATE_ON_START: 'true',
    OUTBOX_POLL_INTERVAL_MS: '200',
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...extra,
  };
}
