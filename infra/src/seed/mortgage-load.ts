import type { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { Loan } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import type { PropertyMortgageServiceDefinition } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import type { Document } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import { describeClientError, type InternalCallOptions, type Principal } from '@pingquan/kit';
import {
  addDays,
  addMonths,
  compareDates,
  daysBetween,
  type LocalDate,
  todayInShanghai,
} from '@pingquan/reference';
import type { Client } from 'nice-grpc';
import type { Scale } from './dataset.js';
import { SEED_PRINCIPAL } from './load.js';
import {
  benchmarkPlan,
  DEMO_APPRAISER,
  DEMO_BANKS,
  DEMO_PANEL,
  DEMO_PRODUCTS,
  type DemoBank,
  HISTORY_KINDS,
  type MortgageCase,
  mortgageCases,
} from './mortgage-dataset.js';

// Track B's demo data through property-mortgage's own gRPC API, so that every record obeys the
// centre's rules and every event (MortgageRegistered → land-contract's encumbrance, LoanOverdue, …) is
// published. Each command carries an idempotency key derived from a code (contract code, product key,
// township and year): a rerun replays the stored results instead of duplicating anything.
//
// The service dates what it does with its own clock: a mortgage is registered today and a loan can be
// disbursed no earlier than its registration (LOAN_BEFORE_REGISTRATION), so a loan that is overdue
// today cannot be made through the running service on the day of seeding. The history — the banks'
// products, benchmark prices and the loans that are months old by now — therefore goes through a
// short-lived replica of property-mortgage on the same database whose clock the loader sets back
// (`mortgage-history.ts`); the same code and rules run, the audit entries carry the back-dated time
// and the reason says so. Everything else, repayments and the classification included, goes through
// the running service.

type PropertyMortgageClient = Client<typeof PropertyMortgageServiceDefinition, InternalCallOptions>;

/** A property-mortgage instance whose "today" the loader moves, for the back-dated history. */
export interface HistoryReplica {
  client: PropertyMortgageClient;
  setToday(date: LocalDate): void;
  stop(): Promise<void>;
}

export interface MortgageSeedClients {
  landContract: Client<typeof LandContractServiceDefinition, InternalCallOptions>;
  /** The running service. */
  propertyMortgage: PropertyMortgageClient;
  /** Starts the replica for the history; it is stopped before the loader returns. */
  startHistory: () => Promise<HistoryReplica>;
}

export interface MortgageSeedResult {
  /** The day the demo data describes as "today" (the first seeding run's date). */
  anchor: LocalDate;
  banks: number;
  products: number;
  benchmarkPrices: number;
  valuations: number;
  applications: number;
  registered: number;
  rejected: number;
  loans: number;
  repayments: number;
  released: number;
  /** Open loans with an amount past due after today's classification. */
  overdue: number;
  nonPerforming: number;
  fundContributedFen: number;
  /** Cases the centre refused, with why (the rest of the data is still loaded). */
  skipped: string[];
}

/** The centre (track B's lead unit, 市供销社) as the loader acts for it. */
export const CENTRE_PRINCIPAL: Principal = {
  sub: 'seed:demo-data',
  role: 'LEAD_UNIT',
  track: 'B',
  name: 'demo data loader (exchange centre)',
};

const bankPrincipal = (bank: DemoBank): Principal => ({
  sub: `seed:bank:${bank.key}`,
  role: 'COOPERATING_BANK',
  bank: bank.creditCode,
  name: `${bank.name} (demo data loader)`,
});

/** Products and the first benchmark prices were published this long before the first seeding day. */
const SETUP_DAYS = 400;
/** Back-dated history loans: days before the seeding day on which each was disbursed. */
const HISTORY_DISBURSED: Readonly<Record<string, number>> = {
  PERFORMING: 120,
  SETTLED: 180,
  SPECIAL_MENTION: 140,
  NON_PERFORMING: 200,
};

const HISTORY_REASON = 'demo data (deterministic generator; back-dated history through a replica)';
const REASON = 'demo data (deterministic generator)';

const OPTS = { deadline: 30_000 } as const;

const change = (key: string, history = false) => ({
  reason: history ? HISTORY_REASON : REASON,
  documentRef: '',
  idempotencyKey: `seed-b:${key}`,
});

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(workers);
}

