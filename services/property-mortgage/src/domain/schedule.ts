import {
  addMonths,
  BP,
  compareDates,
  daysBetween,
  type Fen,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  roundHalfUpDiv,
  splitFloor,
  sumFen,
  violation,
} from '@pingquan/reference';
import type { Installment, RepaymentMethodName } from './model.js';

/**
 * Interest is simple interest on the balance for the actual days of each period over a 360-day year
 * (日利率 = 年利率 / 360, as Chinese banks quote), rounded half up to a fen once per installment.
 */
export const DAY_COUNT_BASIS = 360n;

export const PERIOD_MONTHS = [1, 3, 6, 12] as const;

export interface LoanTermsInput {
  principalFen: Fen;
  annualRateBp: number;
  disbursedOn: string;
  termMonths: number;
  periodMonths: number;
  method: RepaymentMethodName;
}

export interface LoanLimits {
  /** What the mortgage still secures: its secured amount less loans already disbursed on it. */
  availableSecuredFen: Fen;
  minRateBp: number;
  maxRateBp: number;
  maxTermMonths: number;
  /** The mortgage's term end: the loan matures by then (and so within the right's remaining term). */
  mortgageTermEnd: LocalDate;
  registeredOn: LocalDate;
  today: LocalDate;
}

export function maturityOf(disbursedOn: LocalDate, termMonths: number): LocalDate {
  return addMonths(disbursedOn, termMonths);
}

/** A loan stays within what its mortgage secures, its product's rate range and term, and the mortgage term. */
export function checkLoanTerms(input: LoanTermsInput, limits: LoanLimits): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (!Number.isSafeInteger(input.principalFen) || input.principalFen <= 0) {
    v.push(violation('MONEY_NOT_POSITIVE', 'principalFen', 'The principal is greater than zero.'));
  } else if (input.principalFen > limits.availableSecuredFen) {
    v.push(
      violation(
        'LOAN_OVER_SECURED_AMOUNT',
        'principalFen',
        `The mortgage secures ${limits.availableSecuredFen} fen more at most; the loan may not exceed it.`,
      ),
    );
  }
  if (input.annualRateBp < limits.minRateBp || input.annualRateBp > limits.maxRateBp) {
    v.push(
      violation(
        'RATE_OUTSIDE_PRODUCT_RANGE',
        'annualRateBp',
        `The product's rate is ${limits.minRateBp}–${limits.maxRateBp} basis points a year.`,
      ),
    );
  }
  if (!PERIOD_MONTHS.includes(input.periodMonths as (typeof PERIOD_MONTHS)[number])) {
    v.push(violation('PERIOD_MONTHS', 'periodMonths', 'Installments fall every 1, 3, 6 or 12 months.'));
  } else if (
    !Number.isInteger(input.termMonths) ||
    input.termMonths <= 0 ||
    input.termMonths % input.periodMonths !== 0
  ) {
    v.push(violation('TERM_NOT_WHOLE_PERIODS', 'termMonths', 'The term is a whole number of periods.'));
  }
  if (input.termMonths > limits.maxTermMonths) {
    v.push(
      violation(
        'LOAN_TERM_OVER_PRODUCT_MAX',
        'termMonths',
        `The product lends for at most ${limits.maxTermMonths} months.`,
      ),
    );
  }
  if (!isLocalDate(input.disbursedOn)) {
    v.push(violation('DATE_FORMAT', 'disbursedOn', `'${input.disbursedOn}' is not a YYYY-MM-DD date.`));
    return v;
  }
  if (compareDates(input.disbursedOn, limits.registeredOn) < 0) {
    v.push(
      violation(
        'LOAN_BEFORE_REGISTRATION',
        'disbursedOn',
        'A loan is disbursed on or after its mortgage is registered.',
      ),
    );
  }
  if (compareDates(input.disbursedOn, limits.today) > 0) {
    v.push(violation('DISBURSAL_IN_FUTURE', 'disbursedOn', 'A loan is recorded once disbursed, not before.'));
  }
  if (
    v.length === 0 &&
    compareDates(maturityOf(input.disbursedOn, input.termMonths), limits.mortgageTermEnd) > 0
  ) {
    v.push(
      violation(
        'LOAN_BEYOND_MORTGAGE_TERM',
        'termMonths',
        `The mortgage secures until ${limits.mortgageTermEnd}; the loan must mature by then (max term ≤ remaining right term).`,
      ),
    );
  }
  return v;
}

/**
 * The schedule: due dates every `periodMonths` from disbursal (month ends clamp, 31 Jan → 28/29 Feb).
 * Equal principal splits the principal in whole fen with the odd fen on the last installment; a bullet
 * loan repays all principal at maturity.
 */
export function buildSchedule(input: LoanTermsInput): Installment[] {
  const n = input.termMonths / input.periodMonths;
  const principals =
    input.method === 'EQUAL_PRINCIPAL'
      ? splitFloor(input.principalFen, new Array<number>(n).fill(1), n - 1)
      : Array.from({ length: n }, (_, i) => (i === n - 1 ? input.principalFen : 0));
  const schedule: Installment[] = [];
  let balance = input.principalFen;
  let from = input.disbursedOn;
  for (let i = 0; i < n; i++) {
    const due = addMonths(input.disbursedOn, (i + 1) * input.periodMonths);
    const interest = roundHalfUpDiv(
      BigInt(balance) * BigInt(input.annualRateBp) * BigInt(daysBetween(from, due)),
      BigInt(BP) * DAY_COUNT_BASIS,
    );
    const principal = principals[i] ?? 0;
    schedule.push({
      seq: i + 1,
      dueDate: due,
      principalFen: principal,
      interestFen: interest,
      principalPaidFen: 0,
      interestPaidFen: 0,
    });
    balance -= principal;
    from = due;
  }
  return schedule;
}

