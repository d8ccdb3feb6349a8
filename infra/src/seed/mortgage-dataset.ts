import { creditCodeCheckCharacter, listTownships } from '@pingquan/reference';
import { generateCity, type Scale } from './dataset.js';
import { Random } from './random.js';

// Track B's demo data (农村产权抵押, DOMAIN.md B1), derived from the same deterministic city as track A:
// cooperating banks and their products, benchmark prices per township and year, and the seeded
// contracts that get a valuation, a mortgage and a loan. Everything here is a plan; `mortgage-load.ts`
// carries it out through property-mortgage's gRPC API. Banks, appraisers and products are clearly
// demo records (the names say so), with synthetic but valid unified social credit codes.

/** A synthetic enterprise credit code (登记管理部门 9, 类别 1, 平泉 130881) with its GB 32100 check character. */
export function demoCreditCode(body9: string): string {
  const first17 = `91130881${body9}`;
  return first17 + creditCodeCheckCharacter(first17);
}

export interface DemoBank {
  key: string;
  creditCode: string;
  name: string;
}

export const DEMO_BANKS: readonly DemoBank[] = [
  { key: 'rcb', creditCode: demoCreditCode('MA0PQRC01'), name: '平泉农商行 demo' },
  { key: 'psbc', creditCode: demoCreditCode('MA0PQYC02'), name: '邮储银行平泉支行 demo' },
  { key: 'cdb', creditCode: demoCreditCode('MA0PQCD03'), name: '承德银行平泉支行 demo' },
];

/** An appraisal agency for third-party valuations (a demo record as well). */
export const DEMO_APPRAISER = {
  name: '承德诚信资产评估有限公司 demo',
  creditCode: demoCreditCode('MA0PQPG04'),
};

/** The government's valuation panel (政府评估小组) that values for no one bank. */
export const DEMO_PANEL = '平泉市农村产权价值评估小组 demo';

export interface DemoProduct {
  key: string;
  bank: DemoBank;
  name: string;
  eligibleRightTypes: ('RIGHT_TYPE_LAND_MANAGEMENT' | 'RIGHT_TYPE_FOREST')[];
  /** 0 = the policy cap. */
  maxLtvBp: number;
  maxTermMonths: number;
  minRateBp: number;
  maxRateBp: number;
}

const bank = (key: string): DemoBank => {
  const found = DEMO_BANKS.find((b) => b.key === key);
  if (!found) throw new Error(`no demo bank ${key}`);
  return found;
};

export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  {
    key: 'rcb-land',
    bank: bank('rcb'),
    name: '农地经营权抵押贷 (demo)',
    eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT'],
    maxLtvBp: 0,
    maxTermMonths: 36,
    minRateBp: 435,
    maxRateBp: 650,
  },
  {
    key: 'psbc-land',
    bank: bank('psbc'),
    name: '邮e贷·土地经营权抵押 (demo)',
    eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT'],
    maxLtvBp: 6_000,
    maxTermMonths: 24,
    minRateBp: 400,
    maxRateBp: 600,
  },
  {
    key: 'cdb-land-forest',
    bank: bank('cdb'),
    name: '林权·土地经营权抵押贷 (demo)',
    eligibleRightTypes: ['RIGHT_TYPE_LAND_MANAGEMENT', 'RIGHT_TYPE_FOREST'],
    // Forest rights are capped at 50% until the lead unit sets its own cap, so the product asks no more.
    maxLtvBp: 5_000,
    maxTermMonths: 36,
    minRateBp: 450,
    maxRateBp: 700,
  },
];

export interface BenchmarkPlan {
  townshipCode: string;
  year: number;
  /** Fen per mu per year (元/亩·年 × 100). */
  priceFen: number;
}

/**
 * Benchmark prices of land management rights (土地经营权, per mu and year) for every township and
 * each of `years`: a township level of 600–1000 元 rising about 3% a year, rounded to 10 元.
 */
export function benchmarkPlan(years: readonly number[], seed = 130881): BenchmarkPlan[] {
  const rng = new Random(seed + 2);
  const plans: BenchmarkPlan[] = [];
  const first = Math.min(...years);
  for (const township of listTownships()) {
    const base = rng.int(60, 100) * 1_000;
    for (const year of years) {
      const grown = base * 1.03 ** (year - first);
      plans.push({ townshipCode: township.code, year, priceFen: Math.round(grown / 1_000) * 1_000 });
    }
  }
  return plans;
}

/**
 * What happens to a seeded contract at the exchange centre. History cases happened months ago (the
 * loader back-dates them), the others on the day of seeding.
 */
