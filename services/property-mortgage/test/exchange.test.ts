import { Events } from '@pingquan/contracts/catalogue';
import type { Party } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import { describeClientError, newId } from '@pingquan/kit';
import { addDays, addMonths } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BANK_A,
  bankA,
  bankB,
  COLLECTIVE,
  change,
  type Harness,
  household,
  leadUnitB,
  readEvents,
  rowCounts,
  startExchangeCentre,
  TOWNSHIP,
  townshipOfficial,
  VILLAGE,
  waitFor,
} from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startExchangeCentre();
});
afterAll(async () => {
  await h?.stop();
});

const collective: Party = {
  kind: 'PARTY_KIND_COLLECTIVE',
  name: '碾子沟村股份经济合作社',
  idNumber: COLLECTIVE,
  householdId: '',
};
const certificate = {
  kind: 'DOCUMENT_KIND_RIGHT_CERTIFICATE' as const,
  number: '冀(2019)平泉市林权第0012号',
  title: '林权证',
  issuedBy: '平泉市林草局',
  issuedOn: '2019-05-01',
};

async function failure(call: Promise<unknown>) {
  return describeClientError(await call.then(() => undefined).catch((e: unknown) => e));
}

async function forestRight(holder: Party) {
  const { right } = await h.client.registerRight(
    {
      rightType: 'RIGHT_TYPE_FOREST',
      holder,
      villageCode: VILLAGE,
      description: '后山集体林地 200 亩, 油松',
      areaMu4: 2_000_000,
      termEndDate: '2056-12-31',
      quantity: 0,
      evidence: [certificate],
      context: change('林权登记'),
    },
    { principal: leadUnitB },
  );
  return right!;
}

