import { describe, expect, it } from 'vitest';
import {
  formatMu,
  formatSquareMetres,
  formatYuan,
  mu4ToSquareMetres,
  parseMu,
  parseSquareMetres,
  parseYuan,
  validateNonNegativeFen,
  validatePositiveFen,
  validatePositiveM2x100,
  validatePositiveMu4,
} from './units.js';
import type { Checked } from './violation.js';

function ruleOf<T>(checked: Checked<T>): string | undefined {
  return checked.ok ? undefined : checked.violations[0]?.rule;
}

describe('money in fen', () => {
  it('formats fen as yuan with two decimals', () => {
    expect(formatYuan(123456)).toBe('1234.56');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(-1050)).toBe('-10.50');
    expect(() => formatYuan(1.5)).toThrow(RangeError);
  });

  it('parses yuan exactly', () => {
    expect(parseYuan('0.1', 'p')).toEqual({ ok: true, value: 10 });
    expect(parseYuan('1234.56', 'p')).toEqual({ ok: true, value: 123456 });
    expect(ruleOf(parseYuan('1.234', 'p'))).toBe('MONEY_TOO_MANY_DECIMALS');
  });

  it('MONEY_NOT_POSITIVE, MONEY_TOO_LARGE, MONEY_NOT_INTEGER', () => {
    expect(validatePositiveFen(1, 100, 'p').ok).toBe(true);
    expect(ruleOf(validatePositiveFen(0, 100, 'p'))).toBe('MONEY_NOT_POSITIVE');
    expect(ruleOf(validatePositiveFen(101, 100, 'p'))).toBe('MONEY_TOO_LARGE');
    expect(ruleOf(validatePositiveFen(1.5, 100, 'p'))).toBe('MONEY_NOT_INTEGER');
    expect(validateNonNegativeFen(0, 100, 'p').ok).toBe(true);
    expect(ruleOf(validateNonNegativeFen(-1, 100, 'p'))).toBe('MONEY_NEGATIVE');
  });
});

describe('farmland area in mu', () => {
  it('parses up to 4 decimals exactly', () => {
    expect(parseMu('12', 'a')).toEqual({ ok: true, value: 120000 });
    expect(parseMu('12.5', 'a')).toEqual({ ok: true, value: 125000 });
    expect(parseMu('12.3456', 'a')).toEqual({ ok: true, value: 123456 });
    expect(parseMu('0.0001', 'a')).toEqual({ ok: true, value: 1 });
  });

  it('AREA_TOO_MANY_DECIMALS, AREA_NEGATIVE, AREA_FORMAT', () => {
    expect(ruleOf(parseMu('12.34567', 'a'))).toBe('AREA_TOO_MANY_DECIMALS');
    expect(ruleOf(parseMu('-1', 'a'))).toBe('AREA_NEGATIVE');
    for (const text of ['NaN', '1e3', '', '.5', '12.', '1,5', ' 12', 'Infinity', '0x10', '+1']) {
      expect(ruleOf(parseMu(text, 'a')), text).toBe('AREA_FORMAT');
    }
  });

  it('AREA_TOO_LARGE for numbers beyond exact integers', () => {
    expect(ruleOf(parseMu('99999999999999', 'a'))).toBe('AREA_TOO_LARGE');
  });

  it('formats with exactly 4 decimals and round-trips', () => {
    expect(formatMu(123456)).toBe('12.3456');
    expect(formatMu(120000)).toBe('12.0000');
    expect(formatMu(1)).toBe('0.0001');
    const parsed = parseMu(formatMu(987654321), 'a');
    expect(parsed).toEqual({ ok: true, value: 987654321 });
  });

  it('converts mu to square metres at 10000/15 m² per mu', () => {
    expect(mu4ToSquareMetres(150000)).toBe(10000);
    expect(mu4ToSquareMetres(10000)).toBeCloseTo(666.6667, 4);
  });

  it('AREA_NOT_POSITIVE and AREA_TOO_LARGE bound areas', () => {
    expect(validatePositiveMu4(1, 10000, 'a').ok).toBe(true);
    expect(ruleOf(validatePositiveMu4(0, 10000, 'a'))).toBe('AREA_NOT_POSITIVE');
    const tooLarge = validatePositiveMu4(10001, 10000, 'a');
    expect(tooLarge.ok || tooLarge.violations[0]).toEqual({
      rule: 'AREA_TOO_LARGE',
      field: 'a',
      message: 'Area 1.0001 mu exceeds the maximum of 1.0000 mu.',
    });
  });
});

describe('building and homestead area in m²', () => {
  it('parses and formats 2 decimals', () => {
    expect(parseSquareMetres('120.25', 'h')).toEqual({ ok: true, value: 12025 });
    expect(parseSquareMetres('120', 'h')).toEqual({ ok: true, value: 12000 });
    expect(ruleOf(parseSquareMetres('120.255', 'h'))).toBe('AREA_TOO_MANY_DECIMALS');
    expect(formatSquareMetres(12340)).toBe('123.40');
  });

  it('bounds homestead areas', () => {
    expect(ruleOf(validatePositiveM2x100(0, 20000, 'h'))).toBe('AREA_NOT_POSITIVE');
    expect(ruleOf(validatePositiveM2x100(20001, 20000, 'h'))).toBe('AREA_TOO_LARGE');
    expect(validatePositiveM2x100(20000, 20000, 'h')).toEqual({ ok: true, value: 20000 });
  });
});
