import { jetstream } from '@nats-io/jetstream';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import {
  type Collateral,
  CollateralServiceDefinition,
} from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import type { Party } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import {
  createLogger,
  GrpcClients,
  GrpcServer,
  type NatsConnection,
  NotFoundError,
  type Principal,
  PrincipalSigner,
  PrincipalVerifier,
  type RunningService,
  type ServiceHandlers,
  startService,
  streamName,
} from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import { makeCollectiveOrgCode, residentIdCheckCharacter, todayInShanghai } from '@pingquan/reference';
import pg from 'pg';
import { inject } from 'vitest';
import {
  type Clock,
  configSchema,
  createPropertyMortgageModule,
  type PropertyMortgageConfig,
} from '../src/index.js';

export const TOWNSHIP = '130881102';
export const VILLAGE = '130881102201';
export const OTHER_TOWNSHIP = '130881107';

export function residentId(seq: number, birth = '19700101'): string {
  const first17 = `130881${birth}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** A valid enterprise credit code (authority 9, kind 1, county 130881) with its GB 32100 check character. */
export const bankCode = (body: string) => {
  // A valid enterprise code: authority 9, kind 1, county 130881, 9-character body, check character.
  const first17 = `91130881${body}`;
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, ch, i) => s + alphabet.indexOf(ch) * (weights[i] ?? 0), 0);
  return first17 + alphabet.charAt((31 - (sum % 31)) % 31);
};
export const BANK_A = bankCode('MA0BANKA1');
export const BANK_B = bankCode('MA0BANKB1');
export const COLLECTIVE = makeCollectiveOrgCode('VILLAGE', '130881', 'MA0000001');

export const leadUnitB: Principal = { sub: 'user:supply-coop', role: 'LEAD_UNIT', track: 'B' };
export const leadingGroup: Principal = { sub: 'user:leading-group', role: 'LEADING_GROUP' };
export const bankA: Principal = { sub: 'bank:a', role: 'COOPERATING_BANK', bank: BANK_A };
export const bankB: Principal = { sub: 'bank:b', role: 'COOPERATING_BANK', bank: BANK_B };
export const townshipOfficial: Principal = {
  sub: 'user:ysl',
  role: 'TOWNSHIP_OFFICIAL',
  townships: [TOWNSHIP],
};
export const otherTownshipOfficial: Principal = {
  sub: 'user:wl',
  role: 'TOWNSHIP_OFFICIAL',
  townships: [OTHER_TOWNSHIP],
};
export const leadUnitA: Principal = { sub: 'user:agri', role: 'LEAD_UNIT', track: 'A' };

export const change = (reason = 'test', idempotencyKey = '') => ({ reason, documentRef: '', idempotencyKey });

export function household(seq: number, householdId: string): Party {
  return { kind: 'PARTY_KIND_HOUSEHOLD', name: `农户${seq}`, idNumber: residentId(seq), householdId };
}

/** A clock the test moves forward, so loans fall overdue without waiting months. */
export class TestClock implements Clock {
  offsetDays = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetDays * 86_400_000);
  }
  today(): string {
    return todayInShanghai(this.now());
  }
  advance(days: number): string {
    this.offsetDays += days;
    return this.today();
  }
}

/**
 * Stands in for land-contract's CollateralService: answers from a table the test fills, or stalls past
 * the deadline, or is not there at all. The real service is exercised in the platform's e2e tests.
 */
export class CollateralStub {
  readonly rights = new Map<string, Collateral>();
  mode: 'answer' | 'stall' = 'answer';
  calls = 0;
  private server: GrpcServer | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = new GrpcServer({
      logger: createLogger('stub', 'silent'),
      verifier: new PrincipalVerifier(TEST_SIGNING_KEY),
    });
    const handlers: ServiceHandlers<typeof CollateralServiceDefinition> = {
      verifyCollateral: async (request) => {
        this.calls += 1;
        if (this.mode === 'stall') await new Promise((r) => setTimeout(r, 1_500));
        const found = this.rights.get(request.contractId);
        if (!found) throw new NotFoundError('contract', request.contractId);
        const circulation = found.circulatedRights.find((c) => c.circulationId === request.circulationId);
        return {
          collateral: {
            ...found,
            asOfDate: request.asOfDate,
            requested: {
              ...(found.requested ?? {
                plotCodes: [],
                circulationId: '',
                areaMu4: 0,
                securableUntilDate: '',
                encumbrances: [],
                securedTotalFen: 0,
                eligible: true,
                ineligibility: [],
              }),
              plotCodes: request.plotCodes,
              circulationId: request.circulationId,
              securableUntilDate:
                circulation?.securableUntilDate ?? found.requested?.securableUntilDate ?? found.termEndDate,
            },
          },
        };
      },
      batchVerifyCollateral: async () => ({ results: [] }),
    };
    this.server.add(CollateralServiceDefinition, handlers);
    this.port = await this.server.listen('127.0.0.1', 0);
  }

  async stop(): Promise<void> {
    await this.server?.shutdown(100);
  }

  /** A family contract of `householdId` as land-contract would describe it. */
  addContract(
    contractId: string,
    householdId: string,
    options: Partial<Collateral> & { encumberedFen?: number } = {},
  ): void {
    const termEndDate = options.termEndDate ?? '2058-09-30';
    this.rights.set(contractId, {
      asOfDate: '',
      contractId,
      contractCode: '1308811022010000011',
      issuerCode: `${VILLAGE}01`,
      townshipCode: TOWNSHIP,
      holderHouseholdId: householdId,
      holderHouseholdCode: `${VILLAGE}010001`,
      status: 'CONTRACT_STATUS_EXTENDED',
      eligible: true,
      ineligibility: [],
      termEndDate,
      remaining: undefined,
      areaMu4: 100_000,
      plots: [],
      encumbrances: [],
      securedTotalFen: 0,
      circulatedRights: [],
      requested: {
        plotCodes: [],
        circulationId: '',
        areaMu4: options.areaMu4 ?? 100_000,
        securableUntilDate: termEndDate,
        encumbrances: options.encumberedFen
          ? [
              {
                mortgageId: 'elsewhere-1',
                contractId,
                householdId,
                plotCodes: [],
                circulationId: '',
                securedAmountFen: options.encumberedFen,
                registeredOn: '2026-01-01',
                releasedOn: '',
                securedUntilDate: termEndDate,
                mortgageeCreditCode: BANK_B,
                certificateNo: 'OLD-1',
                ranking: 1,
                inEffect: true,
                townshipCode: TOWNSHIP,
              },
            ]
          : [],
        securedTotalFen: options.encumberedFen ?? 0,
        eligible: options.eligible ?? true,
        ineligibility: options.ineligibility ?? [],
      },
      ...options,
    });
  }
}

export type Client = ReturnType<GrpcClients['create']> & ReturnType<typeof makeClient>;

function makeClient(clients: GrpcClients, port: number) {
  return clients.create(PropertyMortgageServiceDefinition, `127.0.0.1:${port}`);
}

export interface Harness {
  service: RunningService<PropertyMortgageConfig>;
  client: Client;
  clients: GrpcClients;
  stub: CollateralStub;
  clock: TestClock;
  prefix: string;
  dbUrl: string;
  restart(extra?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts property-mortgage on its own database and subject prefix, with a collateral stub for land-contract. */
export async function startExchangeCentre(extra: Record<string, string> = {}): Promise<Harness> {
  const token = uniqueToken();
  const db = await createTestDatabase(inject('pgUrl'), `pm_${token}`);
  const stub = new CollateralStub();
  await stub.start();
  const clock = new TestClock();
  const env = (more: Record<string, string> = {}) =>
    configSchema.parse(
      testServiceEnv(db.url, inject('natsUrl'), token, {
        LAND_CONTRACT_GRPC_URL: `127.0.0.1:${stub.port}`,
        COLLATERAL_CHECK_DEADLINE_MS: '500',
        CLASSIFICATION_CHECK_INTERVAL_MS: '0',
        ...extra,
        ...more,
      }),
    );
  const clients = new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY) });
  const harness: Harness = {
    service: await startService(createPropertyMortgageModule({ clock }), env()),
    client: undefined as unknown as Client,
    clients,
    stub,
    clock,
    prefix: `${token}.`,
    dbUrl: db.url,
    async restart(more = {}) {
      await harness.service.stop();
      harness.service = await startService(createPropertyMortgageModule({ clock }), env(more));
      harness.client = makeClient(clients, harness.service.port);
    },
    async stop() {
      clients.close();
      await harness.service.stop();
      await stub.stop();
      await db.drop();
    },
  };
  harness.client = makeClient(clients, harness.service.port);
  return harness;
}

/** Reads every event currently in the service's stream, decoded. */
export async function readEvents(nc: NatsConnection, prefix: string): Promise<EventEnvelope[]> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(streamName(prefix, 'PQ_PROPERTY_MORTGAGE'));
  const out: EventEnvelope[] = [];
  for (;;) {
    const m = await consumer.next({ expires: 1000 });
    if (!m) break;
    out.push(EventEnvelope.decode(m.data));
  }
  return out;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Row counts of every table of the service, to show a refused command changed nothing. */
export async function rowCounts(dbUrl: string): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const out: Record<string, number> = {};
  const tables = await c.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('pq_migrations') ORDER BY tablename",
  );
  for (const { tablename } of tables.rows) {
    out[tablename] = Number((await c.query(`SELECT count(*) AS n FROM ${tablename}`)).rows[0].n);
  }
  await c.end();
  return out;
}

export async function sql<T extends Record<string, unknown>>(
  dbUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}