/** The refusal's rule and message, for the list of skipped cases. */
function refusal(error: unknown): string {
  const failure = describeClientError(error);
  if (!failure) return (error as Error).message;
  const rules = failure.violations.map((v) => v.rule).join(', ');
  return rules ? `${rules}: ${failure.message}` : failure.message;
}

/** Month ends strictly between two days, oldest first (the classification's history). */
function monthEndsBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const ends: LocalDate[] = [];
  let month = `${from.slice(0, 7)}-01`;
  for (;;) {
    const end = addDays(addMonths(month, 1), -1);
    if (compareDates(end, to) >= 0) return ends;
    if (compareDates(end, from) > 0) ends.push(end);
    month = addMonths(month, 1);
  }
}

/**
 * The due date a few days back (within the 7-day operational grace) with a day of month that every
 * month has, so that a monthly schedule started four months earlier falls due on exactly that day.
 */
function operationalDelayDue(anchor: LocalDate): LocalDate {
  for (const back of [3, 4, 5, 6, 2]) {
    const d = addDays(anchor, -back);
    if (Number(d.slice(8, 10)) <= 28) return d;
  }
  return addDays(anchor, -3);
}

interface ResolvedCase extends MortgageCase {
  contractId: string;
  householdId: string;
  termEnd: LocalDate;
  totalAreaMu4: number;
}

/**
 * Loads track B's demo data. Needs land-contract's seeded contracts (it values and mortgages some of
 * them) and both services running; returns counts for the start-up log.
 */
