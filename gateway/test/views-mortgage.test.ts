import { addDays, addMonths, creditCodeCheckCharacter, todayInShanghai } from '@pingquan/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, startPlatform } from '../../test/support/platform.js';
import { SUPERVISION_ITEMS, TOWNSHIP } from '../src/views-operations.js';
import { gql, type SeededHousehold, seedVillage, token } from './support.js';

// Track B in the leading group's views, and the two loan commands that were gRPC-only: the centre's
// records are made through GraphQL with property-mortgage's clock 35 days back (so the loan's first
// installment is a few days overdue today), then the views are read as of today and of earlier days.

/** property-mortgage's clock (structurally its `Clock`; gateway does not depend on the service). */
class ShiftedClock {
  offsetDays = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetDays * 86_400_000);
  }
  today(): string {
    return todayInShanghai(this.now());
  }
}

const bankCode = (body9: string) => {
  const first17 = `91130881${body9}`;
  return first17 + creditCodeCheckCharacter(first17);
};
const BANK = bankCode('MA0GWBK01');
const OTHER_BANK = bankCode('MA0GWBK02');
const TOWNSHIP_CODE = '130881102';

const clock = new ShiftedClock();
let platform: Platform;
let household: SeededHousehold;
let contractId: string;
let loan: { id: string; schedule: { dueDate: string }[] };
let dataDay: string;

const leadingGroup = () => token({ sub: 'test:lg', pq_role: 'LEADING_GROUP' });
const centre = () => token({ sub: 'test:centre', pq_role: 'LEAD_UNIT', pq_track: 'B' });
const bank = (code = BANK) => token({ sub: `test:bank:${code}`, pq_role: 'COOPERATING_BANK', pq_bank: code });

/** A mutation's payload; GraphQL errors fail the caller. */
async function mutate<T>(bearer: string, name: string, selection: string, input: Record<string, unknown>) {
  const res = await gql<Record<string, T & { userErrors: { code: string; field: string[] }[] }>>(
    platform.gatewayUrl,
    bearer,
    {
      query: `mutation($input: ${name[0]?.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${selection} userErrors { code field message } } }`,
      variables: { input },
    },
  );
  if (res.errors) throw new Error(`${name}: ${JSON.stringify(res.errors)}`);
  return res.data?.[name] as T & { userErrors: { code: string; field: string[] }[] };
}

const change = (reason: string) => ({ reason });

interface Target {
  id: string;
  currentValue: number | null;
  status: string;
  source: {
    service: string;
    available: boolean;
    method: string;
    valueAsOf: string | null;
    note: string | null;
  };
}

async function trackB(asOf?: string): Promise<Map<string, Target>> {
  const res = await gql<{ pilotOverview: { tracks: { track: string; targets: Target[] }[] } }>(
    platform.gatewayUrl,
    await leadingGroup(),
    {
      query: `query($asOf: Date) { pilotOverview(asOf: $asOf) { tracks { track targets { id currentValue status source { service available method valueAsOf note } } } } }`,
      variables: { asOf },
    },
  );
  expect(res.errors).toBeUndefined();
  const b = res.data?.pilotOverview.tracks.find((t) => t.track === 'B');
  return new Map((b?.targets ?? []).map((t) => [t.id, t]));
}