export interface LoanPosition {
  outstandingPrincipalFen: Fen;
  /** Interest of installments due on or before the day, not paid. */
  interestDueUnpaidFen: Fen;
  /** Unpaid principal and interest of installments due before the day. */
  overdueAmountFen: Fen;
  /** Days since the earliest installment not paid in full fell due (0 when none is past due). */
  overdueDays: number;
  overdueSince: LocalDate | undefined;
}

const unpaid = (i: Installment) => i.principalFen - i.principalPaidFen + (i.interestFen - i.interestPaidFen);

/** Where a loan stands on a day. An installment is payable on its due date and overdue from the next. */
export function loanPosition(schedule: readonly Installment[], asOf: LocalDate): LoanPosition {
  const sorted = [...schedule].sort((a, b) => a.seq - b.seq);
  const pastDue = sorted.filter((i) => compareDates(i.dueDate, asOf) < 0 && unpaid(i) > 0);
  const overdueSince = pastDue[0]?.dueDate;
  return {
    outstandingPrincipalFen: sumFen(sorted.map((i) => i.principalFen - i.principalPaidFen)),
    interestDueUnpaidFen: sumFen(
      sorted.filter((i) => compareDates(i.dueDate, asOf) <= 0).map((i) => i.interestFen - i.interestPaidFen),
    ),
    overdueAmountFen: sumFen(pastDue.map(unpaid)),
    overdueDays: overdueSince ? daysBetween(overdueSince, asOf) : 0,
    overdueSince,
  };
}

export interface Applied {
  schedule: Installment[];
  interestFen: Fen;
  principalFen: Fen;
  /** What was left over after the loan was paid (disposal surplus). */
  leftFen: Fen;
}

function clone(schedule: readonly Installment[]): Installment[] {
  return [...schedule].sort((a, b) => a.seq - b.seq).map((i) => ({ ...i }));
}

/** Once no principal is left, interest of periods not yet due is no longer owed. */
function cancelFutureInterest(schedule: Installment[], on: LocalDate): void {
  if (sumFen(schedule.map((i) => i.principalFen - i.principalPaidFen)) > 0) return;
  for (const i of schedule) if (compareDates(i.dueDate, on) > 0) i.interestFen = i.interestPaidFen;
}

/**
 * A repayment pays what is due first — oldest installment first, its interest before its principal
 * (先息后本) — and any rest prepays principal of the next installments in order; scheduled interest is
 * not recomputed for a prepayment (the bank agrees a new schedule outside). Refused when it is more than
 * is due plus the principal outstanding (REPAYMENT_EXCEEDS_OUTSTANDING).
 */
export function applyRepayment(
  schedule: readonly Installment[],
  amountFen: Fen,
  paidOn: LocalDate,
): Applied | RuleViolation[] {
  const s = clone(schedule);
  const pos = loanPosition(s, paidOn);
  const payable = pos.interestDueUnpaidFen + pos.outstandingPrincipalFen;
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) {
    return [violation('MONEY_NOT_POSITIVE', 'amountFen', 'A repayment is greater than zero.')];
  }
  if (amountFen > payable) {
    return [
      violation(
        'REPAYMENT_EXCEEDS_OUTSTANDING',
        'amountFen',
        `At most ${payable} fen is payable on ${paidOn}.`,
      ),
    ];
  }
  let left = amountFen;
  let interest = 0;
  let principal = 0;
  for (const i of s) {
    if (compareDates(i.dueDate, paidOn) > 0) break;
    const payI = Math.min(left, i.interestFen - i.interestPaidFen);
    i.interestPaidFen += payI;
    left -= payI;
    interest += payI;
    const payP = Math.min(left, i.principalFen - i.principalPaidFen);
    i.principalPaidFen += payP;
    left -= payP;
    principal += payP;
  }
  for (const i of s) {
    if (left === 0) break;
    const payP = Math.min(left, i.principalFen - i.principalPaidFen);
    i.principalPaidFen += payP;
    left -= payP;
    principal += payP;
  }
  cancelFutureInterest(s, paidOn);
  return { schedule: s, interestFen: interest, principalFen: principal, leftFen: left };
}

/**
 * Disposal proceeds: the loan falls due at once (提前到期), so the proceeds pay the interest already due
 * and then all outstanding principal, oldest installment first; interest of periods not yet due is not
 * owed; whatever is left over goes back to the mortgagor.
 */
export function applyProceeds(schedule: readonly Installment[], netFen: Fen, on: LocalDate): Applied {
  const s = clone(schedule);
  let left = netFen;
  let interest = 0;
  let principal = 0;
  for (const i of s) {
    if (compareDates(i.dueDate, on) > 0) continue;
    const payI = Math.min(left, i.interestFen - i.interestPaidFen);
    i.interestPaidFen += payI;
    left -= payI;
    interest += payI;
  }
  for (const i of s) {
    const payP = Math.min(left, i.principalFen - i.principalPaidFen);
    i.principalPaidFen += payP;
    left -= payP;
    principal += payP;
  }
  for (const i of s) if (compareDates(i.dueDate, on) > 0) i.interestFen = i.interestPaidFen;
  return { schedule: s, interestFen: interest, principalFen: principal, leftFen: left };
}