export async function seedMortgages(
  clients: MortgageSeedClients,
  scale: Scale,
  options: { today?: LocalDate } = {},
): Promise<MortgageSeedResult> {
  const today = options.today ?? todayInShanghai();
  const pm = clients.propertyMortgage;
  const centre = { ...OPTS, principal: CENTRE_PRINCIPAL };
  const asBank = (bank: DemoBank) => ({ ...OPTS, principal: bankPrincipal(bank) });

  // The anchor is the first run's day: recovered from the demo products' publication date, so that a
  // rerun on a later day sends the very same requests (an idempotency key with a different request is
  // refused) and the data keeps its shape.
  const firstProduct = DEMO_PRODUCTS[0];
  const existing = firstProduct
    ? (await pm.listLoanProducts({ bankCreditCode: firstProduct.bank.creditCode }, centre)).products.find(
        (p) => p.name === firstProduct.name,
      )
    : undefined;
  const anchor = existing ? addDays(existing.publishedOn, SETUP_DAYS) : today;
  const setup = addDays(anchor, -SETUP_DAYS);
  const result: MortgageSeedResult = {
    anchor,
    banks: DEMO_BANKS.length,
    products: 0,
    benchmarkPrices: 0,
    valuations: 0,
    applications: 0,
    registered: 0,
    rejected: 0,
    loans: 0,
    repayments: 0,
    released: 0,
    overdue: 0,
    nonPerforming: 0,
    fundContributedFen: 0,
    skipped: [],
  };

  const cases = mortgageCases(scale);
  const resolved: ResolvedCase[] = [];
  await pool(cases, 8, async (c) => {
    try {
      const { contract } = await clients.landContract.getContract(
        { idOrCode: c.contractCode },
        { ...OPTS, principal: SEED_PRINCIPAL },
      );
      if (!contract) throw new Error('no such contract');
      resolved.push({
        ...c,
        contractId: contract.id,
        householdId: contract.householdId,
        termEnd: contract.termEndDate,
        totalAreaMu4: contract.totalAreaMu4,
      });
    } catch (error) {
      result.skipped.push(`${c.contractCode} (${c.kind}): land-contract: ${refusal(error)}`);
    }
  });
  // Pool order depends on timing; the plan's order keeps the history's sequence deterministic.
  const planned = new Map(cases.map((c, i) => [c.contractCode, i]));
  resolved.sort((a, b) => (planned.get(a.contractCode) ?? 0) - (planned.get(b.contractCode) ?? 0));

  const years: number[] = [];
  for (let y = Number(setup.slice(0, 4)); y <= Number(anchor.slice(0, 4)); y += 1) years.push(y);
  const benchmarks = benchmarkPlan(years);
  const priceOf = (townshipCode: string, year: number) =>
    benchmarks.find((b) => b.townshipCode === townshipCode && b.year === year)?.priceFen ?? 0;

  const replica = await clients.startHistory();
  const productIds = new Map<string, string>();
  const history: { c: ResolvedCase; loan: Loan }[] = [];
  try {
    // ---- Setup, back-dated: products, then each year's benchmark prices in January (or at setup) ----
    replica.setToday(setup);
    for (const p of DEMO_PRODUCTS) {
      const { product } = await replica.client.publishLoanProduct(
        {
          bankCreditCode: p.bank.creditCode,
          bankName: p.bank.name,
          name: p.name,
          eligibleRightTypes: p.eligibleRightTypes,
          maxLtvBp: p.maxLtvBp,
          maxTermMonths: p.maxTermMonths,
          minRateBp: p.minRateBp,
          maxRateBp: p.maxRateBp,
          context: change(`product:${p.key}`, true),
        },
        asBank(p.bank),
      );
      if (product) productIds.set(p.key, product.id);
      result.products += 1;
    }
    for (const year of years) {
      const jan = `${year}-01-10`;
      replica.setToday(compareDates(jan, setup) > 0 ? (compareDates(jan, anchor) < 0 ? jan : anchor) : setup);
      for (const b of benchmarks.filter((x) => x.year === year)) {
        await replica.client.publishBenchmarkPrice(
          {
            rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
            townshipCode: b.townshipCode,
            year: b.year,
            unit: 'PRICE_UNIT_PER_MU_YEAR',
            priceFen: b.priceFen,
            context: {
              ...change(`benchmark:${b.townshipCode}:${b.year}`, true),
              documentRef: `平供销发〔${year}〕1号 (demo)`,
            },
          },
          centre,
        );
        result.benchmarkPrices += 1;
      }
    }

    // ---- History cases, each on its own back-dated days ----
    for (const c of resolved.filter((x) => HISTORY_KINDS.includes(x.kind))) {
      try {
        const loan = await historyCase(replica, c, anchor, productIds, priceOf, result);
        if (loan) history.push({ c, loan });
      } catch (error) {
        result.skipped.push(`${c.contractCode} (${c.kind}): ${refusal(error)}`);
      }
    }
  } finally {
    await replica.stop();
  }

  // ---- The fund: the city's endowment at setup and a bank's contribution two months ago ----
  for (const [key, contributor, amountFen, on] of [
    ['finance', '平泉市财政局 (demo)', 300_000_000, addDays(setup, 30)],
    ['rcb', DEMO_BANKS[0]?.name ?? 'bank', 50_000_000, addDays(anchor, -60)],
  ] as const) {
    await pm.contributeToFund(
      { amountFen, contributor, contributedOn: on, context: change(`fund:${key}`) },
      centre,
    );
    result.fundContributedFen += amountFen;
  }

  // ---- Today's cases through the running service ----
  await pool(
    resolved.filter((x) => !HISTORY_KINDS.includes(x.kind)),
    4,
    async (c) => {
      try {
        await currentCase(pm, c, anchor, productIds, priceOf, result);
      } catch (error) {
        result.skipped.push(`${c.contractCode} (${c.kind}): ${refusal(error)}`);
      }
    },
  );

  // ---- Repayments of the history loans, on their due dates, and what the banks did about the rest ----
  for (const { c, loan } of history) {
    try {
      await repayHistory(pm, c, loan, anchor, result);
    } catch (error) {
      result.skipped.push(`${c.contractCode} (${c.kind}) repayments: ${refusal(error)}`);
    }
  }

  // ---- Classification: each month end since the first history loan, then today ----
  const firstDisbursal = history.map((h) => h.loan.disbursedOn).sort()[0];
  if (firstDisbursal) {
    for (const end of monthEndsBetween(firstDisbursal, today)) {
      await pm.classifyLoans({ asOfDate: end }, centre);
    }
  }
  await pm.classifyLoans({ asOfDate: '' }, centre);

  // Counts of what the service holds now, not of what was asked: a rerun reports the same.
  let pageToken = '';
  do {
    const page = await pm.listLoans({ page: { pageSize: 100, pageToken } }, centre);
    for (const l of page.loans) {
      if (l.status !== 'LOAN_STATUS_ACTIVE') continue;
      if (l.overdueDays > 0) result.overdue += 1;
      if (l.nonPerforming) result.nonPerforming += 1;
    }
    pageToken = page.pageInfo?.nextPageToken ?? '';
  } while (pageToken);
  return result;
}

