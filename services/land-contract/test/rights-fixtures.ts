import { jetstream } from '@nats-io/jetstream';
import { Events } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { PolicyServiceDefinition } from '@pingquan/contracts/pingquan/common/v1/policy';
import { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import type { Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  LandRightsServiceDefinition,
  type RecordCirculationRequest,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type {
  MortgageRegistered,
  MortgageReleased,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import { describeClientError, manager, newId, type Principal, prefixed, streamName } from '@pingquan/kit';
import {
  addDays,
  creditCodeCheckCharacter,
  type LocalDate,
  makeContractorCode,
  makePlotCode,
  todayInShanghai,
} from '@pingquan/reference';
import pg from 'pg';
import { expect } from 'vitest';
import { change, type Harness, leadUnitA, residentId } from './fixtures.js';

// Helpers of the rights tests (extinction, transfer, surrender, circulation, abandonment,
// encumbrance): clients of the rights services, more households, mortgage events as the exchange
// centre will publish them, and the row counts and stream length that prove a refusal left no trace.

export const bank: Principal = {
  sub: 'bank:91130881MA0000001X',
  role: 'COOPERATING_BANK',
  bank: '91130881MA0000001X',
};
export const exchangeCentre: Principal = { sub: 'service:property-mortgage', role: 'SERVICE' };

export function rightsClients(h: Harness) {
  const address = `127.0.0.1:${h.service.port}`;
  return {
    rights: h.clients.create(LandRightsServiceDefinition, address),
    collateral: h.clients.create(CollateralServiceDefinition, address),
    policy: h.clients.create(PolicyServiceDefinition, address),
  };
}

/** Days relative to today in Asia/Shanghai, so the tests hold whatever day they run. */
export const daysAgo = (n: number): LocalDate => addDays(todayInShanghai(), -n);

/** A valid unified social credit code of an enterprise (registered by market regulation, 91…). */
export function enterpriseCode(seq: number): string {
  const first17 = `91130881MA${String(seq).padStart(7, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** Registers another household of the issuer, with `members` living members born in 1980. */
export async function registerHouseholdOf(
  h: Harness,
  issuerCode: string,
  sequence: number,
  members = 2,
  principal: Principal = leadUnitA,
): Promise<Household> {
  const { household } = await h.client.registerHousehold(
    {
      code: makeContractorCode(issuerCode, sequence),
      address: '平泉镇',
      members: Array.from({ length: members }, (_, i) => ({
        residentId: residentId(Number(issuerCode.slice(-2)) * 40 + sequence * 4 + i, '19800101'),
        name: `成员${sequence}-${i}`,
        relation: i === 0 ? ('RELATION_HEAD' as const) : ('RELATION_CHILD' as const),
        alive: true,
        movedToTown: false,
        liftedOutOfPoverty: false,
        povertyMonitoring: false,
        deceasedOn: '',
      })),
      context: change(),
    },
    { principal },
  );
  if (!household) throw new Error('household not registered');
  return household;
}

/** Registers a contract of `household` with one plot of `areaMu4`, plot number `plotSeq`. */
export async function registerContractOf(
  h: Harness,
  household: Household,
  plotSeq: number,
  areaMu4 = 20_000,
) {
  const { contract } = await h.client.registerContract(
    {
      code: `${household.code}1`,
      householdId: household.id,
      mode: 'CONTRACT_MODE_FAMILY',
      termStartDate: '1998-10-01',
      termEndDate: '2028-09-30',
      secondRoundEndDate: '2028-09-30',
      adjustmentForbidden: false,
      plots: [
        {
          code: makePlotCode(household.issuerCode, plotSeq),
          name: `西洼${plotSeq}`,
          contractAreaMu4: areaMu4,
          surveyedAreaMu4: areaMu4,
          landClass: 'LAND_CLASS_CULTIVATED',
          basicFarmland: false,
          boundaries: { east: '路', south: '河', west: '沟', north: '林' },
          geometryGeojson: '',
        },
      ],
      context: change(),
    },
    { principal: leadUnitA },
  );
  if (!contract) throw new Error('contract not registered');
  return contract;
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Rows in every table a rights command may touch, plus the outbox and audit log. */
export async function rowCounts(h: Harness): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const t of [
      'household',
      'household_member',
      'contract',
      'plot',
      'returned_plot',
      'reclamation',
      'reclamation_heir',
      'contract_transfer',
      'plot_exchange',
      'surrender',
      'circulation',
      'circulation_plot',
      'circulation_review',
      'abandonment_report',
      'issuer_measure',
      'encumbrance',
      'pq_outbox',
      'pq_audit_log',
      'pq_inbox',
    ]) {
      out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    }
    // A refused command must not change a row either: fingerprint the mutable tables.
    out['contract_fingerprint'] = Number(
      (await c.query(`SELECT coalesce(sum(version), 0) AS n FROM contract`)).rows[0].n,
    );
    out['plot_owners'] = Number(
      (await c.query(`SELECT count(DISTINCT (code, contract_id)) AS n FROM plot`)).rows[0].n,
    );
    return out;
  } finally {
    await c.end();
  }
}

/** Messages in the service's stream once the relay has published everything committed so far. */
export async function settledStreamLength(h: Harness): Promise<number> {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  try {
    await waitFor(async () => {
      const n = Number(
        (await c.query('SELECT count(*) AS n FROM pq_outbox WHERE published_at IS NULL')).rows[0].n,
      );
      return n === 0 ? true : undefined;
    });
  } finally {
    await c.end();
  }
  const jsm = await manager(h.service.runtime.nc);
  const info = await jsm.streams.info(streamName(h.prefix, 'PQ_LAND_CONTRACT'));
  return info.state.messages;
}

/** Runs a call expected to be refused, and asserts that nothing was written or published. */
export async function expectRefusedWithoutTrace(
  h: Harness,
  call: () => Promise<unknown>,
): Promise<NonNullable<ReturnType<typeof describeClientError>>> {
  const before = await rowCounts(h);
  const streamBefore = await settledStreamLength(h);
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  const failure = describeClientError(error);
  expect(failure, 'the call should have been refused').toBeDefined();
  // Give a stray outbox row every chance to be published before comparing.
  await new Promise((r) => setTimeout(r, 400));
  expect(await rowCounts(h)).toEqual(before);
  expect(await settledStreamLength(h)).toBe(streamBefore);
  return failure as NonNullable<ReturnType<typeof describeClientError>>;
}

export function mortgageRegistered(
  contractId: string,
  overrides: Partial<MortgageRegistered> = {},
): MortgageRegistered {
  return {
    mortgageId: newId(),
    certificateNo: `平抵登字${Math.floor(Math.random() * 1e6)}`,
    collateral: {
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
      rightId: contractId,
      plotCodes: [],
      circulationId: '',
    },
    mortgageeCreditCode: bank.bank ?? '',
    securedAmountFen: 20_000_000,
    termStartDate: daysAgo(300),
    termEndDate: '2027-12-31',
    ranking: 1,
    townshipCode: '130881102',
    registeredOn: daysAgo(300),
    ...overrides,
  };
}

export function mortgageReleased(registered: MortgageRegistered, releasedOn: LocalDate): MortgageReleased {
  return {
    mortgageId: registered.mortgageId,
    collateral: registered.collateral,
    releasedOn,
    townshipCode: registered.townshipCode,
    certificateNo: registered.certificateNo,
    reason: 'REPAID',
  };
}

type ExchangeCentreEvent = keyof (typeof Events)['property-mortgage'];

/**
 * Publishes an event of the exchange centre (property-mortgage) to JetStream as its relay would: the
 * envelope with its id, on the prefixed subject, with the event id as message id (pass `msgId` to
 * force a redelivery of the same envelope past JetStream's duplicate window). Returns the envelope id.
 */
export async function publishExchangeCentreEvent<K extends ExchangeCentreEvent>(
  h: Harness,
  kind: K,
  payload: Parameters<(typeof Events)['property-mortgage'][K]['codec']['encode']>[0],
  aggregate: { id: string; version: number; townshipCode: string },
  options: { eventId?: string; msgId?: string } = {},
): Promise<string> {
  const type = Events['property-mortgage'][kind];
  const id = options.eventId ?? newId();
  const body = EventEnvelope.encode({
    id,
    type: type.typeName,
    occurredAt: new Date(),
    aggregateType: type.aggregate,
    aggregateId: aggregate.id,
    aggregateVersion: aggregate.version,
    townshipCode: aggregate.townshipCode,
    actor: { subject: exchangeCentre.sub, role: 'ROLE_SERVICE', displayName: '' },
    trace: { traceparent: '', tracestate: '' },
    payload: Buffer.from(
      (type.codec.encode as (m: typeof payload) => { finish(): Uint8Array })(payload).finish(),
    ),
    reason: 'test',
    documentRef: '',
  }).finish();
  const js = jetstream(h.service.runtime.nc);
  await js.publish(prefixed(h.prefix, type.subject), body, { msgID: options.msgId ?? id });
  return id;
}

/** A mortgage registered or released, as the exchange centre publishes it. */
export function publishMortgageEvent(
  h: Harness,
  kind: 'MortgageRegistered' | 'MortgageReleased',
  payload: MortgageRegistered | MortgageReleased,
  options: { eventId?: string; msgId?: string } = {},
): Promise<string> {
  const aggregate = {
    id: payload.mortgageId,
    version: kind === 'MortgageRegistered' ? 1 : 2,
    townshipCode: payload.townshipCode,
  };
  return publishExchangeCentreEvent(h, kind, payload, aggregate, options);
}

/** An enterprise (social capital) transferee. */
export const enterprise = {
  kind: 'TRANSFEREE_KIND_ENTERPRISE' as const,
  name: '平泉山庄农业有限公司',
  creditCode: enterpriseCode(7),
  residentId: '',
  householdId: '',
  memberOfCollective: false,
};

/** A lease of the whole contract to `enterprise`, written and filed; `overrides` change any part. */
export function circulate(
  contract: { id: string; plots: { code: string; contractAreaMu4: number }[] },
  overrides: Partial<RecordCirculationRequest> = {},
): RecordCirculationRequest {
  return {
    contractId: contract.id,
    mode: 'CIRCULATION_MODE_LEASE',
    transferee: enterprise,
    plots: contract.plots.map((p) => ({ plotCode: p.code, areaMu4: p.contractAreaMu4 })),
    termStartDate: daysAgo(10),
    termEndDate: '2028-09-30',
    use: 'LAND_USE_FACILITY_AGRICULTURE',
    written: true,
    filing: { actedOn: daysAgo(12), reference: '流转备案 2026-044', by: '村股份经济合作社' },
    annualPricePerMuFen: 60_000,
    parentCirculationId: '',
    contractorConsent: undefined,
    reviewIds: [],
    riskDepositPaidFen: 75_000,
    context: change('土地经营权流转'),
    ...overrides,
  };
}