beforeAll(async () => {
  clock.offsetDays = -35;
  platform = await startPlatform({ propertyMortgageClock: clock });
  [household] = (await seedVillage(platform.gatewayUrl, '130881102201', 1)) as [SeededHousehold];
  const contract = await gql<{ contract: { id: string } }>(platform.gatewayUrl, await leadingGroup(), {
    query: `{ contract(idOrCode: "${household.contractCodes[0]}") { id } }`,
  });
  contractId = contract.data?.contract.id ?? '';

  // The centre's records, all dated 35 days ago by property-mortgage's clock.
  dataDay = clock.today();
  const product = await mutate<{ product: { id: string } }>(
    await bank(),
    'publishLoanProduct',
    'product { id }',
    {
      bankCreditCode: BANK,
      bankName: '测试农商银行',
      name: '土地经营权抵押贷',
      eligibleRightTypes: ['LAND_MANAGEMENT'],
      maxTermMonths: 24,
      minRateBp: 400,
      maxRateBp: 700,
      change: change('新产品'),
    },
  );
  await mutate(await centre(), 'publishBenchmarkPrice', 'price { id }', {
    rightType: 'LAND_MANAGEMENT',
    townshipCode: TOWNSHIP_CODE,
    year: Number(dataDay.slice(0, 4)),
    price: 80_000,
    change: { documentRef: '平供销发〔测试〕1号' },
  });
  await mutate(await centre(), 'contributeToFund', 'fund { balance }', {
    amount: 10_000_000,
    contributor: '平泉市财政局',
    change: change('出资'),
  });
  const valuation = await mutate<{ valuation: { id: string } }>(
    await centre(),
    'recordValuation',
    'valuation { id }',
    {
      collateral: { rightType: 'LAND_MANAGEMENT', rightId: contractId },
      method: 'GOVERNMENT_PANEL',
      basis: 'BENCHMARK_PRICE',
      value: 500_000,
      appraiserName: '平泉市农村产权评估小组',
      validUntil: addDays(dataDay, 180),
      change: change('评估'),
    },
  );
  const applied = await mutate<{ mortgage: { id: string } }>(
    await bank(),
    'applyForMortgage',
    'mortgage { id }',
    {
      productId: product.product.id,
      mortgagor: {
        kind: 'HOUSEHOLD',
        name: '户主1',
        idNumber: household.residentIds[0],
        householdId: household.id,
      },
      collateral: { rightType: 'LAND_MANAGEMENT', rightId: contractId },
      valuationId: valuation.valuation.id,
      securedAmount: 300_000,
      termEnd: addMonths(dataDay, 12),
      documents: ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
        (kind) => ({ kind, number: `${kind}-GW` }),
      ),
      borrowerConditions: {
        fullCivilCapacity: true,
        noBadCredit: true,
        rightUndisputed: true,
        certificateHeld: true,
      },
      change: change('抵押申请'),
    },
  );
  expect(applied.userErrors).toEqual([]);
  const mortgageId = applied.mortgage.id;
  await mutate(await centre(), 'reviewMortgageApplication', 'mortgage { status }', {
    mortgageId,
    approve: true,
    change: change('审核'),
  });
  const registered = await mutate<{ mortgage: { status: string } }>(
    await centre(),
    'registerMortgage',
    'mortgage { status }',
    { mortgageId, change: change('登记') },
  );
  expect(registered.mortgage.status).toBe('REGISTERED');
  const disbursed = await mutate<{ loan: { id: string; schedule: { dueDate: string }[] } }>(
    await bank(),
    'disburseLoan',
    'loan { id schedule { dueDate } }',
    {
      mortgageId,
      principal: 300_000,
      annualRateBp: 480,
      termMonths: 12,
      method: 'EQUAL_PRINCIPAL',
      periodMonths: 1,
      change: change('放款'),
    },
  );
  expect(disbursed.userErrors).toEqual([]);
  loan = disbursed.loan;
  // Back to today: the first installment fell due a few days ago and is unpaid.
  clock.offsetDays = 0;
});
afterAll(async () => {
  await platform?.stop();
});