// ------------------------------------------------------------------------------------------------
// One case: valuation → application → review → registration → filing → loan
// ------------------------------------------------------------------------------------------------

interface Step {
  /** The client to call (the replica for history, the running service otherwise). */
  client: PropertyMortgageClient;
  /** Moves the replica's clock before a step; a no-op for the running service. */
  at: (date: LocalDate) => void;
  history: boolean;
}

function applicableLtvBp(c: MortgageCase): number {
  return c.product.maxLtvBp || 7_000;
}

/** Value from the benchmark: price × area × remaining term, scaled by the case's factor, in whole 100 元. */
function benchmarkValue(c: ResolvedCase, priceFen: number, valuedOn: LocalDate): number {
  const days = Math.max(0, daysBetween(valuedOn, c.termEnd));
  const reference = (priceFen * c.totalAreaMu4 * days) / (10_000 * 365);
  return Math.max(10_000, Math.round((reference * c.valueFactorBp) / 10_000 / 10_000) * 10_000);
}

/** The longest mortgage term (months) that fits the right's term and the product. */
function mortgageMonths(c: ResolvedCase, start: LocalDate, options: readonly number[]): number | undefined {
  return options.find(
    (m) => m <= c.product.maxTermMonths && compareDates(addMonths(start, m), c.termEnd) <= 0,
  );
}

function documents(c: ResolvedCase, withFiling: boolean): Partial<Document>[] {
  const ref = c.contractCode;
  const docs: Partial<Document>[] = [
    { kind: 'DOCUMENT_KIND_IDENTITY', number: `SFZ-${ref}`, title: '身份证明' },
    { kind: 'DOCUMENT_KIND_CREDIT_REPORT', number: `ZX-${ref}`, title: '个人征信报告' },
    { kind: 'DOCUMENT_KIND_LOAN_CONTRACT', number: `JK-${ref}`, title: '借款合同' },
    { kind: 'DOCUMENT_KIND_MORTGAGE_CONTRACT', number: `DY-${ref}`, title: '抵押合同' },
  ];
  if (withFiling) {
    docs.push({
      kind: 'DOCUMENT_KIND_ISSUER_FILING',
      number: `BA-${ref}`,
      title: '土地经营权融资担保备案',
      issuedBy: `${c.villageCode} 股份经济合作社`,
    });
  }
  return docs;
}

/**
 * Valuation, and for the kinds that go further the application, review, registration, filing and
 * loan, each step dated by `dates` (the replica moves its clock to them; the running service dates
 * them today). Returns the loan when one was disbursed.
 */
