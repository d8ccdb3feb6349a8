import { type Checked, fail, ok } from './violation.js';

/**
 * A calendar date in Asia/Shanghai as ISO `YYYY-MM-DD`. Contract terms, notice periods and deadlines
 * are counted in whole local days, so a date never carries a time or an offset.
 */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for our dates. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

interface Ymd {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function splitDate(text: string): Ymd | undefined {
  const match = LOCAL_DATE.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

function parts(date: LocalDate): Ymd {
  const ymd = splitDate(date);
  if (!ymd) throw new RangeError(`Not a calendar date (YYYY-MM-DD): '${date}'`);
  return ymd;
}

function format({ year, month, day }: Ymd): LocalDate {
  if (year < 1 || year > 9999) throw new RangeError(`Year ${year} is outside 0001–9999`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not, so every year stays itself.
function toEpochDay({ year, month, day }: Ymd): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / MS_PER_DAY);
}

function fromEpochDay(epochDay: number): Ymd {
  const d = new Date(epochDay * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** True for `YYYY-MM-DD` text naming a real calendar date (so `2023-02-29` is false). */
export function isLocalDate(text: string): text is LocalDate {
  return splitDate(text) !== undefined;
}

export function parseLocalDate(text: string, field: string): Checked<LocalDate> {
  if (!LOCAL_DATE.test(text)) {
    return fail('DATE_FORMAT', field, `'${text}' is not a date in the form YYYY-MM-DD.`);
  }
  if (!isLocalDate(text)) {
    return fail('DATE_NOT_REAL', field, `${text} is not a real calendar date.`);
  }
  return ok(text);
}

/** Today's calendar date in Asia/Shanghai; pass `now` to make callers and tests deterministic. */
export function todayInShanghai(now: Date = new Date()): LocalDate {
  const shifted = new Date(now.getTime() + SHANGHAI_OFFSET_MS);
  return format({
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  });
}

/** Adds whole years; 29 February becomes 28 February in a common year (the term ends no later). */
export function addYears(date: LocalDate, years: number): LocalDate {
  return addMonths(date, years * 12);
}

/** Adds whole months, clamping the day to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  if (!Number.isInteger(months)) throw new RangeError(`Months must be an integer, got ${months}`);
  const { year, month, day } = parts(date);
  const index = year * 12 + (month - 1) + months;
  const newYear = Math.floor(index / 12);
  const newMonth = index - newYear * 12 + 1;
  return format({ year: newYear, month: newMonth, day: Math.min(day, daysInMonth(newYear, newMonth)) });
}

export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError(`Days must be an integer, got ${days}`);
  return format(fromEpochDay(toEpochDay(parts(date)) + days));
}

/** Signed number of days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return toEpochDay(parts(b)) - toEpochDay(parts(a));
}

/** -1, 0 or 1, usable as an `Array.prototype.sort` comparator. */
export function compareDates(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  const diff = daysBetween(b, a);
  return diff < 0 ? -1 : diff > 0 ? 1 : 0;
}

/**
 * Whole years and leftover days from `from` to `to`, e.g. for the remaining term of a contract in a
 * surrender compensation. Nothing remains once `to` is not after `from`, so that gives zero.
 */
export function yearsRemaining(from: LocalDate, to: LocalDate): { years: number; days: number } {
  if (compareDates(to, from) <= 0) return { years: 0, days: 0 };
  let years = parts(to).year - parts(from).year;
  while (years > 0 && compareDates(addYears(from, years), to) > 0) years -= 1;
  return { years, days: daysBetween(addYears(from, years), to) };
}
