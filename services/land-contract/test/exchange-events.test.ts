import { Events } from '@pingquan/contracts/catalogue';
import type { Circulation } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type {
  CollateralDisposed,
  TransactionCertified,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import { DLQ_STREAM, manager, newId, streamName } from '@pingquan/kit';
import { maskResidentId } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annualPricePerMuFen, buyerAsTransferee, earliestEnd } from '../src/app/exchange-disposals.js';
import {
  change,
  type Harness,
  leadUnitA,
  readEvents,
  registerSample,
  residentId,
  startLandContract,
} from './fixtures.js';
import {
  circulate,
  daysAgo,
  enterpriseCode,
  mortgageRegistered,
  publishExchangeCentreEvent,
  publishMortgageEvent,
  registerHouseholdOf,
  rightsClients,
  rowCounts,
  settledStreamLength,
  waitFor,
} from './rights-fixtures.js';

// The exchange centre's transaction certificates (交易鉴证书) and disposals (处置) of mortgaged land
// management rights, published to JetStream as property-mortgage's relay publishes them and consumed
// by land-contract through its inbox, against real PostgreSQL and NATS.

let h: Harness;
let c: ReturnType<typeof rightsClients>;
let db: pg.Client;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
  db = new pg.Client({ connectionString: h.dbUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await h?.stop();
});

/** Publishes a certificate or a disposal as the exchange centre's relay would. */
function publish(
  payload: TransactionCertified | CollateralDisposed,
  options: { eventId?: string; msgId?: string } = {},
): Promise<string> {
  const aggregate = (id: string) => ({ id, version: 2, townshipCode: payload.townshipCode });
  return 'dealId' in payload
    ? publishExchangeCentreEvent(h, 'TransactionCertified', payload, aggregate(payload.dealId), options)
    : publishExchangeCentreEvent(h, 'CollateralDisposed', payload, aggregate(payload.disposalId), options);
}

let certificateSeq = 0;
const nextCertificateNo = () => `平交鉴字2026-${String(++certificateSeq).padStart(5, '0')}`;

function certified(
  contractId: string,
  ownerRecordId: string,
  overrides: Partial<TransactionCertified> = {},
): TransactionCertified {
  return {
    dealId: newId(),
    certificateNo: nextCertificateNo(),
    rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
    rightId: contractId,
    ownerRecordId,
    plotCodes: [],
    seller: {
      kind: 'PARTY_KIND_HOUSEHOLD',
      name: '张三',
      idNumber: maskResidentId(residentId(1)),
      householdId: '',
    },
    buyer: {
      kind: 'PARTY_KIND_ENTERPRISE',
      name: '平泉山庄农业有限公司',
      idNumber: enterpriseCode(7),
      householdId: '',
    },
    collectiveAsset: false,
    mode: 'TRANSACTION_MODE_LEASE',
    areaMu4: 75_000,
    priceFen: 900_000,
    termStartDate: daysAgo(10),
    termEndDate: '2028-09-30',
    certifiedOn: daysAgo(1),
    townshipCode: '130881102',
    villageCode: '130881102201',
    listingId: '',
    ...overrides,
  };
}

function disposed(contractId: string, overrides: Partial<CollateralDisposed> = {}): CollateralDisposed {
  return {
    disposalId: newId(),
    loanId: newId(),
    mortgageId: newId(),
    collateral: {
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
      rightId: contractId,
      plotCodes: [],
      circulationId: '',
    },
    method: 'DISPOSAL_METHOD_ONLINE_AUCTION',
    buyer: {
      kind: 'PARTY_KIND_STORAGE_COMPANY',
      name: '平泉农村产权收储有限公司',
      idNumber: enterpriseCode(31),
      householdId: '',
    },
    priceFen: 3_000_000,
    // The centre may name an end past the right; the buyer never gets more than what remains.
    transferTermEndDate: '2031-12-31',
    completedOn: daysAgo(3),
    certificateNo: nextCertificateNo(),
    townshipCode: '130881102',
    ...overrides,
  };
}

const consumerOf = (subject: string) => {
  const consumer = h.service.consumers.find(
    (x) =>
      (x as unknown as { subscription: { type: { subject: string } } }).subscription.type.subject === subject,
  );
  if (!consumer) throw new Error(`no consumer of ${subject}`);
  return consumer;
};
const certificates = () => consumerOf(Events['property-mortgage'].TransactionCertified.subject);
const disposals = () => consumerOf(Events['property-mortgage'].CollateralDisposed.subject);