async function runCase(
  step: Step,
  c: ResolvedCase,
  dates: { valued: LocalDate; applied: LocalDate; registered: LocalDate; disbursed: LocalDate },
  termMonths: number,
  loanPlan: {
    periodMonths: number;
    method: 'REPAYMENT_METHOD_EQUAL_PRINCIPAL' | 'REPAYMENT_METHOD_INTEREST_ONLY_BULLET';
  },
  productIds: ReadonlyMap<string, string>,
  priceOf: (townshipCode: string, year: number) => number,
  result: MortgageSeedResult,
): Promise<Loan | undefined> {
  const { client, at, history } = step;
  const centre = { ...OPTS, principal: CENTRE_PRINCIPAL };
  const bank = { ...OPTS, principal: bankPrincipal(c.product.bank) };
  const key = (what: string) => change(`${what}:${c.contractCode}`, history);
  const collateral = { rightType: 'RIGHT_TYPE_LAND_MANAGEMENT' as const, rightId: c.contractId };

  at(dates.valued);
  const value = benchmarkValue(c, priceOf(c.townshipCode, Number(dates.valued.slice(0, 4))), dates.valued);
  const bankOwn = c.valuationMethod === 'BANK_OWN';
  const { valuation } = await client.recordValuation(
    {
      collateral,
      method: `VALUATION_METHOD_${c.valuationMethod}`,
      basis: 'VALUATION_BASIS_BENCHMARK_PRICE',
      basisNote: '基准价格 × 承包面积 × 剩余承包期 (demo)',
      valueFen: value,
      appraiser: {
        name: bankOwn
          ? `${c.product.bank.name} 信贷部`
          : c.valuationMethod === 'THIRD_PARTY_AGENCY'
            ? DEMO_APPRAISER.name
            : DEMO_PANEL,
        creditCode: c.valuationMethod === 'THIRD_PARTY_AGENCY' ? DEMO_APPRAISER.creditCode : '',
        licenceNo: '',
      },
      valuedOn: dates.valued,
      validUntilDate: addDays(dates.valued, 180),
      reportNo: `PG-${c.contractCode}`,
      bankCreditCode: bankOwn ? c.product.bank.creditCode : '',
      context: key('valuation'),
    },
    bankOwn ? bank : centre,
  );
  result.valuations += 1;
  if (c.kind === 'VALUATION_ONLY' || !valuation) return undefined;

  at(dates.applied);
  const cap = Math.floor((value * applicableLtvBp(c)) / 10_000);
  const secured = Math.max(10_000, Math.floor((cap * c.securedShareBp) / 10_000 / 10_000) * 10_000);
  const termEnd = addMonths(dates.disbursed, termMonths);
  const { mortgage } = await client.applyForMortgage(
    {
      productId: productIds.get(c.product.key) ?? '',
      mortgagor: {
        kind: 'PARTY_KIND_HOUSEHOLD',
        name: c.head.name,
        idNumber: c.head.residentId,
        householdId: c.householdId,
      },
      collateral,
      valuationId: valuation.id,
      securedAmountFen: secured,
      termEndDate: termEnd,
      documents: documents(c, c.kind !== 'REJECTED'),
      borrowerConditions: {
        fullCivilCapacity: true,
        noBadCredit: true,
        rightUndisputed: true,
        certificateHeld: true,
        creditReportRef: `ZX-${c.contractCode}`,
      },
      context: key('application'),
    },
    bank,
  );
  result.applications += 1;
  if (!mortgage || c.kind === 'APPLIED') return undefined;

  at(dates.registered);
  const approve = c.kind !== 'REJECTED';
  await client.reviewMortgageApplication(
    {
      mortgageId: mortgage.id,
      approve,
      note: approve ? '材料齐全, 权属清晰 (demo)' : '缺发包方备案, 退回补正 (demo)',
      context: key('review'),
    },
    centre,
  );
  if (!approve) {
    result.rejected += 1;
    return undefined;
  }
  const { mortgage: registered } = await client.registerMortgage(
    { mortgageId: mortgage.id, context: key('registration') },
    centre,
  );
  result.registered += 1;
  if (c.kind !== 'LOAN_UNFILED') {
    await client.fileMortgage(
      {
        mortgageId: mortgage.id,
        filedWith: '平泉市农业农村局',
        filingRef: `平农备 ${c.contractCode} (demo)`,
        context: key('filing'),
      },
      centre,
    );
  }
  if (c.kind === 'REGISTERED' || !registered) return undefined;

  // Disbursed on the registration day the service recorded (a replayed run gets the same day back);
  // the term is the longest whole number of periods that still matures by the mortgage's end.
  at(dates.disbursed);
  const disbursedOn = history ? dates.disbursed : registered.registeredOn || dates.disbursed;
  let loanMonths = termMonths - (termMonths % loanPlan.periodMonths);
  while (loanMonths > loanPlan.periodMonths && compareDates(addMonths(disbursedOn, loanMonths), termEnd) > 0)
    loanMonths -= loanPlan.periodMonths;
  const { loan } = await client.disburseLoan(
    {
      mortgageId: mortgage.id,
      principalFen: secured,
      annualRateBp: c.rateBp,
      disbursedOn,
      termMonths: loanMonths,
      method: loanPlan.method,
      periodMonths: loanPlan.periodMonths,
      context: key('loan'),
    },
    bank,
  );
  result.loans += 1;
  return loan;
}