describe('pilot overview: track B from property-mortgage', () => {
  it('carries the centre’s figures for the milestones it measures, dated as of the view', async () => {
    const today = todayInShanghai();
    const targets = await trackB();
    for (const id of [
      'B-COOPERATING-BANKS',
      'B-MORTGAGE-REGISTRATION',
      'B-VALUATION-STANDARDS',
      'B-RISK-COMPENSATION',
    ]) {
      expect(targets.get(id), id).toMatchObject({
        currentValue: 1,
        status: 'ACHIEVED',
        source: { service: 'property-mortgage', available: true, valueAsOf: today },
      });
    }
    expect(targets.get('B-COOPERATING-BANKS')?.source.method).toMatch(
      /^PropertyMortgageService\.ListLoanProducts/,
    );
    expect(targets.get('B-COOPERATING-BANKS')?.source.note).toContain(
      '1 cooperating banks with 1 loan products',
    );
    expect(targets.get('B-MORTGAGE-REGISTRATION')?.source.method).toMatch(/ListMortgages/);
    expect(targets.get('B-MORTGAGE-REGISTRATION')?.source.note).toMatch(/^1 mortgages registered/);
    expect(targets.get('B-RISK-COMPENSATION')?.source.method).toMatch(/GetFundStatement/);
  });

  it('keeps NO_DATA, with the reason, where the centre holds no record of the figure', async () => {
    const targets = await trackB();
    for (const id of ['B-DISPOSAL-RULES', 'B-EXCHANGE-ALL-IN']) {
      expect(targets.get(id), id).toMatchObject({
        currentValue: null,
        status: 'NO_DATA',
        source: { service: 'property-mortgage', available: true, method: 'none', valueAsOf: null },
      });
      expect(targets.get(id)?.source.note).toMatch(/property-mortgage/);
    }
    expect(targets.get('B-GEP-ACCOUNTING')).toMatchObject({
      currentValue: null,
      status: 'NO_DATA',
      source: { service: 'eco-product', available: false },
    });
  });

  it('answers a past date from the records’ own dates: nothing was there before the data', async () => {
    const before = addDays(dataDay, -1);
    const targets = await trackB(before);
    for (const id of [
      'B-COOPERATING-BANKS',
      'B-MORTGAGE-REGISTRATION',
      'B-VALUATION-STANDARDS',
      'B-RISK-COMPENSATION',
    ]) {
      expect(targets.get(id), id).toMatchObject({ currentValue: 0, status: 'OVERDUE' });
    }
    const items = await gql<{
      supervisionItems: { nodes: { id: string; target: { id: string; currentValue: number } }[] };
    }>(platform.gatewayUrl, await leadingGroup(), {
      query: `query($asOf: Date) { supervisionItems(asOf: $asOf, track: B, first: 100) { nodes { id target { id currentValue } } } }`,
      variables: { asOf: before },
    });
    expect(items.errors).toBeUndefined();
    expect(items.data?.supervisionItems.nodes).toContainEqual({
      id: `B-COOPERATING-BANKS@${before}`,
      target: { id: 'B-COOPERATING-BANKS', currentValue: 0 },
    });
    // Today they are achieved, so the default list (overdue, at risk) no longer names them.
    const now = await gql<{ supervisionItems: { nodes: { id: string }[] } }>(
      platform.gatewayUrl,
      await leadingGroup(),
      { query: SUPERVISION_ITEMS, variables: { track: 'B', first: 100 } },
    );
    expect(now.data?.supervisionItems.nodes.map((n) => n.id.split('@')[0])).not.toContain(
      'B-COOPERATING-BANKS',
    );
  });
});

describe('township view: the exchange centre’s section', () => {
  it('shows the week’s figures, benchmark prices, mortgages and loans of the township', async () => {
    const res = await gql<{
      township: {
        propertyMortgage: {
          weeklyFigures: { periodEnd: string; figures: Record<string, number> };
          benchmarkPrices: { price: number }[];
          mortgages: { totalCount: number };
          loans: { totalCount: number };
        };
      };
    }>(platform.gatewayUrl, await leadingGroup(), {
      query: `query($asOf: Date) { township(code: "${TOWNSHIP_CODE}", asOf: $asOf) { propertyMortgage {
        weeklyFigures { periodEnd figures { loansDisbursed disbursed loansOutstanding balance mortgagesRegistered secured } }
        benchmarkPrices { price }
        mortgages { totalCount }
        loans { totalCount }
      } } }`,
      variables: { asOf: dataDay },
    });
    expect(res.errors).toBeUndefined();
    const section = res.data?.township.propertyMortgage;
    expect(section?.weeklyFigures).toEqual({
      periodEnd: dataDay,
      figures: {
        loansDisbursed: 1,
        disbursed: 300_000,
        loansOutstanding: 1,
        balance: 300_000,
        mortgagesRegistered: 1,
        secured: 300_000,
      },
    });
    expect(section?.benchmarkPrices).toEqual([{ price: 80_000 }]);
    expect(section?.mortgages.totalCount).toBe(1);
    expect(section?.loans.totalCount).toBe(1);
  });

  it('is FORBIDDEN to a lead unit of another track and open to the township’s official', async () => {
    const leadA = await token({ sub: 'test:a', pq_role: 'LEAD_UNIT', pq_track: 'A' });
    const denied = await gql<{ township: { name: string; propertyMortgage: unknown } }>(
      platform.gatewayUrl,
      leadA,
      { query: `{ township(code: "${TOWNSHIP_CODE}") { name propertyMortgage { loans { totalCount } } } }` },
    );
    expect(denied.data?.township.propertyMortgage).toBeNull();
    expect(denied.errors?.[0]).toMatchObject({
      path: ['township', 'propertyMortgage'],
      extensions: { code: 'FORBIDDEN' },
    });
    const official = await token({
      sub: 'test:t',
      pq_role: 'TOWNSHIP_OFFICIAL',
      pq_townships: [TOWNSHIP_CODE],
    });
    const res = await gql<{ township: { propertyMortgage: { loans: { totalCount: number } } } }>(
      platform.gatewayUrl,
      official,
      { query: TOWNSHIP, variables: { code: TOWNSHIP_CODE } },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.township.propertyMortgage.loans.totalCount).toBe(1);
  });
});

