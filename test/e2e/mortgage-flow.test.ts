import { jetstream } from '@nats-io/jetstream';
import { Events } from '@pingquan/contracts/catalogue';
import { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import { type NatsConnection, type Principal, streamName } from '@pingquan/kit';
import type { Clock } from '@pingquan/property-mortgage';
import {
  addDays,
  addMonths,
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
  todayInShanghai,
} from '@pingquan/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform, waitUntil } from '../support/platform.js';

// The exchange centre's whole flow across services, through the gateway: value → apply → register →
// land-contract shows the encumbrance and refuses surrender → the loan goes overdue → non-performing →
// auction → fund claim → release, with every fen reconciled. property-mortgage's clock starts 150 days
// back and is moved forward to today, so the loan can fall overdue while land-contract keeps the real
// date (the release lands on today, and the encumbrance lifts today).

class ShiftedClock implements Clock {
  offsetDays = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetDays * 86_400_000);
  }
  today(): string {
    return todayInShanghai(this.now());
  }
}

const clock = new ShiftedClock();
let platform: Platform;
let tokens: Record<'landLead' | 'centre' | 'bank' | 'otherBank' | 'leadingGroup', string>;

const VILLAGE = '130881102203';
const TOWNSHIP = '130881102';
const ISSUER = makeIssuerCode(VILLAGE, 0);
const HEAD_ID = (() => {
  const first17 = '13088119680315021';
  return first17 + residentIdCheckCharacter(first17);
})();

function enterpriseCode(body: string): string {
  const first17 = `91130881${body}`;
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, ch, i) => s + alphabet.indexOf(ch) * (weights[i] ?? 0), 0);
  return first17 + alphabet.charAt((31 - (sum % 31)) % 31);
}
const BANK = enterpriseCode('MA0E2EBK1');
const OTHER_BANK = enterpriseCode('MA0E2EBK2');
const centre: Principal = { sub: 'user:e2e-centre', role: 'LEAD_UNIT', track: 'B' };

async function gql<T>(token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const result = await platform.graphql<T>(token, query, variables);
  if (result.errors?.length) throw new Error(JSON.stringify(result.errors));
  return result.data as T;
}

/** A mutation's payload, failing the test on refusals unless they are expected. */
async function mutate<T>(token: string, name: string, selection: string, input: Record<string, unknown>) {
  const data = await gql<Record<string, T & { userErrors: { code: string; message: string }[] }>>(
    token,
    `mutation($input: ${name[0]?.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${selection} userErrors { code field message } } }`,
    { input },
  );
  return data[name] as T & { userErrors: { code: string; message: string }[] };
}

const change = (reason: string) => ({ reason });

/** Every event in a stream, read from the start by an ephemeral ordered consumer. */
async function readStream(nc: NatsConnection, prefix: string, stream: string): Promise<EventEnvelope[]> {
  const consumer = await jetstream(nc).consumers.get(streamName(prefix, stream));
  const out: EventEnvelope[] = [];
  for (;;) {
    const m = await consumer.next({ expires: 1000 });
    if (!m) return out;
    out.push(EventEnvelope.decode(m.data));
  }
}

beforeAll(async () => {
  clock.offsetDays = -150;
  platform = await startPlatform({ propertyMortgageClock: clock });
  tokens = {
    landLead: await platform.token({ sub: 'user:e2e-agri', pq_role: 'LEAD_UNIT', pq_track: 'A' }),
    centre: await platform.token({ sub: centre.sub, pq_role: 'LEAD_UNIT', pq_track: 'B' }),
    bank: await platform.token({ sub: 'bank:e2e', pq_role: 'COOPERATING_BANK', pq_bank: BANK }),
    otherBank: await platform.token({ sub: 'bank:e2e-2', pq_role: 'COOPERATING_BANK', pq_bank: OTHER_BANK }),
    leadingGroup: await platform.token({ sub: 'user:e2e-lg', pq_role: 'LEADING_GROUP' }),
  };
});
afterAll(async () => {
  await platform?.stop();
});