describe('rights registered at the centre, the exchange and certified transactions', () => {
  it('registers a forest right with its evidence, and refuses one owned by land-contract', async () => {
    const right = await forestRight(collective);
    expect(right).toMatchObject({ collectiveProperty: true, townshipCode: TOWNSHIP });
    const out = await failure(
      h.client.registerRight(
        {
          rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
          holder: household(1, ''),
          villageCode: VILLAGE,
          description: 'x',
          areaMu4: 1,
          termEndDate: '2050-01-01',
          quantity: 0,
          evidence: [certificate],
          context: change(),
        },
        { principal: leadUnitB },
      ),
    );
    expect(out?.violations.map((v) => v.rule)).toEqual(['RIGHT_OWNED_BY_ANOTHER_SERVICE']);
  });

  it('collective assets go through the centre: a deal without a listing is refused', async () => {
    const right = await forestRight(collective);
    const before = await rowCounts(h.dbUrl);
    const deal = {
      listingId: '',
      rightType: 'RIGHT_TYPE_FOREST' as const,
      rightId: right.id,
      plotCodes: [],
      ownerRecordId: '',
      seller: collective,
      buyer: household(2, ''),
      villageCode: VILLAGE,
      collectiveAsset: true,
      mode: 'TRANSACTION_MODE_LEASE' as const,
      areaMu4: 2_000_000,
      priceFen: 16_000_000,
      termStartDate: h.clock.today(),
      termEndDate: addMonths(h.clock.today(), 120),
      dealDate: '',
      context: change(),
    };
    const out = await failure(h.client.recordDeal(deal, { principal: leadUnitB }));
    expect(out?.violations.map((v) => v.rule)).toEqual(['COLLECTIVE_ASSET_MUST_GO_THROUGH_CENTRE']);
    expect(await rowCounts(h.dbUrl)).toEqual(before);
  });

  it('lists, deals and certifies: the certificate number is announced as TransactionCertified', async () => {
    const right = await forestRight(collective);
    const { listing } = await h.client.createListing(
      {
        rightType: 'RIGHT_TYPE_FOREST',
        rightId: right.id,
        plotCodes: [],
        seller: collective,
        villageCode: VILLAGE,
        collectiveAsset: false,
        mode: 'TRANSACTION_MODE_LEASE',
        areaMu4: 2_000_000,
        askingPriceFen: 15_000_000,
        termStartDate: h.clock.today(),
        termEndDate: addMonths(h.clock.today(), 120),
        context: change('挂牌'),
      },
      { principal: townshipOfficial },
    );
    expect(listing?.collectiveAsset).toBe(true);
    const { deal } = await h.client.recordDeal(
      {
        listingId: listing!.id,
        rightType: 'RIGHT_TYPE_UNSPECIFIED',
        rightId: '',
        plotCodes: [],
        ownerRecordId: '',
        seller: undefined,
        buyer: household(3, ''),
        villageCode: '',
        collectiveAsset: false,
        mode: 'TRANSACTION_MODE_UNSPECIFIED',
        areaMu4: 0,
        priceFen: 16_000_000,
        termStartDate: '',
        termEndDate: '',
        dealDate: '',
        context: change('成交'),
      },
      { principal: townshipOfficial },
    );
    expect(deal).toMatchObject({
      status: 'DEAL_STATUS_RECORDED',
      listingId: listing!.id,
      collectiveAsset: true,
    });
    const { deal: certified } = await h.client.certifyTransaction(
      { dealId: deal!.id, context: change('鉴证') },
      { principal: leadUnitB },
    );
    expect(certified?.certificateNo).toMatch(new RegExp(`^JZ-\\d{4}-${TOWNSHIP}-\\d{6}$`));
    const events = await waitFor(async () => {
      const e = (await readEvents(h.service.runtime.nc, h.prefix)).filter((x) =>
        x.type.endsWith('TransactionCertified'),
      );
      return e.length ? e : undefined;
    });
    const payload = Events['property-mortgage'].TransactionCertified.codec.decode(events[0]!.payload);
    expect(payload).toMatchObject({
      certificateNo: certified?.certificateNo,
      rightType: 'RIGHT_TYPE_FOREST',
      rightId: right.id,
      collectiveAsset: true,
      priceFen: 16_000_000,
    });
    expect(payload.buyer?.idNumber).toMatch(/\*{8}/); // personal data leaves the service masked
  });

  it('draws the market comparable from certified deals: the median per-mu-year price', async () => {
    for (const price of [1_000_000, 1_200_000, 1_100_000]) {
      const right = await forestRight(household(9, ''));
      const { deal } = await h.client.recordDeal(
        {
          listingId: '',
          rightType: 'RIGHT_TYPE_FOREST',
          rightId: right.id,
          plotCodes: [],
          ownerRecordId: '',
          seller: household(9, ''),
          buyer: household(10, ''),
          villageCode: VILLAGE,
          collectiveAsset: false,
          mode: 'TRANSACTION_MODE_TRANSFER',
          areaMu4: 100_000,
          priceFen: price,
          termStartDate: '2026-01-01',
          termEndDate: '2027-01-01',
          dealDate: '',
          context: change(),
        },
        { principal: leadUnitB },
      );
      await h.client.certifyTransaction({ dealId: deal!.id, context: change() }, { principal: leadUnitB });
    }
    const { comparable } = await h.client.getMarketComparable(
      { rightType: 'RIGHT_TYPE_FOREST', townshipCode: TOWNSHIP, asOfDate: '' },
      { principal: bankA },
    );
    // 16,000,000 fen over 200 mu for 10 years = 8,000 fen a mu-year; the three 10-mu deals give 100,000/110,000/120,000.
    expect(comparable?.dealCount).toBe(4);
    expect(comparable?.medianFenPerMuYear).toBe(105_000);
  });

  it('officers may never pledge collective property for others (COLLECTIVE_PROPERTY_PLEDGED_FOR_OTHERS)', async () => {
    const right = await forestRight(collective);
    const { product } = await h.client.publishLoanProduct(
      {
        bankCreditCode: BANK_A,
        bankName: '平泉农商银行',
        name: '林权贷',
        eligibleRightTypes: ['RIGHT_TYPE_FOREST'],
        maxLtvBp: 5_000,
        maxTermMonths: 36,
        minRateBp: 400,
        maxRateBp: 600,
        context: change(),
      },
      { principal: bankA },
    );
    const { valuation } = await h.client.recordValuation(
      {
        collateral: { rightType: 'RIGHT_TYPE_FOREST', rightId: right.id, plotCodes: [], circulationId: '' },
        method: 'VALUATION_METHOD_THIRD_PARTY_AGENCY',
        basis: 'VALUATION_BASIS_INCOME',
        basisNote: '',
        valueFen: 40_000_000,
        appraiser: { name: '承德某资产评估有限公司', creditCode: BANK_A, licenceNo: 'ZC-1' },
        valuedOn: '',
        validUntilDate: addDays(h.clock.today(), 200),
        reportNo: 'PG-1',
        bankCreditCode: '',
        context: change(),
      },
      { principal: leadUnitB },
    );
    expect(valuation?.townshipCode).toBe(TOWNSHIP);
    const request = {
      productId: product!.id,
      mortgagor: collective,
      debtor: household(4, ''),
      collateral: {
        rightType: 'RIGHT_TYPE_FOREST' as const,
        rightId: right.id,
        plotCodes: [],
        circulationId: '',
      },
      valuationId: valuation!.id,
      securedAmountFen: 1_000_000,
      termEndDate: addMonths(h.clock.today(), 24),
      documents: [
        {
          ...certificate,
          kind: 'DOCUMENT_KIND_COLLECTIVE_RESOLUTION' as const,
          number: '村民代表会议决议 2026-3',
        },
      ],
      borrowerConditions: undefined,
      context: change(),
    };
    const forOthers = await failure(h.client.applyForMortgage(request, { principal: bankA }));
    expect(forOthers?.violations.map((v) => v.rule)).toEqual(['COLLECTIVE_PROPERTY_PLEDGED_FOR_OTHERS']);
    const { mortgage } = await h.client.applyForMortgage(
      { ...request, debtor: undefined },
      { principal: bankA },
    );
    expect(mortgage?.status).toBe('MORTGAGE_STATUS_APPLIED');
    const noResolution = await failure(
      h.client.applyForMortgage({ ...request, debtor: undefined, documents: [] }, { principal: bankA }),
    );
    expect(noResolution?.violations.map((v) => v.rule)).toEqual(['COLLECTIVE_RESOLUTION_REQUIRED']);
  });

  it('refuses a right whose owning service is not connected yet (RIGHT_OWNER_NOT_CONNECTED)', async () => {
    const out = await failure(
      h.client.checkCollateral(
        {
          collateral: {
            rightType: 'RIGHT_TYPE_FARMER_HOUSE',
            rightId: newId(),
            plotCodes: [],
            circulationId: '',
          },
          asOfDate: '',
        },
        { principal: bankA },
      ),
    );
    expect(out).toMatchObject({
      code: Status.FAILED_PRECONDITION,
      violations: [expect.objectContaining({ rule: 'RIGHT_OWNER_NOT_CONNECTED' })],
    });
  });

  it('reports the week and the month by township, bank and right type', async () => {
    const { report } = await h.client.getWeeklyReport(
      { weekEndingDate: h.clock.today() },
      { principal: leadUnitB },
    );
    expect(report?.totals?.certifiedTransactions).toBe(4);
    expect(report?.byTownship.map((r) => r.key)).toEqual([TOWNSHIP]);
    expect(report?.byRightType.map((r) => r.key)).toEqual(['FOREST']);
    const month = h.clock.today().slice(0, 7);
    const { report: dispatch } = await h.client.getMonthlyDispatch({ month }, { principal: leadUnitB });
    expect(dispatch?.totals?.certifiedAmountFen).toBe(16_000_000 + 3_300_000);
    // A bank's report covers only its own business, so no deals of others.
    const own = await h.client.getMonthlyDispatch({ month }, { principal: bankB });
    expect(own.report?.totals?.certifiedTransactions).toBe(0);
    expect(
      (await failure(h.client.getMonthlyDispatch({ month: '2026-13' }, { principal: leadUnitB })))?.code,
    ).toBe(Status.INVALID_ARGUMENT);
  });
});
