import { describe, expect, it } from 'vitest';
import type { CollateralRef } from './model.js';
import {
  type ComparableDeal,
  checkValuationBacks,
  checkValuationInput,
  marketComparable,
  medianFen,
  nextBenchmarkVersion,
  perMuYearFen,
  referenceValueFen,
} from './valuation.js';

const land: CollateralRef = {
  rightType: 'LAND_MANAGEMENT',
  rightId: 'c1',
  plotCodes: ['p1'],
  circulationId: '',
};

describe('valuation and price system', () => {
  it('prices a deal per mu per year: 10 mu for 2 years at 16,000 yuan is 800 yuan per mu-year', () => {
    expect(perMuYearFen(1_600_000, 100_000, '2025-01-01', '2027-01-01')).toBe(80_000);
    expect(perMuYearFen(1_600_000, 100_000, '2027-01-01', '2029-01-01')).toBe(79_891); // 731 days: 2028 is leap
    expect(perMuYearFen(1_460_000, 100_000, '2026-01-01', '2027-01-01')).toBe(146_000);
    expect(perMuYearFen(1_000, 0, '2026-01-01', '2027-01-01')).toBe(0);
  });

  it('takes the median, averaging the middle two of an even count half up', () => {
    expect(medianFen([5, 1, 3])).toBe(3);
    expect(medianFen([1, 2, 3, 4])).toBe(3); // 2.5 → 3
    expect(medianFen([80_000, 70_001])).toBe(75_001); // 75000.5 → 75001
  });

  it('draws the market comparable from certified deals of the same type and township within the window', () => {
    const deal = (
      on: string,
      price: number,
      township = '130881102',
      rightType: ComparableDeal['rightType'] = 'LAND_MANAGEMENT',
    ) => ({
      rightType,
      townshipCode: township,
      certifiedOn: on,
      fenPerMuYear: price,
      certificateNo: `JZ-${on}-${price}`,
    });
    const deals = [
      deal('2026-11-01', 70_000),
      deal('2026-06-01', 80_000),
      deal('2026-01-01', 90_000),
      deal('2024-01-01', 10_000), // outside the window
      deal('2026-10-01', 99_999, '130881103'), // another township
      deal('2026-10-01', 1, '130881102', 'FOREST'), // another right type
    ];
    const c = marketComparable(deals, 'LAND_MANAGEMENT', '130881102', '2026-11-26', {
      comparableWindowDays: 365,
      comparableMinDeals: 3,
    });
    expect(c.dealCount).toBe(3);
    expect(c.medianFenPerMuYear).toBe(80_000);
    expect(c.windowStart).toBe('2025-11-27');
    const thin = marketComparable(deals.slice(0, 2), 'LAND_MANAGEMENT', '130881102', '2026-11-26', {
      comparableWindowDays: 365,
      comparableMinDeals: 3,
    });
    expect(thin.insufficient).toBe(true);
    expect(thin.medianFenPerMuYear).toBe(0);
  });

  it('gives a benchmark reference value of price × area × remaining term, undiscounted', () => {
    expect(referenceValueFen('PER_MU_YEAR', 80_000, 50_000, 365 * 2)).toBe(800_000);
    expect(referenceValueFen('PER_MU', 1_000_000, 25_000, 0)).toBe(2_500_000);
    expect(referenceValueFen('PER_UNIT', 1, 1, 1)).toBe(0);
  });

  it('an expired valuation cannot back a mortgage (VALUATION_EXPIRED)', () => {
    const v = { id: 'v', collateral: land, valueFen: 1, validUntil: '2026-11-25', bankCreditCode: '' };
    expect(checkValuationBacks(v, land, '2026-11-25')).toEqual([]);
    expect(checkValuationBacks(v, land, '2026-11-26').map((x) => x.rule)).toEqual(['VALUATION_EXPIRED']);
    expect(checkValuationBacks(v, { ...land, plotCodes: ['p2'] }, '2026-11-01').map((x) => x.rule)).toEqual([
      'VALUATION_OF_OTHER_COLLATERAL',
    ]);
  });

  it('keeps a report’s validity within the policy (VALIDITY_TOO_LONG) and its value positive', () => {
    const input = {
      method: 'GOVERNMENT_PANEL' as const,
      valueFen: 100,
      appraiserName: '平泉市农村产权评估小组',
      appraiserCreditCode: '',
      valuedOn: '2026-11-01',
      validUntil: '2027-11-02',
      bankCreditCode: '',
    };
    expect(checkValuationInput(input, '2026-11-26', { maxValidityDays: 365 }).map((x) => x.rule)).toEqual([
      'VALIDITY_TOO_LONG',
    ]);
    expect(
      checkValuationInput({ ...input, validUntil: '2027-11-01', valueFen: 0 }, '2026-11-26', {
        maxValidityDays: 365,
      }).map((x) => x.rule),
    ).toEqual(['VALUE_NOT_POSITIVE']);
  });

  it('versions a benchmark key one above the highest published', () => {
    expect(nextBenchmarkVersion([])).toBe(1);
    expect(nextBenchmarkVersion([{ version: 1 }, { version: 3 }])).toBe(4);
  });
});