async function historyCase(
  replica: HistoryReplica,
  c: ResolvedCase,
  anchor: LocalDate,
  productIds: ReadonlyMap<string, string>,
  priceOf: (townshipCode: string, year: number) => number,
  result: MortgageSeedResult,
): Promise<Loan | undefined> {
  // An operational delay needs an installment due a few days ago: a monthly loan started four months
  // before it. The others start a fixed number of days back, staggered by their index.
  const disbursed =
    c.kind === 'OPERATIONAL_DELAY'
      ? addMonths(operationalDelayDue(anchor), -4 - c.index)
      : addDays(anchor, -((HISTORY_DISBURSED[c.kind] ?? 120) + 17 * c.index));
  const months = mortgageMonths(c, disbursed, [12, 9, 6]);
  if (months === undefined) {
    result.skipped.push(`${c.contractCode} (${c.kind}): too little of the right's term left for a loan`);
    return undefined;
  }
  return runCase(
    { client: replica.client, at: (d) => replica.setToday(d), history: true },
    c,
    {
      valued: addDays(disbursed, -12),
      applied: addDays(disbursed, -10),
      registered: addDays(disbursed, -1),
      disbursed,
    },
    months,
    { periodMonths: 1, method: 'REPAYMENT_METHOD_EQUAL_PRINCIPAL' },
    productIds,
    priceOf,
    result,
  );
}

async function currentCase(
  pm: PropertyMortgageClient,
  c: ResolvedCase,
  anchor: LocalDate,
  productIds: ReadonlyMap<string, string>,
  priceOf: (townshipCode: string, year: number) => number,
  result: MortgageSeedResult,
): Promise<void> {
  const months = mortgageMonths(c, anchor, [24, 18, 12, 9, 6]);
  if (months === undefined) {
    result.skipped.push(`${c.contractCode} (${c.kind}): too little of the right's term left for a mortgage`);
    return;
  }
  await runCase(
    { client: pm, at: () => undefined, history: false },
    c,
    { valued: anchor, applied: anchor, registered: anchor, disbursed: anchor },
    months,
    {
      periodMonths: 3,
      method:
        c.index % 3 === 2 ? 'REPAYMENT_METHOD_INTEREST_ONLY_BULLET' : 'REPAYMENT_METHOD_EQUAL_PRINCIPAL',
    },
    productIds,
    priceOf,
    result,
  );
}

/**
 * What the borrower paid: every installment on its due date up to a cut-off that depends on the case
 * (none missed, 50 or 130 days back, or the one due a few days ago), then the bank's part — an early
 * repayment and release, or the record of an operational delay.
 */
async function repayHistory(
  pm: PropertyMortgageClient,
  c: ResolvedCase,
  loan: Loan,
  anchor: LocalDate,
  result: MortgageSeedResult,
): Promise<void> {
  const bank = { ...OPTS, principal: bankPrincipal(c.product.bank) };
  const delayDue = operationalDelayDue(anchor);
  const cutoff: Record<string, LocalDate> = {
    PERFORMING: anchor,
    SETTLED: anchor,
    SPECIAL_MENTION: addDays(anchor, -50),
    NON_PERFORMING: addDays(anchor, -130),
    OPERATIONAL_DELAY: addDays(delayDue, -1),
  };
  const until = cutoff[c.kind] ?? anchor;
  let paidPrincipal = 0;
  let lastPaid = loan.disbursedOn;
  for (const i of loan.schedule) {
    if (compareDates(i.dueDate, until) > 0) break;
    await pm.recordRepayment(
      {
        loanId: loan.id,
        amountFen: i.principalFen + i.interestFen,
        paidOn: i.dueDate,
        context: change(`repayment:${c.contractCode}:${i.seq}`),
      },
      bank,
    );
    paidPrincipal += i.principalFen;
    lastPaid = i.dueDate;
    result.repayments += 1;
  }
  if (c.kind === 'SETTLED') {
    // Repays the rest of the principal early; with no principal left, later interest is not owed.
    const paidOn = compareDates(addDays(lastPaid, 10), anchor) < 0 ? addDays(lastPaid, 10) : anchor;
    await pm.recordRepayment(
      {
        loanId: loan.id,
        amountFen: loan.principalFen - paidPrincipal,
        paidOn,
        context: change(`repayment:${c.contractCode}:early`),
      },
      bank,
    );
    result.repayments += 1;
    await pm.releaseMortgage(
      { mortgageId: loan.mortgageId, context: change(`release:${c.contractCode}`) },
      bank,
    );
    result.released += 1;
  } else if (c.kind === 'OPERATIONAL_DELAY' && loan.schedule.some((i) => i.dueDate === delayDue)) {
    await pm.markOperationalDelay(
      { loanId: loan.id, dueDate: delayDue, context: change(`operational-delay:${c.contractCode}`) },
      bank,
    );
  }
}
