import { describe, expect, it } from 'vitest';
import {
  checkBorrowerConditions,
  checkMortgageTerm,
  checkTransition,
  formatNumber,
  ranking,
  releaseReason,
} from './mortgage.js';

describe('mortgage registration flow', () => {
  it('goes application → review → registration → filing → release, and no other way', () => {
    expect(checkTransition('APPLIED', 'APPROVED')).toEqual([]);
    expect(checkTransition('APPROVED', 'REGISTERED')).toEqual([]);
    expect(checkTransition('REGISTERED', 'FILED')).toEqual([]);
    expect(checkTransition('FILED', 'RELEASED')).toEqual([]);
    expect(checkTransition('APPLIED', 'REGISTERED').map((v) => v.rule)).toEqual(['MORTGAGE_NOT_APPROVED']);
    expect(checkTransition('RELEASED', 'RELEASED').map((v) => v.rule)).toEqual(['MORTGAGE_NOT_STANDING']);
  });

  it('keeps the mortgage within the product’s longest term (MORTGAGE_BEYOND_PRODUCT_TERM)', () => {
    expect(checkMortgageTerm('2029-11-26', '2026-11-26', 36)).toEqual([]);
    expect(checkMortgageTerm('2029-11-27', '2026-11-26', 36).map((v) => v.rule)).toEqual([
      'MORTGAGE_BEYOND_PRODUCT_TERM',
    ]);
    expect(checkMortgageTerm('2026-11-26', '2026-11-26', 36).map((v) => v.rule)).toEqual([
      'MORTGAGE_TERM_ORDER',
    ]);
  });

  it('checks the 2016 borrower conditions', () => {
    expect(
      checkBorrowerConditions({
        fullCivilCapacity: true,
        noBadCredit: false,
        rightUndisputed: true,
        certificateHeld: false,
      }).map((v) => v.rule),
    ).toEqual(['BORROWER_BAD_CREDIT', 'RIGHT_CERTIFICATE_NOT_HELD']);
  });

  it('releases only when nothing it secures is open (MORTGAGE_LOANS_OUTSTANDING)', () => {
    expect(releaseReason(['ACTIVE']).violations.map((v) => v.rule)).toEqual(['MORTGAGE_LOANS_OUTSTANDING']);
    expect(releaseReason(['SETTLED']).reason).toBe('REPAID');
    expect(releaseReason(['SETTLED', 'CLOSED_WITH_LOSS']).reason).toBe('DISPOSED');
    expect(releaseReason([]).reason).toBe('BANK_CONSENT');
  });

  it('ranks a new registration after those standing and numbers certificates', () => {
    expect(ranking(0)).toBe(1);
    expect(ranking(2)).toBe(3);
    expect(formatNumber('DJ', 2026, '130881102', 7)).toBe('DJ-2026-130881102-000007');
  });
});
