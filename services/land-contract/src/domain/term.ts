import { compareDates, daysBetween, type LocalDate, type Mu4, yearsRemaining } from '@pingquan/reference';
import type { Contract, PlotScope } from './model.js';

/**
 * How terms are read throughout the domain: a term runs from its start date up to its end date, and
 * the end date is the expiry point, not a day of use. So the extended term may start on the day the
 * second round expires, a circulation may end on the contract's end date, and two terms overlap only
 * when one starts before the other ends.
 */
export interface Term {
  start: LocalDate;
  end: LocalDate;
}

export function termsOverlap(a: Term, b: Term): boolean {
  return compareDates(a.start, b.end) < 0 && compareDates(b.start, a.end) < 0;
}

/** A right is held on `date` when start ≤ date < end. */
export function isWithinTerm(term: Term, date: LocalDate): boolean {
  return compareDates(term.start, date) <= 0 && compareDates(date, term.end) < 0;
}

/**
 * What is left of a term on `asOf`: total days, and whole years plus leftover days (a year counted
 * from `asOf` by calendar, so leap days never shift a year boundary). Zero once the term has ended.
 */
export interface RemainingTerm {
  totalDays: number;
  wholeYears: number;
  extraDays: number;
}

export function remainingTerm(asOf: LocalDate, end: LocalDate): RemainingTerm {
  const { years, days } = yearsRemaining(asOf, end);
  return { totalDays: Math.max(0, daysBetween(asOf, end)), wholeYears: years, extraDays: days };
}

export function sumMu4(values: Iterable<Mu4>): Mu4 {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Contract area of the whole contract: what the contract, the register and the figures count. */
export function contractAreaMu4(contract: Pick<Contract, 'plots'>): Mu4 {
  return sumMu4(contract.plots.map((p) => p.contractAreaMu4));
}

export function scopeCoversPlot(scope: PlotScope, plotCode: string): boolean {
  return scope.kind === 'WHOLE_CONTRACT' || scope.plotCodes.includes(plotCode);
}

/** Codes that appear more than once, each reported once, in order of first repetition. */
export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) repeated.add(value);
    seen.add(value);
  }
  return [...repeated];
}
