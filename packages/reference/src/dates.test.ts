import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  addYears,
  compareDates,
  daysBetween,
  isLeapYear,
  isLocalDate,
  parseLocalDate,
  todayInShanghai,
  yearsRemaining,
} from './dates.js';

describe('calendar dates', () => {
  it('recognises real dates only', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2023-02-29')).toBe(false);
    expect(isLocalDate('1900-02-29')).toBe(false);
    expect(isLocalDate('2000-02-29')).toBe(true);
    expect(isLocalDate('2023-04-31')).toBe(false);
    expect(isLocalDate('2023-13-01')).toBe(false);
    expect(isLocalDate('2023-1-01')).toBe(false);
    expect(isLocalDate('2023-01-01T00:00')).toBe(false);
  });

  it('applies the Gregorian leap-year rule', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
  });

  it('DATE_FORMAT and DATE_NOT_REAL name what is wrong with the text', () => {
    expect(parseLocalDate('2025-05-01', 'd')).toEqual({ ok: true, value: '2025-05-01' });
    const badFormat = parseLocalDate('01/05/2025', 'd');
    expect(badFormat.ok || badFormat.violations[0]?.rule).toBe('DATE_FORMAT');
    const notReal = parseLocalDate('2025-02-29', 'd');
    expect(notReal.ok || notReal.violations[0]?.rule).toBe('DATE_NOT_REAL');
  });

  it("takes today's date in Asia/Shanghai, not UTC", () => {
    expect(todayInShanghai(new Date('2024-12-31T15:59:59Z'))).toBe('2024-12-31');
    expect(todayInShanghai(new Date('2024-12-31T16:00:00Z'))).toBe('2025-01-01');
  });

  it('addYears turns 29 February into 28 February in a common year', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('1998-12-31', 30)).toBe('2028-12-31');
    expect(addYears('2028-02-29', -1)).toBe('2027-02-28');
  });

  it('addMonths clamps to the end of a shorter month', () => {
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-11-15', 3)).toBe('2025-02-15');
    expect(addMonths('2025-01-15', -13)).toBe('2023-12-15');
  });

  it('addDays and daysBetween cross leap days', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(daysBetween('2023-01-01', '2024-01-01')).toBe(365);
    expect(daysBetween('2025-05-11', '2025-05-01')).toBe(-10);
  });

  it('compareDates orders dates', () => {
    expect(['2025-01-02', '2024-12-31', '2025-01-01'].sort(compareDates)).toEqual([
      '2024-12-31',
      '2025-01-01',
      '2025-01-02',
    ]);
    expect(compareDates('2025-01-01', '2025-01-01')).toBe(0);
  });

  it('yearsRemaining counts whole years, then days, and nothing after the end', () => {
    expect(yearsRemaining('2025-03-01', '2028-12-31')).toEqual({ years: 3, days: 305 });
    expect(yearsRemaining('2024-02-29', '2025-02-28')).toEqual({ years: 1, days: 0 });
    expect(yearsRemaining('2024-03-01', '2025-02-28')).toEqual({ years: 0, days: 364 });
    expect(yearsRemaining('2029-01-01', '2028-12-31')).toEqual({ years: 0, days: 0 });
  });

  it('refuses to do arithmetic on text that is not a date', () => {
    expect(() => addDays('2023-02-29', 1)).toThrow(RangeError);
    expect(() => addMonths('2023-01-01', 1.5)).toThrow(RangeError);
  });
});
