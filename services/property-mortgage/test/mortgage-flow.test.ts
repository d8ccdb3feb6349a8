import { describeClientError, newId } from '@pingquan/kit';
import { addDays, addMonths } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BANK_A,
  BANK_B,
  bankA,
  bankB,
  change,
  type Harness,
  household,
  leadUnitB,
  readEvents,
  residentId,
  rowCounts,
  startExchangeCentre,
  TOWNSHIP,
  waitFor,
} from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startExchangeCentre();
});
afterAll(async () => {
  await h?.stop();
});

const complete = ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
  (kind) => ({
    kind: `DOCUMENT_KIND_${kind}` as never,
    number: `${kind}-1`,
    title: '',
    issuedBy: '',
    issuedOn: '',
  }),
);
const conditions = {
  fullCivilCapacity: true,
  noBadCredit: true,
  rightUndisputed: true,
  certificateHeld: true,
  creditReportRef: 'ZX-2026-001',
};

async function refusal(call: Promise<unknown>) {
  const failure = describeClientError(await call.then(() => undefined).catch((e: unknown) => e));
  if (!failure) throw new Error('expected the call to fail');
  return { code: failure.code, rules: failure.violations.map((v) => v.rule) };
}

async function product(principal: typeof bankA, bank: string) {
  const { product } = await h.client.publishLoanProduct(
    {
      bankCreditCode: bank,
      bankName: bank === BANK_A ? '平泉农商银行' : '承德银行平泉支行',
      name: '土地经营权抵押贷',
      eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT'],
      maxLtvBp: 0,
      maxTermMonths: 36,
      minRateBp: 350,
      maxRateBp: 800,
      context: change(),
    },
    { principal },
  );
  return product!;
}

async function valuation(contractId: string, validUntil: string, valueFen = 10_000_000) {
  const { valuation } = await h.client.recordValuation(
    {
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contractId,
        plotCodes: [],
        circulationId: '',
      },
      method: 'VALUATION_METHOD_GOVERNMENT_PANEL',
      basis: 'VALUATION_BASIS_BENCHMARK_PRICE',
      basisNote: '基准价格 × 面积 × 剩余年限, 折现',
      valueFen,
      appraiser: { name: '平泉市农村产权评估小组', creditCode: '', licenceNo: '平政办〔2023〕12号' },
      valuedOn: h.clock.today(),
      validUntilDate: validUntil,
      reportNo: `PG-${contractId.slice(0, 8)}`,
      bankCreditCode: '',
      context: change(),
    },
    { principal: leadUnitB },
  );
  return valuation!;
}

function application(
  productId: string,
  contractId: string,
  householdId: string,
  valuationId: string,
  securedAmountFen: number,
) {
  return {
    productId,
    mortgagor: household(1, householdId),
    debtor: undefined,
    collateral: {
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT' as const,
      rightId: contractId,
      plotCodes: [],
      circulationId: '',
    },
    valuationId,
    securedAmountFen,
    termEndDate: addMonths(h.clock.today(), 24),
    documents: complete,
    borrowerConditions: conditions,
    context: change('application'),
  };
}

