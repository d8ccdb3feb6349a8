import {
  addDays,
  compareDates,
  daysBetween,
  type Fen,
  isLocalDate,
  type LocalDate,
  type Mu4,
  type RuleViolation,
  roundHalfUpDiv,
  validateCreditCode,
  violation,
} from '@pingquan/reference';
import type { CollateralRef, PriceUnitName, RightTypeName, ValuationMethodName } from './model.js';

const DAYS_PER_YEAR = 365n;
const MU4_PER_MU = 10_000n;

/** Valuation rules the plan leaves open (policy `valuation`). */
export interface ValuationRules {
  /** Longest validity of a report, in days from the valuation date. */
  maxValidityDays: number;
  /** Window of certified deals a market comparable draws on, in days up to the day asked. */
  comparableWindowDays: number;
  /** Fewer deals than this and no median is reported: one or two deals are not a market. */
  comparableMinDeals: number;
}

/**
 * Price of a deal per mu per year: `price × 10000 × 365 / (area_mu4 × term days)`, rounded half up to
 * a fen. A year is 365 days here so that leap years do not make the same rent look cheaper. 0 when the
 * deal has no area or no term (it is then no comparable for per-mu-year prices).
 */
export function perMuYearFen(priceFen: Fen, areaMu4: Mu4, termStart: string, termEnd: string): Fen {
  if (areaMu4 <= 0 || !isLocalDate(termStart) || !isLocalDate(termEnd)) return 0;
  const days = daysBetween(termStart, termEnd);
  if (days <= 0) return 0;
  return roundHalfUpDiv(BigInt(priceFen) * MU4_PER_MU * DAYS_PER_YEAR, BigInt(areaMu4) * BigInt(days));
}