export type MortgageCaseKind =
  /** Disbursed months ago, every installment paid when due. */
  | 'PERFORMING'
  /** Disbursed months ago, repaid early and the mortgage released (注销). */
  | 'SETTLED'
  /** Disbursed months ago, an installment unpaid for 19–50 days: 关注. */
  | 'SPECIAL_MENTION'
  /** Disbursed months ago, unpaid for more than 90 days: 次级, non-performing. */
  | 'NON_PERFORMING'
  /** An installment a few days late, marked by the bank as an operational delay: still 正常. */
  | 'OPERATIONAL_DELAY'
  /** Registered, filed (备案) and lent on today. */
  | 'LOAN'
  /** Registered and lent on today, not yet filed. */
  | 'LOAN_UNFILED'
  /** Registered today; the bank has not lent yet. */
  | 'REGISTERED'
  /** Applied today, waiting for the centre's review. */
  | 'APPLIED'
  /** Applied without the issuer's filing and rejected at review (APPLICATION_INCOMPLETE). */
  | 'REJECTED'
  /** Valued only (a bank's collateral assessment that went no further). */
  | 'VALUATION_ONLY';

export const HISTORY_KINDS: readonly MortgageCaseKind[] = [
  'PERFORMING',
  'SETTLED',
  'SPECIAL_MENTION',
  'NON_PERFORMING',
  'OPERATIONAL_DELAY',
];

export interface MortgageCase {
  kind: MortgageCaseKind;
  /** Index within its kind, for keys and dates. */
  index: number;
  contractCode: string;
  householdCode: string;
  townshipCode: string;
  villageCode: string;
  head: { name: string; residentId: string };
  contractTermEnd: string;
  areaMu4: number;
  product: DemoProduct;
  valuationMethod: 'GOVERNMENT_PANEL' | 'THIRD_PARTY_AGENCY' | 'BANK_OWN';
  /** Valuation against the benchmark reference value, in basis points (9000 = 90%). */
  valueFactorBp: number;
  /** Secured amount against the cap (valuation × LTV), in basis points. */
  securedShareBp: number;
  /** Within the product's range. */
  rateBp: number;
}

/** Cases per kind; the full city gets three times as many. */
const KIND_COUNTS: Readonly<Record<MortgageCaseKind, number>> = {
  PERFORMING: 2,
  SETTLED: 1,
  SPECIAL_MENTION: 1,
  NON_PERFORMING: 1,
  OPERATIONAL_DELAY: 1,
  LOAN: 7,
  LOAN_UNFILED: 5,
  REGISTERED: 2,
  APPLIED: 3,
  REJECTED: 1,
  VALUATION_ONLY: 14,
};

/**
 * Picks the contracts: the first households of each township (two per township for the quick start,
 * six for the full city) whose second-round term ends in 2028 or later — enough term left to secure a
 * loan — and deals out the kinds with a seeded shuffle so that every township sees a mix.
 */
export function mortgageCases(scale: Scale, seed = 130881): MortgageCase[] {
  const perTownship = scale === 'small' ? 2 : 6;
  const factor = scale === 'small' ? 1 : 3;
  const picked: Omit<
    MortgageCase,
    'kind' | 'index' | 'product' | 'valuationMethod' | 'valueFactorBp' | 'securedShareBp' | 'rateBp'
  >[] = [];
  const taken = new Map<string, number>();
  const townships = listTownships().length;
  for (const v of generateCity(scale)) {
    const townshipCode = v.village.code.slice(0, 9);
    for (const h of v.households) {
      if ((taken.get(townshipCode) ?? 0) >= perTownship) break;
      if (h.contract.termEnd < '2028-01-01') continue;
      const head = h.members[0];
      if (!head) continue;
      taken.set(townshipCode, (taken.get(townshipCode) ?? 0) + 1);
      picked.push({
        contractCode: h.contract.code,
        householdCode: h.code,
        townshipCode,
        villageCode: v.village.code,
        head: { name: head.name, residentId: head.residentId },
        contractTermEnd: h.contract.termEnd,
        areaMu4: h.contract.plots.reduce((n, p) => n + p.contractAreaMu4, 0),
      });
    }
    // The generator is deterministic, so stopping early changes nothing for the villages seen.
    if (taken.size === townships && [...taken.values()].every((n) => n >= perTownship)) break;
  }
  const kinds: MortgageCaseKind[] = [];
  for (const [kind, n] of Object.entries(KIND_COUNTS) as [MortgageCaseKind, number][]) {
    for (let i = 0; i < n * factor; i += 1) kinds.push(kind);
  }
  const rng = new Random(seed + 1);
  // Fisher–Yates over the contracts, so the kinds land in different townships.
  const order = picked.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const perKind = new Map<MortgageCaseKind, number>();
  const cases: MortgageCase[] = [];
  for (const [slot, kind] of kinds.entries()) {
    const at = order[slot];
    const base = at === undefined ? undefined : picked[at];
    if (!base) break;
    const index = perKind.get(kind) ?? 0;
    perKind.set(kind, index + 1);
    const product = DEMO_PRODUCTS[rng.int(0, DEMO_PRODUCTS.length - 1)] as DemoProduct;
    const methods = ['GOVERNMENT_PANEL', 'GOVERNMENT_PANEL', 'THIRD_PARTY_AGENCY', 'BANK_OWN'] as const;
    cases.push({
      ...base,
      kind,
      index,
      product,
      valuationMethod: rng.pick(methods),
      valueFactorBp: rng.int(90, 105) * 100,
      securedShareBp: rng.int(80, 100) * 100,
      rateBp: rng.int(product.minRateBp / 5, product.maxRateBp / 5) * 5,
    });
  }
  return cases;
}