describe('mortgage registration flow (against real PostgreSQL and NATS)', () => {
  const contractId = newId();
  const householdId = newId();
  const ids: Record<string, string> = {};

  it('publishes a benchmark and values the right, with the benchmark reference value beside it', async () => {
    h.stub.addContract(contractId, householdId);
    const { price } = await h.client.publishBenchmarkPrice(
      {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        townshipCode: TOWNSHIP,
        year: Number(h.clock.today().slice(0, 4)),
        unit: 'PRICE_UNIT_UNSPECIFIED',
        priceFen: 80_000,
        context: change(),
      },
      { principal: leadUnitB },
    );
    expect(price?.version).toBe(1);
    const v = await valuation(contractId, addDays(h.clock.today(), 180));
    expect(v.townshipCode).toBe(TOWNSHIP);
    expect(v.benchmarkVersion).toBe(1);
    expect(v.referenceValueFen).toBeGreaterThan(0);
    ids['valuation'] = v.id;
  });

  it('refuses an application over valuation × LTV (SECURED_OVER_CAP) and changes nothing', async () => {
    ids['productA'] = (await product(bankA, BANK_A)).id;
    expect(
      (
        await h.client.listLoanProducts(
          { bankCreditCode: BANK_A, rightType: 'RIGHT_TYPE_UNSPECIFIED' },
          { principal: bankB },
        )
      ).products[0]?.maxLtvBp,
    ).toBe(7_000);
    const before = await rowCounts(h.dbUrl);
    const out = await refusal(
      h.client.applyForMortgage(
        application(ids['productA']!, contractId, householdId, ids['valuation']!, 7_000_001),
        { principal: bankA },
      ),
    );
    expect(out).toEqual({ code: Status.FAILED_PRECONDITION, rules: ['SECURED_OVER_CAP'] });
    expect(await rowCounts(h.dbUrl)).toEqual(before);
  });

  it('refuses a term beyond the right and another bank’s product', async () => {
    h.stub.addContract(contractId, householdId, { termEndDate: addMonths(h.clock.today(), 12) });
    const beyond = await refusal(
      h.client.applyForMortgage(
        application(ids['productA']!, contractId, householdId, ids['valuation']!, 1_000),
        { principal: bankA },
      ),
    );
    expect(beyond.rules).toContain('MORTGAGE_BEYOND_RIGHT_TERM');
    h.stub.addContract(contractId, householdId);
    const foreign = await refusal(
      h.client.applyForMortgage(
        application(ids['productA']!, contractId, householdId, ids['valuation']!, 1_000),
        { principal: bankB },
      ),
    );
    expect(foreign.code).toBe(Status.PERMISSION_DENIED);
  });

  it('applies, reviews and registers with a certificate and ranking, publishing MortgageRegistered', async () => {
    const { mortgage } = await h.client.applyForMortgage(
      application(ids['productA']!, contractId, householdId, ids['valuation']!, 5_000_000),
      { principal: bankA },
    );
    expect(mortgage?.status).toBe('MORTGAGE_STATUS_APPLIED');
    expect(mortgage?.capFen).toBe(7_000_000);
    ids['m1'] = mortgage!.id;
    // The bank may not review its own application.
    expect(
      (
        await refusal(
          h.client.reviewMortgageApplication(
            { mortgageId: ids['m1'], approve: true, note: '', context: change() },
            { principal: bankA },
          ),
        )
      ).code,
    ).toBe(Status.PERMISSION_DENIED);
    const reviewed = await h.client.reviewMortgageApplication(
      { mortgageId: ids['m1'], approve: true, note: '材料齐全, 权属清晰', context: change('review') },
      { principal: leadUnitB },
    );
    expect(reviewed.mortgage?.status).toBe('MORTGAGE_STATUS_APPROVED');
    const callsBefore = h.stub.calls;
    const { mortgage: registered } = await h.client.registerMortgage(
      { mortgageId: ids['m1'], context: change('register') },
      { principal: leadUnitB },
    );
    expect(h.stub.calls).toBe(callsBefore + 1); // verified again in the owner at registration
    expect(registered?.status).toBe('MORTGAGE_STATUS_REGISTERED');
    expect(registered?.ranking).toBe(1);
    expect(registered?.certificateNo).toMatch(new RegExp(`^DJ-\\d{4}-${TOWNSHIP}-000001$`));
  });

  it('ranks a second mortgage on the same right second and keeps the total under the cap', async () => {
    ids['productB'] = (await product(bankB, BANK_B)).id;
    const over = await refusal(
      h.client.applyForMortgage(
        application(ids['productB']!, contractId, householdId, ids['valuation']!, 2_000_001),
        { principal: bankB },
      ),
    );
    expect(over.rules).toEqual(['SECURED_OVER_CAP']);
    const { mortgage } = await h.client.applyForMortgage(
      application(ids['productB']!, contractId, householdId, ids['valuation']!, 2_000_000),
      { principal: bankB },
    );
    ids['m2'] = mortgage!.id;
    await h.client.reviewMortgageApplication(
      { mortgageId: ids['m2'], approve: true, note: '', context: change() },
      { principal: leadUnitB },
    );
    const { mortgage: second } = await h.client.registerMortgage(
      { mortgageId: ids['m2'], context: change() },
      { principal: leadUnitB },
    );
    expect(second?.ranking).toBe(2);
    const full = await refusal(
      h.client.applyForMortgage(
        application(ids['productB']!, contractId, householdId, ids['valuation']!, 1),
        { principal: bankB },
      ),
    );
    expect(full.rules).toEqual(['RIGHT_FULLY_ENCUMBERED']);
  });

  it('files the registration with the competent department', async () => {
    const { mortgage } = await h.client.fileMortgage(
      {
        mortgageId: ids['m1']!,
        filedWith: '平泉市农业农村局',
        filingRef: '平农备〔2026〕1号',
        context: change(),
      },
      { principal: leadUnitB },
    );
    expect(mortgage?.status).toBe('MORTGAGE_STATUS_FILED');
  });

  it('disburses a loan, lets it fall overdue and non-performing, with events at each transition', async () => {
    const { loan } = await h.client.disburseLoan(
      {
        mortgageId: ids['m1']!,
        principalFen: 5_000_000,
        annualRateBp: 480,
        disbursedOn: h.clock.today(),
        termMonths: 12,
        method: 'REPAYMENT_METHOD_EQUAL_PRINCIPAL',
        periodMonths: 3,
        context: change('disbursal'),
      },
      { principal: bankA },
    );
    ids['loan'] = loan!.id;
    const firstDue = loan!.schedule[0]!.dueDate;
    // Three days late for an operational reason: excepted, still normal.
    h.clock.offsetDays = 0;
    while (h.clock.today() < addDays(firstDue, 3)) h.clock.advance(1);
    await h.client.markOperationalDelay(
      { loanId: ids['loan'], dueDate: firstDue, context: change('bank transfer held up') },
      { principal: bankA },
    );
    let run = await h.client.classifyLoans({ asOfDate: '' }, { principal: leadUnitB });
    expect(run).toMatchObject({ changed: 1, becameOverdue: 1, becameNonPerforming: 0 });
    expect((await h.client.getLoan({ id: ids['loan'] }, { principal: bankA })).loan).toMatchObject({
      classification: 'LOAN_CLASS_NORMAL',
      classificationRule: 'OPERATIONAL_DELAY_EXCEPTED',
      overdueDays: 3,
    });
    // Ten days late: special mention.
    h.clock.advance(7);
    run = await h.client.classifyLoans({ asOfDate: '' }, { principal: leadUnitB });
    expect((await h.client.getLoan({ id: ids['loan'] }, { principal: bankA })).loan?.classification).toBe(
      'LOAN_CLASS_SPECIAL_MENTION',
    );
    // A second run on the same day changes nothing.
    expect((await h.client.classifyLoans({ asOfDate: '' }, { principal: leadUnitB })).changed).toBe(0);
    // More than 90 days late: substandard, non-performing.
    h.clock.advance(85);
    run = await h.client.classifyLoans({ asOfDate: '' }, { principal: leadUnitB });
    expect(run.becameNonPerforming).toBe(1);
    const npl = (await h.client.getLoan({ id: ids['loan'] }, { principal: bankA })).loan!;
    expect(npl).toMatchObject({
      classification: 'LOAN_CLASS_SUBSTANDARD',
      nonPerforming: true,
      overdueDays: 95,
    });
    expect(
      (
        await refusal(
          h.client.classifyLoans({ asOfDate: addDays(h.clock.today(), 1) }, { principal: leadUnitB }),
        )
      ).code,
    ).toBe(Status.INVALID_ARGUMENT);
  });

  it('auctions the collateral: reserve, deposit and rising bids; proceeds applied, recovery rate stated', async () => {
    const today = h.clock.today();
    const { disposal } = await h.client.startDisposal(
      {
        loanId: ids['loan']!,
        method: 'DISPOSAL_METHOD_ONLINE_AUCTION',
        reservePriceFen: 3_000_000,
        depositFen: 300_000,
        opensOn: today,
        closesOn: addDays(today, 10),
        transferTermEndDate: '',
        context: change('NPL disposal'),
      },
      { principal: leadUnitB },
    );
    expect(disposal?.transferTermEndDate).toBe('2058-09-30');
    ids['disposal'] = disposal!.id;
    const bid = (seq: number, amountFen: number, depositPaidFen = 300_000) =>
      h.client.placeBid(
        {
          disposalId: ids['disposal']!,
          bidder: household(seq, ''),
          amountFen,
          depositPaidFen,
          context: change('bid'),
        },
        { principal: leadUnitB },
      );
    expect((await refusal(bid(11, 2_999_999))).rules).toEqual(['BID_BELOW_RESERVE']);
    expect((await refusal(bid(11, 3_100_000, 0))).rules).toEqual(['DEPOSIT_NOT_PAID']);
    await bid(11, 3_100_000);
    expect((await refusal(bid(12, 3_100_000))).rules).toEqual(['BID_NOT_ABOVE_HIGHEST']);
    await bid(12, 3_200_000);
    expect(
      (
        await refusal(
          h.client.completeDisposal(
            {
              disposalId: ids['disposal']!,
              buyer: undefined,
              priceFen: 0,
              costsFen: 100_000,
              completedOn: '',
              context: change(),
            },
            { principal: leadUnitB },
          ),
        )
      ).rules,
    ).toEqual(['AUCTION_STILL_OPEN']);
    h.clock.advance(10);
    const done = await h.client.completeDisposal(
      {
        disposalId: ids['disposal']!,
        buyer: undefined,
        priceFen: 0,
        costsFen: 100_000,
        completedOn: '',
        context: change('auction closed'),
      },
      { principal: leadUnitB },
    );
    const d = done.disposal!;
    expect(d.status).toBe('DISPOSAL_STATUS_COMPLETED');
    expect(d.priceFen).toBe(3_200_000);
    expect(d.buyer?.idNumber).toBe(residentId(12));
    expect(d.netProceedsFen).toBe(3_100_000);
    expect(d.appliedInterestFen + d.appliedPrincipalFen + d.surplusFen).toBe(d.netProceedsFen);
    expect(d.certificateNo).toMatch(/^JZ-/);
    expect(done.loan?.status).toBe('LOAN_STATUS_CLOSED_WITH_LOSS');
    expect(d.recoveryRateBp).toBe(
      Math.round(((d.appliedInterestFen + d.appliedPrincipalFen) * 10_000) / d.claimAtDisposalFen),
    );
  });

  it('pays the fund’s share of the loss, never below zero, and every fen reconciles', async () => {
    await h.client.contributeToFund(
      { amountFen: 100_000, contributor: '平泉市财政局', contributedOn: '', context: change('首期出资') },
      { principal: leadUnitB },
    );
    const before = await rowCounts(h.dbUrl);
    const over = await refusal(
      h.client.claimCompensation(
        {
          loanId: ids['loan']!,
          cause: 'LOSS_CAUSE_ORDINARY',
          insurerRecoveredFen: 0,
          guarantorRecoveredFen: 0,
          context: change(),
        },
        { principal: leadUnitB },
      ),
    );
    expect(over.rules).toEqual(['CLAIM_OVER_BALANCE']);
    expect(await rowCounts(h.dbUrl)).toEqual(before);
    await h.client.contributeToFund(
      {
        amountFen: 1_000_000,
        contributor: '平泉农商银行',
        contributedOn: '',
        context: change('合作银行出资'),
      },
      { principal: leadUnitB },
    );
    const { claim } = await h.client.claimCompensation(
      {
        loanId: ids['loan']!,
        cause: 'LOSS_CAUSE_ORDINARY',
        insurerRecoveredFen: 0,
        guarantorRecoveredFen: 0,
        context: change('claim'),
      },
      { principal: leadUnitB },
    );
    const c = claim!;
    const d = (await h.client.getDisposal({ id: ids['disposal']! }, { principal: leadUnitB })).disposal!;
    const shares = (s: typeof c.principalShares) =>
      s ? s.fundFen + s.bankFen + s.insurerFen + s.guarantorFen : 0;
    expect(c.netPrincipalLossFen).toBe(c.principalAtDisposalFen - d.appliedPrincipalFen);
    expect(c.principalShares?.fundFen).toBe(Math.floor(c.netPrincipalLossFen / 5));
    expect(c.principalAtDisposalFen + c.interestAtDisposalFen).toBe(
      d.appliedPrincipalFen +
        d.appliedInterestFen +
        c.recoveriesPrincipalFen +
        c.recoveriesInterestFen +
        shares(c.principalShares) +
        shares(c.interestShares),
    );
    expect(c.fundPayoutFen).toBe(c.principalShares!.fundFen + c.interestShares!.fundFen);
    const { statement, claims } = await h.client.getFundStatement({ entries: 10 }, { principal: leadUnitB });
    expect(statement).toMatchObject({
      reconciled: true,
      contributionsFen: 1_100_000,
      payoutsFen: c.fundPayoutFen,
      balanceFen: 1_100_000 - c.fundPayoutFen,
    });
    expect(claims).toHaveLength(1);
    expect(
      (
        await refusal(
          h.client.claimCompensation(
            {
              loanId: ids['loan']!,
              cause: 'LOSS_CAUSE_ORDINARY',
              insurerRecoveredFen: 0,
              guarantorRecoveredFen: 0,
              context: change(),
            },
            { principal: leadUnitB },
          ),
        )
      ).rules,
    ).toEqual(['CLAIM_ALREADY_MADE']);
  });

  it('releases both mortgages and publishes MortgageReleased with the collateral reference', async () => {
    const { mortgage } = await h.client.releaseMortgage(
      { mortgageId: ids['m1']!, context: change('disposed') },
      { principal: bankA },
    );
    expect(mortgage).toMatchObject({ status: 'MORTGAGE_STATUS_RELEASED', releaseReason: 'DISPOSED' });
    const second = await h.client.releaseMortgage(
      { mortgageId: ids['m2']!, context: change('bank consents') },
      { principal: bankB },
    );
    expect(second.mortgage?.releaseReason).toBe('BANK_CONSENT');
    const events = await waitFor(async () => {
      const e = await readEvents(h.service.runtime.nc, h.prefix);
      return e.filter((x) => x.type.endsWith('MortgageReleased')).length === 2 ? e : undefined;
    });
    const types = events.map((e) => e.type.replace('pingquan.property_mortgage.v1.', ''));
    expect(types.filter((t) => t === 'MortgageRegistered')).toHaveLength(2);
    expect(types).toEqual(
      expect.arrayContaining([
        'MortgageFiled',
        'LoanDisbursed',
        'LoanOverdue',
        'LoanClassified',
        'LoanNonPerforming',
        'TransactionCertified',
        'CollateralDisposed',
        'FundClaimPaid',
      ]),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const { Events } = await import('@pingquan/contracts/catalogue');
    const registered = events.find(
      (e) => e.type.endsWith('MortgageRegistered') && e.aggregateId === ids['m1'],
    );
    const payload = Events['property-mortgage'].MortgageRegistered.codec.decode(registered!.payload);
    expect(payload.collateral).toEqual({
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
      rightId: contractId,
      plotCodes: [],
      circulationId: '',
    });
    expect(payload).toMatchObject({ mortgageeCreditCode: BANK_A, securedAmountFen: 5_000_000, ranking: 1 });
    const released = events.find((e) => e.type.endsWith('MortgageReleased') && e.aggregateId === ids['m1']);
    expect(Events['property-mortgage'].MortgageReleased.codec.decode(released!.payload)).toMatchObject({
      reason: 'DISPOSED',
      collateral: { rightId: contractId },
    });
  });

  it('refuses an application backed by an expired valuation (VALUATION_EXPIRED)', async () => {
    const other = newId();
    const otherHousehold = newId();
    h.stub.addContract(other, otherHousehold);
    const v = await valuation(other, h.clock.today(), 1_000_000);
    h.clock.advance(1);
    const out = await refusal(
      h.client.applyForMortgage(application(ids['productA']!, other, otherHousehold, v.id, 100), {
        principal: bankA,
      }),
    );
    expect(out.rules).toContain('VALUATION_EXPIRED');
  });
  it('a transferee mortgages a circulated management right only with the contractor’s written consent', async () => {
    const contract = newId();
    const contractor = newId();
    const transferee = newId();
    const circulationId = newId();
    const circulationEnd = addMonths(h.clock.today(), 60);
    h.stub.addContract(contract, contractor, {
      circulatedRights: [
        {
          circulationId,
          transferee: {
            kind: 'TRANSFEREE_KIND_HOUSEHOLD',
            name: '种粮大户',
            creditCode: '',
            residentId: residentId(30),
            householdId: transferee,
            memberOfCollective: true,
          },
          plots: [],
          areaMu4: 50_000,
          termStartDate: '2024-01-01',
          termEndDate: circulationEnd,
          remaining: undefined,
          securableUntilDate: circulationEnd,
          encumbrances: [],
          securedTotalFen: 0,
        },
      ],
    });
    const collateral = {
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT' as const,
      rightId: contract,
      plotCodes: [],
      circulationId,
    };
    const { valuation: v } = await h.client.recordValuation(
      {
        collateral,
        method: 'VALUATION_METHOD_NEGOTIATED',
        basis: 'VALUATION_BASIS_INCOME',
        basisNote: '流转合同剩余租期收益',
        valueFen: 1_000_000,
        appraiser: { name: '借贷双方协商', creditCode: '', licenceNo: '' },
        valuedOn: '',
        validUntilDate: addDays(h.clock.today(), 30),
        reportNo: '',
        bankCreditCode: '',
        context: change(),
      },
      { principal: leadUnitB },
    );
    const request = {
      ...application(ids['productA']!, contract, transferee, v!.id, 500_000),
      collateral,
      mortgagor: household(30, transferee),
    };
    expect((await refusal(h.client.applyForMortgage(request, { principal: bankA }))).rules).toEqual([
      'CONTRACTOR_CONSENT_REQUIRED',
    ]);
    const consent = {
      kind: 'DOCUMENT_KIND_CONTRACTOR_WRITTEN_CONSENT' as const,
      number: '同意书 2026-5',
      title: '',
      issuedBy: '农户1',
      issuedOn: '',
    };
    const { mortgage } = await h.client.applyForMortgage(
      { ...request, documents: [...complete, consent] },
      { principal: bankA },
    );
    expect(mortgage?.collateralCheck).toMatchObject({
      heldByTransferee: true,
      securableUntilDate: circulationEnd,
    });
    // The contractor is not the one holding the management right now.
    const byContractor = await refusal(
      h.client.applyForMortgage(
        {
          ...request,
          collateral: { ...collateral, circulationId: '' },
          mortgagor: household(31, transferee),
        },
        { principal: bankA },
      ),
    );
    expect(byContractor.rules).toContain('VALUATION_OF_OTHER_COLLATERAL');
  });

  it('sells to a storage company (收储): only a storage company buys, and a surplus goes back to the mortgagor', async () => {
    const contract = newId();
    const holder = newId();
    h.stub.addContract(contract, holder);
    const v = await valuation(contract, addDays(h.clock.today(), 60), 2_000_000);
    const { mortgage } = await h.client.applyForMortgage(
      application(ids['productA']!, contract, holder, v.id, 1_000_000),
      { principal: bankA },
    );
    await h.client.reviewMortgageApplication(
      { mortgageId: mortgage!.id, approve: true, note: '', context: change() },
      { principal: leadUnitB },
    );
    await h.client.registerMortgage(
      { mortgageId: mortgage!.id, context: change() },
      { principal: leadUnitB },
    );
    const { loan } = await h.client.disburseLoan(
      {
        mortgageId: mortgage!.id,
        principalFen: 800_000,
        annualRateBp: 500,
        disbursedOn: h.clock.today(),
        termMonths: 12,
        method: 'REPAYMENT_METHOD_INTEREST_ONLY_BULLET',
        periodMonths: 3,
        context: change(),
      },
      { principal: bankA },
    );
    h.clock.advance(200);
    await h.client.classifyLoans({ asOfDate: '' }, { principal: leadUnitB });
    const { disposal } = await h.client.startDisposal(
      {
        loanId: loan!.id,
        method: 'DISPOSAL_METHOD_STORAGE_ACQUISITION',
        reservePriceFen: 900_000,
        depositFen: 0,
        opensOn: h.clock.today(),
        closesOn: h.clock.today(),
        transferTermEndDate: '',
        context: change(),
      },
      { principal: bankA },
    );
    const complete = (buyer: ReturnType<typeof household>, priceFen: number) =>
      h.client.completeDisposal(
        { disposalId: disposal!.id, buyer, priceFen, costsFen: 10_000, completedOn: '', context: change() },
        { principal: leadUnitB },
      );
    expect((await refusal(complete(household(40, ''), 1_000_000))).rules).toEqual([
      'BUYER_NOT_STORAGE_COMPANY',
    ]);
    const storage = {
      kind: 'PARTY_KIND_STORAGE_COMPANY' as const,
      name: '平泉市农村产权收储有限公司',
      idNumber: BANK_B,
      householdId: '',
    };
    expect((await refusal(complete(storage, 899_999))).rules).toEqual(['PRICE_BELOW_RESERVE']);
    const done = await complete(storage, 1_000_000);
    const d = done.disposal!;
    expect(done.loan?.status).toBe('LOAN_STATUS_SETTLED');
    expect(d.appliedPrincipalFen).toBe(800_000);
    expect(d.surplusFen).toBe(990_000 - d.appliedInterestFen - 800_000);
    expect(d.recoveryRateBp).toBe(10_000);
    expect(
      (
        await refusal(
          h.client.claimCompensation(
            {
              loanId: loan!.id,
              cause: 'LOSS_CAUSE_ORDINARY',
              insurerRecoveredFen: 0,
              guarantorRecoveredFen: 0,
              context: change(),
            },
            { principal: leadUnitB },
          ),
        )
      ).rules,
    ).toEqual(['CLAIM_BEFORE_DISPOSAL']);
    const { mortgage: released } = await h.client.releaseMortgage(
      { mortgageId: mortgage!.id, context: change() },
      { principal: leadUnitB },
    );
    expect(released?.releaseReason).toBe('REPAID');
  });
});
