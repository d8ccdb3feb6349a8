import { Events } from '@pingquan/contracts/catalogue';
import type { ContractRegistered } from '@pingquan/contracts/pingquan/land_contract/v1/events';
import {
  createGateway,
  type Gateway,
  gatewayConfigSchema,
  mintDevToken,
  type TokenClaims,
} from '@pingquan/gateway';
import {
  createLogger,
  execInTransaction,
  GrpcClients,
  InboxConsumer,
  kitMigrations,
  migrate,
  type Orm,
  openDatabase,
  PrincipalSigner,
  type RunningService,
  startService,
} from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import { configSchema, type LandContractConfig, landContractModule } from '@pingquan/land-contract';
import {
  type Clock,
  createPropertyMortgageModule,
  type PropertyMortgageConfig,
  configSchema as propertyMortgageConfigSchema,
} from '@pingquan/property-mortgage';
import { inject } from 'vitest';

export const JWT_DEV_SECRET = 'dev-secret-for-tests-with-at-least-32-chars';

export interface Platform {
  prefix: string;
  landContract: RunningService<LandContractConfig>;
  /** The exchange centre, calling land-contract for collateral checks. */
  propertyMortgage: RunningService<PropertyMortgageConfig>;
  gateway: Gateway;
  gatewayUrl: string;
  clients: GrpcClients;
  token(claims: TokenClaims): Promise<string>;
  graphql<T = Record<string, unknown>>(
    token: string,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** property-mortgage's clock (e2e tests move it forward to let a loan fall overdue). */
  propertyMortgageClock?: Clock;
}

/**
 * land-contract, property-mortgage and the gateway, in this process, on the shared test PostgreSQL and
 * NATS (one database per service, one subject prefix for the platform so events flow between them).
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const token = uniqueToken();
  const db = await createTestDatabase(inject('pgUrl'), `lc_${token}`);
  const landContract = await startService(
    landContractModule,
    configSchema.parse(testServiceEnv(db.url, inject('natsUrl'), token)),
  );
  const pmDb = await createTestDatabase(inject('pgUrl'), `pm_${token}`);
  const propertyMortgage = await startService(
    createPropertyMortgageModule(
      options.propertyMortgageClock ? { clock: options.propertyMortgageClock } : {},
    ),
    propertyMortgageConfigSchema.parse(
      testServiceEnv(pmDb.url, inject('natsUrl'), token, {
        LAND_CONTRACT_GRPC_URL: `127.0.0.1:${landContract.port}`,
        // Classification runs on demand in tests, so that results never depend on the time of day.
        CLASSIFICATION_CHECK_INTERVAL_MS: '0',
      }),
    ),
  );
  const config = gatewayConfigSchema.parse({
    LOG_LEVEL: 'warn',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    JWT_DEV_SECRET,
    PQ_INTERNAL_SIGNING_KEY: TEST_SIGNING_KEY,
    LAND_CONTRACT_GRPC_URL: `127.0.0.1:${landContract.port}`,
    PROPERTY_MORTGAGE_GRPC_URL: `127.0.0.1:${propertyMortgage.port}`,
    NATS_URL: inject('natsUrl'),
    NATS_SUBJECT_PREFIX: `${token}.`,
  });
  const clients = new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY) });
  const gateway = createGateway({ config, logger: createLogger('gateway', 'warn'), clients });
  const port = await gateway.listen();
  const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  return {
    prefix: `${token}.`,
    landContract,
    propertyMortgage,
    gateway,
    gatewayUrl,
    clients,
    token: (claims) =>
      mintDevToken(
        { JWT_ISSUER: config.JWT_ISSUER, JWT_AUDIENCE: config.JWT_AUDIENCE, JWT_DEV_SECRET },
        claims,
      ),
    async graphql(bearer, query, variables) {
      const res = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ query, variables }),
      });
      return res.json() as Promise<{
        data?: never;
        errors?: { message: string; extensions?: Record<string, unknown> }[];
      }>;
    },
    async stop() {
      await gateway.close();
      clients.close();
      await propertyMortgage.stop();
      await landContract.stop();
      await Promise.all([db.drop(), pmDb.drop()]);
    },
  };
}

/**
 * A subscriber standing in for a county system: a durable consumer of ContractRegistered with its
 * own database, recording each contract code it receives. Exactly-once effects are checked on its
 * `received` table.
 */
export interface CountySubscriber {
  orm: Orm;
  consumer: InboxConsumer<ContractRegistered>;
  received(): Promise<{ event_id: string; contract_code: string }[]>;
  stop(): Promise<void>;
}

export async function startCountySubscriber(
  prefix: string,
  options: { failFirst?: number; maxAttempts?: number } = {},
): Promise<CountySubscriber> {
  const db = await createTestDatabase(inject('pgUrl'), `county_${uniqueToken()}`);
  const orm = await openDatabase({ url: db.url, poolMax: 4, entities: [], migrations: [] }, kitMigrations);
  await migrate(orm);
  await orm.em
    .getConnection()
    .execute('CREATE TABLE received (event_id uuid, contract_code text, at timestamptz DEFAULT now())');
  const { connectNats } = await import('@pingquan/kit');
  const nc = await connectNats(inject('natsUrl'), 'county-subscriber');
  let failures = options.failFirst ?? 0;
  const consumer = new InboxConsumer<ContractRegistered>(
    {
      nc,
      orm,
      logger: createLogger('county', 'silent'),
      service: 'county-system',
      subjectPrefix: prefix,
      maxAttempts: options.maxAttempts ?? 5,
    },
    {
      type: Events['land-contract'].ContractRegistered,
      async handler(event, em) {
        await execInTransaction(em, 'INSERT INTO received (event_id, contract_code) VALUES (?, ?)', [
          event.envelope.id,
          event.payload.contract?.code ?? '',
        ]);
        if (failures > 0) {
          failures -= 1;
          throw new Error('simulated failure after the effect was written (it must roll back)');
        }
      },
    },
  );
  await consumer.start();
  return {
    orm,
    consumer,
    received: () =>
      orm.em.getConnection().execute('SELECT event_id, contract_code FROM received ORDER BY at'),
    async stop() {
      await consumer.stop();
      await nc.drain();
      await orm.close(true);
      await db.drop();
    },
  };
}

export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