/** Median, the mean of the two middle values for an even count, rounded half up. */
export function medianFen(values: readonly Fen[]): Fen {
  if (values.length === 0) throw new RangeError('No values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid] ?? 0;
  return roundHalfUpDiv(BigInt(sorted[mid - 1] ?? 0) + BigInt(sorted[mid] ?? 0), 2n);
}

export interface ComparableDeal {
  rightType: RightTypeName;
  townshipCode: string;
  certifiedOn: LocalDate;
  fenPerMuYear: Fen;
  certificateNo: string;
}

export interface MarketComparableResult {
  rightType: RightTypeName;
  townshipCode: string;
  windowStart: LocalDate;
  windowEnd: LocalDate;
  dealCount: number;
  medianFenPerMuYear: Fen;
  insufficient: boolean;
  certificateNos: string[];
}

/**
 * 市场可比价格: the median per-mu-year price of certified deals of the same right type in the same
 * township, certified within the window ending on `asOf`. Deals without a per-mu-year price are left out.
 */
export function marketComparable(
  deals: readonly ComparableDeal[],
  rightType: RightTypeName,
  townshipCode: string,
  asOf: LocalDate,
  rules: Pick<ValuationRules, 'comparableWindowDays' | 'comparableMinDeals'>,
): MarketComparableResult {
  const windowStart = addDays(asOf, -(rules.comparableWindowDays - 1));
  const similar = deals.filter(
    (d) =>
      d.rightType === rightType &&
      d.townshipCode === townshipCode &&
      d.fenPerMuYear > 0 &&
      compareDates(d.certifiedOn, windowStart) >= 0 &&
      compareDates(d.certifiedOn, asOf) <= 0,
  );
  const insufficient = similar.length < Math.max(1, rules.comparableMinDeals);
  return {
    rightType,
    townshipCode,
    windowStart,
    windowEnd: asOf,
    dealCount: similar.length,
    medianFenPerMuYear: insufficient ? 0 : medianFen(similar.map((d) => d.fenPerMuYear)),
    insufficient,
    certificateNos: similar.map((d) => d.certificateNo).sort(),
  };
}

/**
 * Benchmark price × area × remaining term, undiscounted, rounded half up: a yardstick for the reviewer,
 * not the valuation. Only units tied to area give one.
 */
export function referenceValueFen(
  unit: PriceUnitName,
  priceFen: Fen,
  areaMu4: Mu4,
  remainingDays: number,
): Fen {
  if (areaMu4 <= 0) return 0;
  if (unit === 'PER_MU_YEAR') {
    if (remainingDays <= 0) return 0;
    return roundHalfUpDiv(
      BigInt(priceFen) * BigInt(areaMu4) * BigInt(remainingDays),
      MU4_PER_MU * DAYS_PER_YEAR,
    );
  }
  if (unit === 'PER_MU') return roundHalfUpDiv(BigInt(priceFen) * BigInt(areaMu4), MU4_PER_MU);
  return 0;
}

export interface ValuationInput {
  method: ValuationMethodName;
  valueFen: Fen;
  appraiserName: string;
  appraiserCreditCode: string;
  valuedOn: string;
  validUntil: string;
  bankCreditCode: string;
}

/** A report has a value, an appraiser and a validity no longer than the policy allows. */
export function checkValuationInput(
  input: ValuationInput,
  today: LocalDate,
  rules: Pick<ValuationRules, 'maxValidityDays'>,
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (!Number.isSafeInteger(input.valueFen) || input.valueFen <= 0) {
    v.push(violation('VALUE_NOT_POSITIVE', 'valueFen', 'A valuation states a value greater than zero.'));
  }
  if (!input.appraiserName.trim()) {
    v.push(
      violation('APPRAISER_REQUIRED', 'appraiser.name', 'Name the appraiser, panel or bank department.'),
    );
  }
  if (input.method === 'THIRD_PARTY_AGENCY') {
    const code = validateCreditCode(input.appraiserCreditCode, 'appraiser.creditCode');
    if (!code.ok) v.push(...code.violations);
  }
  if (input.method === 'BANK_OWN' && !input.bankCreditCode) {
    v.push(
      violation('BANK_REQUIRED', 'bankCreditCode', 'A bank’s own valuation names the bank that made it.'),
    );
  }
  if (!isLocalDate(input.valuedOn)) {
    v.push(violation('DATE_FORMAT', 'valuedOn', `'${input.valuedOn}' is not a YYYY-MM-DD date.`));
  }
  if (!isLocalDate(input.validUntil)) {
    v.push(violation('DATE_FORMAT', 'validUntilDate', `'${input.validUntil}' is not a YYYY-MM-DD date.`));
  }
  if (v.length) return v;
  if (compareDates(input.valuedOn, today) > 0) {
    v.push(violation('VALUATION_IN_FUTURE', 'valuedOn', 'A valuation cannot be dated after today.'));
  }
  if (compareDates(input.validUntil, input.valuedOn) < 0) {
    v.push(
      violation('VALIDITY_ORDER', 'validUntilDate', 'A report is valid until a day on or after it was made.'),
    );
  } else if (daysBetween(input.valuedOn, input.validUntil) > rules.maxValidityDays) {
    v.push(
      violation(
        'VALIDITY_TOO_LONG',
        'validUntilDate',
        `A valuation report is valid for at most ${rules.maxValidityDays} days.`,
      ),
    );
  }
  return v;
}

export interface ValuationView {
  id: string;
  collateral: CollateralRef;
  valueFen: Fen;
  validUntil: LocalDate;
  bankCreditCode: string;
}

function sameScope(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((code, i) => code === y[i]);
}

/**
 * A valuation backs a mortgage only if it values the same collateral and is still valid on the day:
 * an expired valuation cannot back a mortgage (VALUATION_EXPIRED).
 */
export function checkValuationBacks(
  valuation: ValuationView,
  collateral: CollateralRef,
  asOf: LocalDate,
  field = 'valuationId',
): RuleViolation[] {
  const v: RuleViolation[] = [];
  const c = valuation.collateral;
  if (
    c.rightType !== collateral.rightType ||
    c.rightId !== collateral.rightId ||
    c.circulationId !== collateral.circulationId ||
    !sameScope(c.plotCodes, collateral.plotCodes)
  ) {
    v.push(
      violation(
        'VALUATION_OF_OTHER_COLLATERAL',
        field,
        'The valuation values another right or another part of it.',
      ),
    );
  }
  if (compareDates(asOf, valuation.validUntil) > 0) {
    v.push(
      violation(
        'VALUATION_EXPIRED',
        field,
        `The valuation was valid until ${valuation.validUntil}; an expired valuation cannot back a mortgage.`,
      ),
    );
  }
  return v;
}

/** Next version of a benchmark key: one more than the highest published. */
export function nextBenchmarkVersion(published: readonly { version: number }[]): number {
  return published.reduce((max, p) => Math.max(max, p.version), 0) + 1;
}