describe('property-mortgage end to end: value → apply → register → overdue → NPL → auction → claim → release', () => {
  const ids: Record<string, string> = {};
  const n: Record<string, number> = {};

  it('registers the household and its contract in land-contract', async () => {
    const issuer = await mutate<{ issuer: { id: string } }>(
      tokens.landLead,
      'registerIssuer',
      'issuer { id }',
      {
        code: ISSUER,
        creditCode: makeCollectiveOrgCode('VILLAGE', '130881', 'MA000E2EM'),
        name: '样例村股份经济合作社',
        change: change('e2e'),
      },
    );
    expect(issuer.userErrors).toEqual([]);
    const household = await mutate<{ household: { id: string } }>(
      tokens.landLead,
      'registerHousehold',
      'household { id }',
      {
        code: makeContractorCode(ISSUER, 1),
        members: [{ residentId: HEAD_ID, name: '王德山', relation: 'HEAD' }],
        change: change('e2e'),
      },
    );
    ids['household'] = household.household.id;
    const contract = await mutate<{ contract: { id: string; totalArea: string } }>(
      tokens.landLead,
      'registerContract',
      'contract { id totalArea }',
      {
        code: makeContractCode(ISSUER, 1, 'FAMILY'),
        householdId: ids['household'],
        mode: 'FAMILY',
        termStart: '1998-10-01',
        termEnd: '2028-09-30',
        secondRoundEnd: '2028-09-30',
        plots: [1, 2].map((i) => ({
          code: makePlotCode(ISSUER, i),
          name: `北坡${i}`,
          contractArea: i === 1 ? '2.5' : '5',
          surveyedArea: i === 1 ? '2.5' : '5',
          landClass: 'CULTIVATED',
          boundaries: { east: '路', south: '沟', west: '李家', north: '山' },
        })),
        change: change('e2e'),
      },
    );
    expect(contract.contract.totalArea).toBe('7.5000');
    ids['contract'] = contract.contract.id;
  });

  it('values the right: a benchmark price and a panel valuation checked in land-contract', async () => {
    const year = Number(clock.today().slice(0, 4));
    const price = await mutate<{ price: { version: number } }>(
      tokens.centre,
      'publishBenchmarkPrice',
      'price { version }',
      {
        rightType: 'LAND_MANAGEMENT',
        townshipCode: TOWNSHIP,
        year,
        price: 80_000,
        change: { documentRef: '平供销发〔2026〕3号' },
      },
    );
    expect(price.price.version).toBe(1);
    const valued = await mutate<{
      valuation: { id: string; value: number; referenceValue: number; township: { code: string } };
    }>(tokens.centre, 'recordValuation', 'valuation { id value referenceValue township { code } }', {
      collateral: { rightType: 'LAND_MANAGEMENT', rightId: ids['contract'] },
      method: 'GOVERNMENT_PANEL',
      basis: 'BENCHMARK_PRICE',
      basisNote: '基准价 800 元/亩·年 × 7.5 亩 × 剩余年限, 折现',
      value: 2_000_000,
      appraiserName: '平泉市农村产权评估小组',
      validUntil: addDays(clock.today(), 180),
      change: change('评估'),
    });
    expect(valued.userErrors).toEqual([]);
    expect(valued.valuation.township.code).toBe(TOWNSHIP);
    expect(valued.valuation.referenceValue).toBeGreaterThan(0);
    ids['valuation'] = valued.valuation.id;
  });

  it('applies within valuation × LTV, is reviewed and registered with certificate and ranking', async () => {
    const product = await mutate<{ product: { id: string; maxLtvBp: number } }>(
      tokens.bank,
      'publishLoanProduct',
      'product { id maxLtvBp }',
      {
        bankCreditCode: BANK,
        bankName: '平泉农商银行',
        name: '土地经营权抵押贷',
        eligibleRightTypes: ['LAND_MANAGEMENT'],
        maxTermMonths: 36,
        minRateBp: 400,
        maxRateBp: 700,
        change: change('新产品'),
      },
    );
    expect(product.product.maxLtvBp).toBe(7_000);
    const application = (securedAmount: number) => ({
      productId: product.product.id,
      mortgagor: { kind: 'HOUSEHOLD', name: '王德山', idNumber: HEAD_ID, householdId: ids['household'] },
      collateral: { rightType: 'LAND_MANAGEMENT', rightId: ids['contract'] },
      valuationId: ids['valuation'],
      securedAmount,
      termEnd: addMonths(clock.today(), 24),
      documents: ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
        (kind) => ({
          kind,
          number: `${kind}-E2E`,
        }),
      ),
      borrowerConditions: {
        fullCivilCapacity: true,
        noBadCredit: true,
        rightUndisputed: true,
        certificateHeld: true,
      },
      change: change('抵押申请'),
    });
    const over = await mutate<{ mortgage: null }>(
      tokens.bank,
      'applyForMortgage',
      'mortgage { id }',
      application(1_400_001),
    );
    expect(over.userErrors.map((e) => e.code)).toEqual(['SECURED_OVER_CAP']);
    const applied = await mutate<{ mortgage: { id: string; status: string; cap: number } }>(
      tokens.bank,
      'applyForMortgage',
      'mortgage { id status cap }',
      application(1_000_000),
    );
    expect(applied.mortgage).toMatchObject({ status: 'APPLIED', cap: 1_400_000 });
    ids['mortgage'] = applied.mortgage.id;
    await mutate(tokens.centre, 'reviewMortgageApplication', 'mortgage { status }', {
      mortgageId: ids['mortgage'],
      approve: true,
      note: '材料齐全',
      change: change('审核'),
    });
    const registered = await mutate<{
      mortgage: { status: string; certificateNo: string; ranking: number; registeredOn: string };
    }>(tokens.centre, 'registerMortgage', 'mortgage { status certificateNo ranking registeredOn }', {
      mortgageId: ids['mortgage'],
      change: change('登记'),
    });
    expect(registered.mortgage).toMatchObject({
      status: 'REGISTERED',
      ranking: 1,
      registeredOn: clock.today(),
    });
    ids['certificate'] = registered.mortgage.certificateNo;
    // Another bank does not see it at all.
    expect(
      (
        await gql<{ mortgage: null }>(
          tokens.otherBank,
          `{ mortgage(idOrNumber: "${ids['mortgage']}") { id } }`,
        )
      ).mortgage,
    ).toBeNull();
  });

  it('land-contract shows the encumbrance and refuses the surrender while it stands', async () => {
    const encumbrances = await waitUntil(
      async () => {
        const data = await gql<{
          contract: {
            encumbrances: {
              mortgageId: string;
              securedAmount: number;
              certificateNo: string;
              inEffect: boolean;
            }[];
          };
        }>(
          tokens.landLead,
          `{ contract(idOrCode: "${ids['contract']}") { encumbrances { mortgageId securedAmount certificateNo inEffect } } }`,
        );
        return data.contract.encumbrances.length ? data.contract.encumbrances : undefined;
      },
      15_000,
      'the encumbrance to land in land-contract',
    );
    expect(encumbrances).toEqual([
      {
        mortgageId: ids['mortgage'],
        securedAmount: 1_000_000,
        certificateNo: ids['certificate'],
        inEffect: true,
      },
    ]);
    const today = todayInShanghai();
    const surrender = await mutate<{ surrender: null }>(
      tokens.landLead,
      'surrenderContract',
      'surrender { id }',
      {
        contractId: ids['contract'],
        surrenderDate: today,
        notice: { givenOn: addDays(today, -200), written: true, reference: '退出申请 2026-01' },
        voluntary: true,
        hukouCondition: false,
        compensationAgreed: true,
        issuerAcceptance: { actedOn: today, reference: '村委会受理 2026-07', by: '样例村股份经济合作社' },
        change: change('自愿有偿退出'),
      },
    );
    expect(surrender.userErrors.map((e) => e.code)).toContain('RIGHT_ENCUMBERED');
  });

  it('files the mortgage and disburses the loan; the household view shows both', async () => {
    await mutate(tokens.centre, 'fileMortgage', 'mortgage { status }', {
      mortgageId: ids['mortgage'],
      filedWith: '平泉市农业农村局',
      filingRef: '平农备〔2026〕9号',
      change: change('备案'),
    });
    const loan = await mutate<{ loan: { id: string; schedule: { dueDate: string; principal: number }[] } }>(
      tokens.bank,
      'disburseLoan',
      'loan { id schedule { dueDate principal } }',
      {
        mortgageId: ids['mortgage'],
        principal: 1_000_000,
        annualRateBp: 480,
        termMonths: 12,
        method: 'EQUAL_PRINCIPAL',
        periodMonths: 1,
        change: change('放款'),
      },
    );
    expect(loan.userErrors).toEqual([]);
    expect(loan.loan.schedule.reduce((s, i) => s + i.principal, 0)).toBe(1_000_000);
    ids['loan'] = loan.loan.id;
    const view = await gql<{
      household: {
        mortgages: { certificateNo: string }[];
        loans: { principal: number; classification: string }[];
      };
    }>(
      tokens.leadingGroup,
      `{ household(id: "${ids['household']}") { mortgages { certificateNo } loans { principal classification } } }`,
    );
    expect(view.household.mortgages).toEqual([{ certificateNo: ids['certificate'] }]);
    expect(view.household.loans).toEqual([{ principal: 1_000_000, classification: 'NORMAL' }]);
  });

  it('the loan goes overdue and non-performing in the daily classification, announced as events', async () => {
    clock.offsetDays = -10;
    const client = platform.clients.create(
      PropertyMortgageServiceDefinition,
      `127.0.0.1:${platform.propertyMortgage.port}`,
    );
    const run = await client.classifyLoans({ asOfDate: '' }, { principal: centre });
    expect(run).toMatchObject({ becameOverdue: 1, becameNonPerforming: 1 });
    const { loan } = await gql<{
      loan: { classification: string; nonPerforming: boolean; overdueDays: number };
    }>(tokens.bank, `{ loan(id: "${ids['loan']}") { classification nonPerforming overdueDays } }`);
    expect(loan).toMatchObject({ classification: 'SUBSTANDARD', nonPerforming: true });
    expect(loan.overdueDays).toBeGreaterThan(90);
    const events = await readStream(
      platform.propertyMortgage.runtime.nc,
      platform.prefix,
      'PQ_PROPERTY_MORTGAGE',
    );
    const overdue = events.filter((e) => e.type === Events['property-mortgage'].LoanOverdue.typeName);
    const npl = events.filter((e) => e.type === Events['property-mortgage'].LoanNonPerforming.typeName);
    expect([overdue.length, npl.length]).toEqual([1, 1]);
    const payload = Events['property-mortgage'].LoanNonPerforming.codec.decode(npl[0]!.payload);
    expect(payload.collateral).toMatchObject({
      rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
      rightId: ids['contract'],
    });
  });

  it('auctions the collateral for the right’s remaining term and applies the proceeds', async () => {
    const opensOn = clock.today();
    const started = await mutate<{ disposal: { id: string; transferTermEnd: string } }>(
      tokens.centre,
      'startDisposal',
      'disposal { id transferTermEnd }',
      {
        loanId: ids['loan'],
        method: 'ONLINE_AUCTION',
        reservePrice: 600_000,
        deposit: 60_000,
        opensOn,
        closesOn: addDays(opensOn, 9),
        change: change('不良处置'),
      },
    );
    expect(started.userErrors).toEqual([]);
    expect(started.disposal.transferTermEnd).toBe('2028-09-30');
    ids['disposal'] = started.disposal.id;
    const bid = (name: string, idNumber: string, amount: number) =>
      mutate(tokens.centre, 'placeBid', 'disposal { id }', {
        disposalId: ids['disposal'],
        bidder: { kind: 'HOUSEHOLD', name, idNumber },
        amount,
        depositPaid: 60_000,
        change: change('竞价'),
      });
    const other = (tail: string) => {
      const first17 = `1308811975010${tail}`;
      return first17 + residentIdCheckCharacter(first17);
    };
    expect((await bid('赵一', other('1011'), 590_000)).userErrors.map((e) => e.code)).toEqual([
      'BID_BELOW_RESERVE',
    ]);
    await bid('赵一', other('1011'), 610_000);
    await bid('钱二', other('1021'), 650_000);
    clock.offsetDays = 0;
    const done = await mutate<{
      disposal: {
        status: string;
        price: number;
        netProceeds: number;
        appliedInterest: number;
        appliedPrincipal: number;
        surplus: number;
        claimAtDisposal: number;
        recoveryRateBp: number;
        certificateNo: string;
      };
    }>(
      tokens.centre,
      'completeDisposal',
      'disposal { status price netProceeds appliedInterest appliedPrincipal surplus claimAtDisposal recoveryRateBp certificateNo }',
      { disposalId: ids['disposal'], costs: 20_000, change: change('拍卖成交') },
    );
    const d = done.disposal;
    expect(d).toMatchObject({ status: 'COMPLETED', price: 650_000, netProceeds: 630_000, surplus: 0 });
    expect(d.appliedInterest + d.appliedPrincipal).toBe(630_000);
    expect(d.recoveryRateBp).toBe(Math.round((630_000 * 10_000) / d.claimAtDisposal));
    expect(d.certificateNo).toMatch(/^JZ-/);
    Object.assign(n, d);
  });

  it('claims the fund’s 20% of the net principal loss; the fund never goes below zero; every fen reconciles', async () => {
    await mutate(tokens.centre, 'contributeToFund', 'fund { balance }', {
      amount: 50_000,
      contributor: '平泉市财政局',
      change: change('出资'),
    });
    const refused = await mutate(tokens.centre, 'claimCompensation', 'claim { id }', {
      loanId: ids['loan'],
      cause: 'ORDINARY',
      change: change('理赔'),
    });
    expect(refused.userErrors.map((e) => e.code)).toEqual(['CLAIM_OVER_BALANCE']);
    await mutate(tokens.centre, 'contributeToFund', 'fund { balance }', {
      amount: 200_000,
      contributor: '平泉农商银行',
      change: change('出资'),
    });
    const { claim } = await mutate<{
      claim: {
        principalAtDisposal: number;
        interestAtDisposal: number;
        proceedsPrincipal: number;
        proceedsInterest: number;
        netPrincipalLoss: number;
        netInterestLoss: number;
        principalShares: { fund: number; bank: number; insurer: number; guarantor: number };
        interestShares: { fund: number; bank: number; insurer: number; guarantor: number };
        fundPayout: number;
      };
    }>(
      tokens.centre,
      'claimCompensation',
      'claim { principalAtDisposal interestAtDisposal proceedsPrincipal proceedsInterest netPrincipalLoss netInterestLoss principalShares { fund bank insurer guarantor } interestShares { fund bank insurer guarantor } fundPayout }',
      { loanId: ids['loan'], cause: 'ORDINARY', change: change('理赔') },
    );
    const sum = (s: { fund: number; bank: number; insurer: number; guarantor: number }) =>
      s.fund + s.bank + s.insurer + s.guarantor;
    // Nothing was repaid before the disposal: the whole principal was outstanding.
    expect(claim.principalAtDisposal).toBe(1_000_000);
    expect(claim.proceedsPrincipal).toBe(n['appliedPrincipal']);
    expect(claim.proceedsInterest).toBe(n['appliedInterest']);
    expect(claim.principalAtDisposal + claim.interestAtDisposal).toBe(n['claimAtDisposal']);
    expect(claim.netPrincipalLoss).toBe(1_000_000 - claim.proceedsPrincipal);
    expect(claim.principalShares.fund).toBe(Math.floor(claim.netPrincipalLoss * 0.2));
    expect(sum(claim.principalShares)).toBe(claim.netPrincipalLoss);
    expect(sum(claim.interestShares)).toBe(claim.netInterestLoss);
    expect(claim.principalAtDisposal + claim.interestAtDisposal).toBe(
      claim.proceedsPrincipal +
        claim.proceedsInterest +
        sum(claim.principalShares) +
        sum(claim.interestShares),
    );
    const { riskFund } = await gql<{
      riskFund: { balance: number; contributions: number; payouts: number; reconciled: boolean };
    }>(tokens.centre, '{ riskFund { balance contributions payouts reconciled } }');
    expect(riskFund).toEqual({
      balance: 250_000 - claim.fundPayout,
      contributions: 250_000,
      payouts: claim.fundPayout,
      reconciled: true,
    });
    n['fundPayout'] = claim.fundPayout;
  });

  it('releases the mortgage; land-contract lifts the encumbrance and the surrender is no longer refused for it', async () => {
    const released = await mutate<{ mortgage: { status: string; releaseReason: string } }>(
      tokens.bank,
      'releaseMortgage',
      'mortgage { status releaseReason }',
      { mortgageId: ids['mortgage'], change: change('处置完毕注销') },
    );
    expect(released.mortgage).toEqual({ status: 'RELEASED', releaseReason: 'DISPOSED' });
    const today = todayInShanghai();
    await waitUntil(
      async () => {
        const data = await gql<{
          contract: { encumbrances: { releasedOn: string | null; inEffect: boolean }[] };
        }>(
          tokens.landLead,
          `{ contract(idOrCode: "${ids['contract']}") { encumbrances(includeReleased: true) { releasedOn inEffect } } }`,
        );
        return (
          data.contract.encumbrances[0]?.releasedOn === today && !data.contract.encumbrances[0]?.inEffect
        );
      },
      15_000,
      'the release to land in land-contract',
    );
    const surrender = await mutate<{ surrender: { id: string } | null }>(
      tokens.landLead,
      'surrenderContract',
      'surrender { id }',
      {
        contractId: ids['contract'],
        surrenderDate: today,
        notice: { givenOn: addDays(today, -200), written: true, reference: '退出申请 2026-01' },
        voluntary: true,
        hukouCondition: false,
        compensationAgreed: true,
        issuerAcceptance: { actedOn: today, reference: '村委会受理 2026-07', by: '样例村股份经济合作社' },
        change: change('自愿有偿退出'),
      },
    );
    expect(surrender.userErrors.map((e) => e.code)).not.toContain('RIGHT_ENCUMBERED');
  });

  it('reports the month: the loan, the disposal, the payout and the certified disposal deal', async () => {
    const month = todayInShanghai().slice(0, 7);
    const { mortgageMonthlyDispatch: r } = await gql<{
      mortgageMonthlyDispatch: {
        totals: {
          disposalsCompleted: number;
          recovered: number;
          fundPayouts: number;
          certifiedTransactions: number;
          certifiedAmount: number;
          balance: number;
        };
        byBank: { key: string }[];
        fundBalance: number;
      };
    }>(
      tokens.centre,
      `{ mortgageMonthlyDispatch(month: "${month}") { totals { disposalsCompleted recovered fundPayouts certifiedTransactions certifiedAmount balance } byBank { key } fundBalance } }`,
    );
    expect(r.totals).toMatchObject({
      disposalsCompleted: 1,
      recovered: 630_000,
      fundPayouts: n['fundPayout'],
      certifiedTransactions: 1,
      certifiedAmount: 650_000,
      balance: 0,
    });
    expect(r.byBank.map((b) => b.key)).toEqual([BANK]);
    expect(r.fundBalance).toBe(250_000 - (n['fundPayout'] ?? 0));
  });
});
