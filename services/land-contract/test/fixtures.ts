import { jetstream } from '@nats-io/jetstream';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import {
  GrpcClients,
  type NatsConnection,
  type Principal,
  PrincipalSigner,
  type RunningService,
  startService,
  streamName,
} from '@pingquan/kit';
import { createTestDatabase, TEST_SIGNING_KEY, testServiceEnv, uniqueToken } from '@pingquan/kit/testing';
import {
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import { inject } from 'vitest';
import { configSchema, type LandContractConfig, landContractModule } from '../src/index.js';

export const VILLAGE = '130881102201';
export const TOWNSHIP = '130881102';
export const ISSUER = makeIssuerCode(VILLAGE, 0);

export function residentId(seq: number, birth = '19700101'): string {
  const first17 = `130881${birth}${String(seq % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckCharacter(first17);
}

export function creditCode(seq: number): string {
  return makeCollectiveOrgCode('VILLAGE', '130881', `MA${String(seq).padStart(7, '0')}`);
}

export const leadUnitA: Principal = { sub: 'user:agri-bureau', role: 'LEAD_UNIT', track: 'A' };
export const leadingGroup: Principal = { sub: 'user:leading-group', role: 'LEADING_GROUP' };

export const change = (reason = 'test registration') => ({ reason, documentRef: '', idempotencyKey: '' });

export interface Harness {
  service: RunningService<LandContractConfig>;
  client: ReturnType<GrpcClients['create']> & ReturnType<typeof makeClient>;
  clients: GrpcClients;
  prefix: string;
  config: LandContractConfig;
  dbUrl: string;
  stop(): Promise<void>;
}

function makeClient(clients: GrpcClients, port: number) {
  return clients.create(LandContractServiceDefinition, `127.0.0.1:${port}`);
}

/** Starts land-contract against its own database and subject prefix on the shared test servers. */
export async function startLandContract(): Promise<Harness> {
  const token = uniqueToken();
  const db = await createTestDatabase(inject('pgUrl'), `lc_${token}`);
  const config = configSchema.parse(testServiceEnv(db.url, inject('natsUrl'), token));
  const service = await startService(landContractModule, config);
  const clients = new GrpcClients({ signer: new PrincipalSigner(TEST_SIGNING_KEY) });
  const client = makeClient(clients, service.port);
  return {
    service,
    client,
    clients,
    prefix: `${token}.`,
    config,
    dbUrl: db.url,
    async stop() {
      clients.close();
      await service.stop();
      await db.drop();
    },
  };
}

/** Registers an issuer, a household of `members` people and a contract with two plots. */
export async function registerSample(
  client: Harness['client'],
  seq: number,
  principal: Principal = leadUnitA,
) {
  const issuerCode = makeIssuerCode(VILLAGE, seq % 100);
  const issuer = await client
    .registerIssuer(
      {
        code: issuerCode,
        creditCode: creditCode(seq),
        name: `样例村第${seq}股份经济合作社`,
        context: change(),
      },
      { principal },
    )
    .catch(async () => client.getIssuer({ idOrCode: issuerCode }, { principal }));
  const householdCode = makeContractorCode(issuerCode, 1);
  const { household } = await client.registerHousehold(
    {
      code: householdCode,
      address: '榆树林子镇',
      members: [
        {
          residentId: residentId(seq * 2),
          name: '张三',
          relation: 'RELATION_HEAD',
          alive: true,
          movedToTown: false,
          liftedOutOfPoverty: false,
          povertyMonitoring: false,
          deceasedOn: '',
        },
        {
          residentId: residentId(seq * 2 + 1, '19720304'),
          name: '李四',
          relation: 'RELATION_SPOUSE',
          alive: true,
          movedToTown: false,
          liftedOutOfPoverty: true,
          povertyMonitoring: false,
          deceasedOn: '',
        },
      ],
      context: change(),
    },
    { principal },
  );
  const { contract } = await client.registerContract(
    {
      code: makeContractCode(issuerCode, 1, 'FAMILY'),
      householdId: household!.id,
      mode: 'CONTRACT_MODE_FAMILY',
      termStartDate: '1998-10-01',
      termEndDate: '2028-09-30',
      secondRoundEndDate: '2028-09-30',
      adjustmentForbidden: false,
      plots: [1, 2].map((n) => ({
        code: makePlotCode(issuerCode, n),
        name: `东大地${n}`,
        contractAreaMu4: 25_000 * n,
        surveyedAreaMu4: 25_100 * n,
        landClass: 'LAND_CLASS_CULTIVATED',
        basicFarmland: n === 1,
        boundaries: { east: '路', south: '王五', west: '沟', north: '赵六' },
        geometryGeojson: '',
      })),
      context: change(),
    },
    { principal },
  );
  return { issuer, household: household!, contract: contract! };
}

/** Reads every event currently in the service's stream, decoded. */
export async function readEvents(nc: NatsConnection, prefix: string): Promise<EventEnvelope[]> {
  const js = jetstream(nc);
  const stream = streamName(prefix, 'PQ_LAND_CONTRACT');
  const consumer = await js.consumers.get(stream);
  const out: EventEnvelope[] = [];
  for (;;) {
    const m = await consumer.next({ expires: 1000 });
    if (!m) break;
    out.push(EventEnvelope.decode(m.data));
  }
  return out;
}