describe('markOperationalDelay', () => {
  it('records the bank’s delay on the overdue installment and refuses any other date or loan', async () => {
    const due = loan.schedule[0]?.dueDate ?? '';
    const wrong = await mutate<{ loan: null }>(await bank(), 'markOperationalDelay', 'loan { id }', {
      loanId: loan.id,
      dueDate: loan.schedule[1]?.dueDate,
      change: change('转账延迟'),
    });
    expect(wrong).toMatchObject({
      loan: null,
      userErrors: [{ code: 'NOT_THE_OVERDUE_INSTALLMENT', field: ['input', 'dueDate'] }],
    });
    const unknown = await mutate<{ loan: null }>(await bank(), 'markOperationalDelay', 'loan { id }', {
      loanId: '01900000-0000-7000-8000-000000000000',
      dueDate: due,
      change: change('转账延迟'),
    });
    expect(unknown).toMatchObject({
      loan: null,
      userErrors: [{ code: 'LOAN_NOT_FOUND', field: ['input', 'loanId'] }],
    });
    const other = await gql(platform.gatewayUrl, await bank(OTHER_BANK), {
      query: `mutation($input: MarkOperationalDelayInput!) { markOperationalDelay(input: $input) { loan { id } userErrors { code } } }`,
      variables: { input: { loanId: loan.id, dueDate: due, change: change('转账延迟') } },
    });
    expect(other.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const marked = await mutate<{ loan: { id: string; operationalDelayDueDate: string } }>(
      await bank(),
      'markOperationalDelay',
      'loan { id operationalDelayDueDate }',
      { loanId: loan.id, dueDate: due, change: change('转账延迟') },
    );
    expect(marked).toMatchObject({ loan: { id: loan.id, operationalDelayDueDate: due }, userErrors: [] });
  });
});

describe('classifyLoans', () => {
  it('classifies as of today for the centre: overdue, but excepted as an operational delay', async () => {
    const refused = await gql(platform.gatewayUrl, await bank(), {
      query: 'mutation { classifyLoans(input: {}) { run { asOf } userErrors { code } } }',
    });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const future = await gql(platform.gatewayUrl, await centre(), {
      query: `mutation { classifyLoans(input: { asOf: "${addDays(todayInShanghai(), 1)}" }) { run { asOf } userErrors { code } } }`,
    });
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.asOf' });

    const selection = 'run { asOf loansClassified changed becameOverdue becameNonPerforming }';
    const run = await mutate<{ run: Record<string, unknown> }>(
      await centre(),
      'classifyLoans',
      selection,
      {},
    );
    expect(run).toMatchObject({
      run: {
        asOf: todayInShanghai(),
        loansClassified: 1,
        changed: 1,
        becameOverdue: 1,
        becameNonPerforming: 0,
      },
      userErrors: [],
    });
    const again = await mutate<{ run: Record<string, unknown> }>(
      await centre(),
      'classifyLoans',
      selection,
      {},
    );
    expect(again.run).toMatchObject({ loansClassified: 1, changed: 0, becameOverdue: 0 });
    const after = await gql<{
      loan: { overdueDays: number; classification: string; classificationRule: string };
    }>(platform.gatewayUrl, await bank(), {
      query: `{ loan(id: "${loan.id}") { overdueDays classification classificationRule } }`,
    });
    expect(after.data?.loan).toMatchObject({
      classification: 'NORMAL',
      classificationRule: 'OPERATIONAL_DELAY_EXCEPTED',
    });
    expect(after.data?.loan.overdueDays).toBeGreaterThan(0);
  });
});
