import { describe, expect, it } from 'vitest';
import { applicableLtvBp, checkProduct, type LtvCaps, productLtvBp } from './product.js';

const caps: LtvCaps = { caps: { LAND_MANAGEMENT: 7000 }, fallbackBp: 5000 };
const base = {
  eligibleRightTypes: ['LAND_MANAGEMENT' as const],
  maxLtvBp: 7000,
  maxTermMonths: 36,
  minRateBp: 350,
  maxRateBp: 600,
};

describe('loan products', () => {
  it('LTV cap: defaults to 70% for land management rights by policy', () => {
    expect(productLtvBp({ ...base, maxLtvBp: 0 }, caps)).toBe(7000);
    expect(checkProduct(base, caps)).toEqual([]);
  });

  it('refuses a product LTV above the policy cap of any eligible right type (LTV_ABOVE_POLICY_CAP)', () => {
    expect(checkProduct({ ...base, maxLtvBp: 7001 }, caps).map((v) => v.rule)).toEqual([
      'LTV_ABOVE_POLICY_CAP',
    ]);
    expect(
      checkProduct({ ...base, eligibleRightTypes: ['LAND_MANAGEMENT', 'FOREST'] }, caps).map((v) => v.rule),
    ).toEqual(['LTV_ABOVE_POLICY_CAP']);
  });

  it('applies the lower of product LTV and the cap in force on the day', () => {
    expect(
      applicableLtvBp(7000, 'LAND_MANAGEMENT', { caps: { LAND_MANAGEMENT: 6000 }, fallbackBp: 5000 }),
    ).toBe(6000);
  });

  it('needs a sane term and rate range', () => {
    expect(checkProduct({ ...base, maxTermMonths: 0, minRateBp: 700 }, caps).map((v) => v.rule)).toEqual([
      'TERM_RANGE',
      'RATE_RANGE',
    ]);
  });
});