/** Waits until the consumer has taken one more delivery (handled or recognised as a duplicate). */
async function delivered(consumer: ReturnType<typeof consumerOf>, send: () => Promise<unknown>) {
  const before = consumer.handledCount + consumer.duplicateCount;
  await send();
  await waitFor(async () => (consumer.handledCount + consumer.duplicateCount > before ? true : undefined));
}

const getCirculation = async (id: string) =>
  (await c.rights.getCirculation({ id }, { principal: leadUnitA })).circulation as Circulation;

async function circulationsOf(contractId: string): Promise<Circulation[]> {
  const { circulations } = await c.rights.listCirculations(
    {
      townshipCode: '',
      villageCode: '',
      contractId,
      householdId: '',
      status: 'CIRCULATION_STATUS_UNSPECIFIED',
      transfereeKind: 'TRANSFEREE_KIND_UNSPECIFIED',
      page: undefined,
    },
    { principal: leadUnitA },
  );
  return circulations;
}

async function row<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T | undefined> {
  return (await db.query(sql, params)).rows[0] as T | undefined;
}

/** Rows of every table a consumer here may write, for "nothing changed" comparisons. */
async function counts() {
  const out = await rowCounts(h);
  for (const t of ['transaction_certificate', 'disposal_transfer']) {
    out[t] = Number((await db.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  out['circulation_fingerprint'] = Number(
    (await db.query('SELECT coalesce(sum(version), 0) AS n FROM circulation')).rows[0].n,
  );
  return out;
}

/** Land-contract events of a type about an aggregate, once the relay has published everything. */
async function published(typeName: string, aggregateId: string) {
  await settledStreamLength(h);
  return (await readEvents(h.service.runtime.nc, h.prefix)).filter(
    (e) => e.type === typeName && e.aggregateId === aggregateId,
  );
}

async function deadLetters(): Promise<number> {
  const jsm = await manager(h.service.runtime.nc);
  const info = await jsm.streams.info(streamName(h.prefix, DLQ_STREAM)).catch(() => undefined);
  return info?.state.messages ?? 0;
}

describe('transaction certificates (交易鉴证书) from the exchange centre', () => {
  it('makes a certified circulation official exactly once, however often the certificate arrives', async () => {
    const { contract } = await registerSample(h.client, 71);
    const { circulation } = await c.rights.recordCirculation(circulate(contract), { principal: leadUnitA });
    const id = circulation?.id ?? '';
    expect(circulation).toMatchObject({ transactionCertificateNo: '', certifiedOn: '', dealId: '' });

    const deal = certified(contract.id, id);
    const eventId = await publish(deal);
    const official = await waitFor(async () => {
      const found = await getCirculation(id);
      return found.transactionCertificateNo ? found : undefined;
    });
    expect(official).toMatchObject({
      transactionCertificateNo: deal.certificateNo,
      certifiedOn: deal.certifiedOn,
      dealId: deal.dealId,
      status: 'CIRCULATION_STATUS_ACTIVE',
      version: (circulation?.version ?? 0) + 1,
    });
    expect(
      await row(
        'SELECT matched_kind, matched_id, review_reason FROM transaction_certificate WHERE deal_id = $1',
        [deal.dealId],
      ),
    ).toEqual({ matched_kind: 'CIRCULATION', matched_id: id, review_reason: null });

    // The same envelope again past JetStream's duplicate window: the inbox knows its id.
    const before = await counts();
    await delivered(certificates(), () => publish(deal, { eventId, msgId: `${eventId}-redelivered` }));
    expect(await counts()).toEqual(before);
    // The same deal announced again under a new event id: recorded once all the same.
    await delivered(certificates(), () => publish(deal));
    expect(await counts()).toEqual({ ...before, pq_inbox: (before['pq_inbox'] ?? 0) + 1 });

    const announced = await published('pingquan.land_contract.v1.CirculationCertified', id);
    expect(announced).toHaveLength(1);
    const payload = Events['land-contract'].CirculationCertified.codec.decode(
      announced[0]?.payload ?? new Uint8Array(),
    );
    expect(payload.certificate).toEqual({
      certificateNo: deal.certificateNo,
      dealId: deal.dealId,
      certifiedOn: deal.certifiedOn,
      priceFen: deal.priceFen,
      mode: 'TRANSACTION_MODE_LEASE',
    });
    expect(payload.circulation?.transactionCertificateNo).toBe(deal.certificateNo);
    expect(announced[0]?.actor?.role).toBe('ROLE_SERVICE');
    expect(announced[0]?.documentRef).toBe(deal.certificateNo);

    // Another certificate for a circulation already certified is a conflict for a person, not an
    // overwrite.
    const other = certified(contract.id, id);
    await delivered(certificates(), () => publish(other));
    expect(await getCirculation(id)).toMatchObject({ transactionCertificateNo: deal.certificateNo });
    expect(
      await row('SELECT review_reason, matched_kind FROM transaction_certificate WHERE deal_id = $1', [
        other.dealId,
      ]),
    ).toEqual({ review_reason: 'CERTIFICATE_CONFLICT', matched_kind: null });
  });

  it('records an unknown reference for review and goes on with the stream', async () => {
    const { contract } = await registerSample(h.client, 72);
    const { circulation } = await c.rights.recordCirculation(circulate(contract), { principal: leadUnitA });
    const unknown = certified(contract.id, newId());
    const missing = certified(contract.id, '');
    const homestead = certified(newId(), newId(), { rightType: 'RIGHT_TYPE_FARMER_HOUSE' });
    const good = certified(contract.id, circulation?.id ?? '');
    for (const deal of [unknown, missing, homestead, good]) await publish(deal);

    await waitFor(async () =>
      (await getCirculation(circulation?.id ?? '')).transactionCertificateNo ? true : undefined,
    );
    const held = (
      await db.query(
        'SELECT deal_id, review_reason, review_note FROM transaction_certificate WHERE deal_id = ANY($1) ORDER BY review_reason',
        [[unknown.dealId, missing.dealId, homestead.dealId]],
      )
    ).rows;
    expect(held.map((r) => [r.deal_id, r.review_reason])).toEqual([
      [missing.dealId, 'OWNER_RECORD_MISSING'],
      [unknown.dealId, 'OWNER_RECORD_UNKNOWN'],
    ]);
    expect(held[1]?.review_note).toContain(unknown.ownerRecordId);
    // Held for review is an outcome, not a failure: audited, nothing dead-lettered, nothing published.
    expect(
      await row(
        "SELECT action, actor_role FROM pq_audit_log WHERE aggregate_type = 'transaction-certificate' AND aggregate_id = $1",
        [unknown.dealId],
      ),
    ).toEqual({ action: 'transaction-certificate.held-for-review', actor_role: 'SERVICE' });
    expect(await deadLetters()).toBe(0);
  });

  it('makes a certified contract-right transfer official, found by the contract it went into', async () => {
    const { contract, issuer } = await registerSample(h.client, 73);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const moved = await c.rights.transferContractRight(
      {
        contractId: contract.id,
        toHouseholdId: neighbour.id,
        plotCodes: [],
        transferDate: daysAgo(2),
        issuerConsent: { actedOn: daysAgo(5), reference: '发包方同意书 2026-12', by: '村股份经济合作社' },
        priceFen: 800_000,
        context: change('承包权转让'),
      },
      { principal: leadUnitA },
    );
    const deal = certified(contract.code, moved.transferee?.id ?? '', {
      mode: 'TRANSACTION_MODE_TRANSFER',
      plotCodes: contract.plots.map((p) => p.code),
    });
    await publish(deal);
    const transfer = await waitFor(async () => {
      const found = await row<{ id: string; certificate_no: string | null; deal_id: string | null }>(
        'SELECT id, certificate_no, deal_id FROM contract_transfer WHERE from_contract_id = $1',
        [contract.id],
      );
      return found?.certificate_no ? found : undefined;
    });
    expect(transfer).toMatchObject({ certificate_no: deal.certificateNo, deal_id: deal.dealId });
    const [event] = await published('pingquan.land_contract.v1.ContractTransferCertified', transfer.id);
    const payload = Events['land-contract'].ContractTransferCertified.codec.decode(
      event?.payload ?? new Uint8Array(),
    );
    expect(payload).toMatchObject({
      transferId: transfer.id,
      fromContractId: contract.id,
      toContractId: moved.transferee?.id,
      toHouseholdId: neighbour.id,
      transferDate: daysAgo(2),
      certificate: { certificateNo: deal.certificateNo, dealId: deal.dealId },
    });
  });
});

describe('disposal (处置) of a mortgaged management right', () => {
  it('passes the right to the buyer as a circulation for the remaining term, never the contract, once', async () => {
    const { contract, household } = await registerSample(h.client, 74);
    const mortgage = mortgageRegistered(contract.id);
    await publishMortgageEvent(h, 'MortgageRegistered', mortgage);
    const sale = disposed(contract.id, { mortgageId: mortgage.mortgageId });
    const eventId = await publish(sale);

    const [bought] = await waitFor(async () => {
      const list = await circulationsOf(contract.id);
      return list.length > 0 ? list : undefined;
    });
    expect(bought).toMatchObject({
      contractId: contract.id,
      contractorHouseholdId: household.id,
      transferee: {
        kind: 'TRANSFEREE_KIND_ENTERPRISE',
        name: '平泉农村产权收储有限公司',
        creditCode: enterpriseCode(31),
      },
      plots: contract.plots.map((p) => ({ plotCode: p.code, areaMu4: p.contractAreaMu4 })),
      areaMu4: 75_000,
      termStartDate: sale.completedOn,
      // The remaining term only: the contract ends 2028-09-30, whatever end the centre named.
      termEndDate: '2028-09-30',
      status: 'CIRCULATION_STATUS_ACTIVE',
      parentCirculationId: '',
      disposalId: sale.disposalId,
      transactionCertificateNo: sale.certificateNo,
      certifiedOn: sale.completedOn,
      written: true,
      filing: { actedOn: sale.completedOn, reference: sale.certificateNo },
      socialCapital: true,
      riskDepositPaidFen: 0,
      requiredRiskDepositFen: 75_000,
    });
    expect(bought?.annualPricePerMuFen).toBe(
      annualPricePerMuFen(3_000_000, 75_000, sale.completedOn, '2028-09-30'),
    );
    // The contract right stays with the household, untouched.
    const { contract: after } = await h.client.getContract(
      { idOrCode: contract.id },
      { principal: leadUnitA },
    );
    expect(after).toMatchObject({ householdId: household.id, status: 'CONTRACT_STATUS_ACTIVE', version: 1 });

    const before = await counts();
    await delivered(disposals(), () => publish(sale, { eventId, msgId: `${eventId}-redelivered` }));
    await delivered(disposals(), () => publish(sale));
    expect(await counts()).toEqual({ ...before, pq_inbox: (before['pq_inbox'] ?? 0) + 1 });
    const announced = await published('pingquan.land_contract.v1.DisposedRightTransferred', bought?.id ?? '');
    expect(announced).toHaveLength(1);
    const payload = Events['land-contract'].DisposedRightTransferred.codec.decode(
      announced[0]?.payload ?? new Uint8Array(),
    );
    expect(payload).toMatchObject({
      disposalId: sale.disposalId,
      mortgageId: mortgage.mortgageId,
      method: 'DISPOSAL_METHOD_ONLINE_AUCTION',
      priceFen: 3_000_000,
      transferTermEndDate: '2031-12-31',
      circulation: { id: bought?.id, termEndDate: '2028-09-30' },
    });

    // The centre's certificate of the same sale names no record here: it is the disposal's, and the
    // circulation learns its deal id without being certified a second time.
    const deal = certified(contract.id, '', {
      certificateNo: sale.certificateNo,
      mode: 'TRANSACTION_MODE_AUCTION',
    });
    await publish(deal);
    await waitFor(async () =>
      (await getCirculation(bought?.id ?? '')).dealId === deal.dealId ? true : undefined,
    );
    expect(
      await row('SELECT matched_kind, matched_id FROM transaction_certificate WHERE deal_id = $1', [
        deal.dealId,
      ]),
    ).toEqual({ matched_kind: 'DISPOSAL', matched_id: bought?.id });
    expect(await published('pingquan.land_contract.v1.CirculationCertified', bought?.id ?? '')).toEqual([]);
  });

  it('settles a certificate that arrived before its disposal, and stops at an earlier transfer end', async () => {
    const { contract } = await registerSample(h.client, 75);
    const sale = disposed(contract.id, {
      transferTermEndDate: daysAgo(-200),
      method: 'DISPOSAL_METHOD_MARKET_TRANSFER',
      buyer: {
        kind: 'PARTY_KIND_INDIVIDUAL',
        name: '王五',
        idNumber: maskResidentId(residentId(975)),
        householdId: '',
      },
    });
    const deal = certified(contract.id, '', {
      certificateNo: sale.certificateNo,
      mode: 'TRANSACTION_MODE_TRANSFER',
    });
    await publish(deal);
    await waitFor(async () =>
      (await row('SELECT 1 FROM transaction_certificate WHERE deal_id = $1', [deal.dealId]))
        ? true
        : undefined,
    );
    expect(
      await row('SELECT review_reason FROM transaction_certificate WHERE deal_id = $1', [deal.dealId]),
    ).toEqual({ review_reason: 'OWNER_RECORD_MISSING' });

    await publish(sale);
    const [bought] = await waitFor(async () => {
      const list = await circulationsOf(contract.id);
      return list.length > 0 ? list : undefined;
    });
    expect(bought).toMatchObject({
      termEndDate: daysAgo(-200),
      dealId: deal.dealId,
      transferee: { kind: 'TRANSFEREE_KIND_NON_MEMBER_INDIVIDUAL', name: '王五', residentId: '' },
    });
    expect(
      await row(
        'SELECT matched_kind, matched_id, review_reason FROM transaction_certificate WHERE deal_id = $1',
        [deal.dealId],
      ),
    ).toEqual({ matched_kind: 'DISPOSAL', matched_id: bought?.id, review_reason: null });
  });

  it("re-circulates a transferee's mortgaged right, ending with the transferee's circulation", async () => {
    const { contract } = await registerSample(h.client, 76);
    const { circulation: held } = await c.rights.recordCirculation(
      circulate(contract, { termEndDate: daysAgo(-400) }),
      { principal: leadUnitA },
    );
    const sale = disposed(contract.id, {
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contract.id,
        plotCodes: [contract.plots[1]?.code ?? ''],
        circulationId: held?.id ?? '',
      },
      method: 'DISPOSAL_METHOD_THIRD_PARTY_RECIRCULATION',
      buyer: {
        kind: 'PARTY_KIND_COOPERATIVE',
        name: '平泉益农专业合作社',
        idNumber: enterpriseCode(42),
        householdId: '',
      },
    });
    await publish(sale);
    const bought = await waitFor(async () =>
      (await circulationsOf(contract.id)).find((x) => x.disposalId === sale.disposalId),
    );
    expect(bought).toMatchObject({
      parentCirculationId: held?.id,
      plots: [{ plotCode: contract.plots[1]?.code, areaMu4: 50_000 }],
      areaMu4: 50_000,
      termEndDate: daysAgo(-400),
      use: 'LAND_USE_FACILITY_AGRICULTURE',
      transferee: { kind: 'TRANSFEREE_KIND_COOPERATIVE', creditCode: enterpriseCode(42) },
      socialCapital: false,
      requiredRiskDepositFen: 0,
    });
    // The transferee's own circulation stands; the buyer's right derives from it and ends with it.
    expect(await getCirculation(held?.id ?? '')).toMatchObject({ status: 'CIRCULATION_STATUS_ACTIVE' });
  });

  it('records a disposal the register cannot place for review, writing no circulation', async () => {
    const { contract } = await registerSample(h.client, 77);
    await c.rights.recordCirculation(circulate(contract), { principal: leadUnitA });
    const taken = disposed(contract.id);
    const nowhere = disposed('1308811022019999991');
    const stranger = disposed(contract.id, {
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contract.id,
        plotCodes: ['1308811022010000999'],
        circulationId: '',
      },
    });
    const before = (await circulationsOf(contract.id)).length;
    for (const sale of [taken, nowhere, stranger]) await publish(sale);
    const held = await waitFor(async () => {
      const rows = (
        await db.query(
          'SELECT disposal_id, review_reason, circulation_id FROM disposal_transfer WHERE disposal_id = ANY($1)',
          [[taken.disposalId, nowhere.disposalId, stranger.disposalId]],
        )
      ).rows;
      return rows.length === 3 ? rows : undefined;
    });
    const reasons = new Map(held.map((r) => [r.disposal_id, r.review_reason]));
    expect(reasons.get(taken.disposalId)).toBe('PLOTS_CIRCULATED');
    expect(reasons.get(nowhere.disposalId)).toBe('CONTRACT_UNKNOWN');
    expect(reasons.get(stranger.disposalId)).toBe('PLOT_NOT_IN_RIGHT');
    expect(held.every((r) => r.circulation_id === null)).toBe(true);
    expect(await circulationsOf(contract.id)).toHaveLength(before);
    expect(await deadLetters()).toBe(0);
  });

  it('lists what waits for review, certificates and disposals together, oldest first, in pages', async () => {
    // Earlier tests of this file left certificates and disposals the register could not place.
    const all: { kind: string; id: string; reason: string }[] = [];
    let token = '';
    let total = -1;
    for (let page = 0; page < 20; page += 1) {
      const res = await c.rights.listExchangeReviewItems(
        { page: { pageSize: 2, pageToken: token }, townshipCode: '' },
        { principal: leadUnitA },
      );
      total = res.pageInfo?.totalCount ?? -1;
      all.push(...res.items.map((i) => ({ kind: i.kind, id: i.id, reason: i.reason })));
      token = res.pageInfo?.nextPageToken ?? '';
      if (!token) break;
    }
    const expected = (
      await db.query(
        `SELECT id, reason FROM (
           SELECT deal_id AS id, review_reason AS reason FROM transaction_certificate WHERE review_reason IS NOT NULL
           UNION ALL
           SELECT disposal_id, review_reason FROM disposal_transfer WHERE review_reason IS NOT NULL) q`,
      )
    ).rows as { id: string; reason: string }[];
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(total).toBe(expected.length);
    // Every item once, across pages of two.
    expect(all.map((i) => i.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(new Set(all.map((i) => i.kind))).toEqual(
      new Set(['EXCHANGE_REVIEW_ITEM_KIND_TRANSACTION_CERTIFICATE', 'EXCHANGE_REVIEW_ITEM_KIND_DISPOSAL']),
    );
    expect(all.find((i) => i.reason === 'CONTRACT_UNKNOWN')?.kind).toBe('EXCHANGE_REVIEW_ITEM_KIND_DISPOSAL');

    // A township official of another township sees none of them; a bank is refused.
    const other = await c.rights.listExchangeReviewItems(
      { page: { pageSize: 50, pageToken: '' }, townshipCode: '' },
      { principal: { sub: 'user:t-103', role: 'TOWNSHIP_OFFICIAL', townships: ['130881103'] } },
    );
    expect(other.items).toEqual([]);
    const refused = await c.rights
      .listExchangeReviewItems(
        { page: { pageSize: 50, pageToken: '' }, townshipCode: '' },
        { principal: { sub: 'bank:1', role: 'COOPERATING_BANK', bank: '91130881MA0000000X' } },
      )
      .catch((e: unknown) => e);
    expect((refused as { code?: number }).code).toBe(Status.PERMISSION_DENIED);

    // Settled by hand: off the queue, the reason kept, audited; a second settlement is refused.
    const unknownContract = all.find((i) => i.reason === 'CONTRACT_UNKNOWN');
    const settle = (id: string, settlement: string) =>
      c.rights.settleExchangeReviewItem(
        { kind: 'EXCHANGE_REVIEW_ITEM_KIND_DISPOSAL', id, settlement, context: change('人工复核') },
        { principal: leadUnitA },
      );
    const { item } = await settle(unknownContract?.id ?? '', '合同编码有误，已退回交易中心更正');
    expect(item).toMatchObject({
      id: unknownContract?.id,
      reason: 'CONTRACT_UNKNOWN',
      settledBy: leadUnitA.sub,
      settlement: '合同编码有误，已退回交易中心更正',
    });
    const after = await c.rights.listExchangeReviewItems(
      { page: { pageSize: 100, pageToken: '' }, townshipCode: '' },
      { principal: leadUnitA },
    );
    expect(after.pageInfo?.totalCount).toBe(total - 1);
    expect(after.items.map((i) => i.id)).not.toContain(unknownContract?.id);
    expect(
      await row(
        "SELECT action, actor_subject FROM pq_audit_log WHERE aggregate_type = 'disposal-transfer' AND aggregate_id = $1 AND action LIKE '%settled'",
        [unknownContract?.id],
      ),
    ).toEqual({ action: 'disposal-transfer.settled', actor_subject: leadUnitA.sub });
    const again = await settle(unknownContract?.id ?? '', 'again').catch((e: unknown) => e);
    expect((again as { code?: number }).code).toBe(Status.FAILED_PRECONDITION);
    const empty = await settle(unknownContract?.id ?? '', '  ').catch((e: unknown) => e);
    expect((empty as { code?: number }).code).toBe(Status.INVALID_ARGUMENT);
    const missing = await settle('no-such-disposal', 'x').catch((e: unknown) => e);
    expect((missing as { code?: number }).code).toBe(Status.NOT_FOUND);
  });
});

describe('the buyer as a transferee (buyerAsTransferee)', () => {
  const today = '2026-06-01';
  it('BUYER_NOT_RECORDABLE: a collective buyer, a nameless one, a number that names nobody', () => {
    const base = { name: '某村股份经济合作社', idNumber: '', householdId: '' };
    expect(
      buyerAsTransferee({ ...base, kind: 'PARTY_KIND_COLLECTIVE' }, undefined, 'x', today),
    ).toMatchObject({
      reason: 'BUYER_NOT_RECORDABLE',
    });
    expect(
      buyerAsTransferee(
        { ...base, name: ' ', kind: 'PARTY_KIND_ENTERPRISE', idNumber: enterpriseCode(1) },
        undefined,
        'x',
        today,
      ),
    ).toMatchObject({ reason: 'BUYER_NOT_RECORDABLE' });
    expect(
      buyerAsTransferee(
        { ...base, kind: 'PARTY_KIND_ENTERPRISE', idNumber: '91130881MA0000001Y' },
        undefined,
        'x',
        today,
      ),
    ).toMatchObject({ reason: 'BUYER_NOT_RECORDABLE' });
  });

  it('keeps a masked resident ID only as the ledger key, a full one as the ID', () => {
    const masked = maskResidentId(residentId(5));
    expect(
      buyerAsTransferee(
        { kind: 'PARTY_KIND_INDIVIDUAL', name: '王五', idNumber: masked, householdId: '' },
        undefined,
        'x',
        today,
      ),
    ).toEqual({
      transferee: { kind: 'NON_MEMBER_INDIVIDUAL', name: '王五', memberOfCollective: false },
      key: masked,
    });
    expect(
      buyerAsTransferee(
        { kind: 'PARTY_KIND_HOUSEHOLD', name: '赵六', idNumber: residentId(6), householdId: '' },
        undefined,
        'x',
        today,
      ),
    ).toMatchObject({ transferee: { kind: 'HOUSEHOLD', residentId: residentId(6) }, key: residentId(6) });
  });

  it('knows a registered household by its head, and whether it belongs to the collective', () => {
    const household = {
      id: newId(),
      code: '130881102201010001',
      issuerCode: '13088110220101',
      members: [
        {
          residentId: residentId(8),
          name: '孙七',
          relation: 'HEAD' as const,
          alive: true,
          movedToTown: false,
          povertyFlags: [],
        },
      ],
    };
    const buyer = {
      kind: 'PARTY_KIND_HOUSEHOLD' as const,
      name: '',
      idNumber: maskResidentId(residentId(8)),
      householdId: household.id,
    };
    expect(buyerAsTransferee(buyer, household, '13088110220101', today)).toEqual({
      transferee: {
        kind: 'HOUSEHOLD',
        name: '孙七',
        residentId: residentId(8),
        householdId: household.id,
        memberOfCollective: true,
      },
      key: residentId(8),
    });
  });

  it('ends the right at the earliest real date; prices per mu and year half up', () => {
    expect(earliestEnd('2031-12-31', '2028-09-30', undefined)).toBe('2028-09-30');
    expect(earliestEnd('', '2028-09-30', '2027-12-31')).toBe('2027-12-31');
    expect(earliestEnd('', 'garbage')).toBeUndefined();
    // 3,000,000 fen for 7.5 mu over 365 days: 400,000 fen per mu and year.
    expect(annualPricePerMuFen(3_000_000, 75_000, '2026-01-01', '2027-01-01')).toBe(400_000);
    expect(annualPricePerMuFen(0, 75_000, '2026-01-01', '2027-01-01')).toBeNull();
  });
});
