import { sumFen } from '@pingquan/reference';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyProceeds, applyRepayment, buildSchedule, checkLoanTerms, loanPosition } from './schedule.js';

const terms = {
  principalFen: 10_000_000,
  annualRateBp: 480,
  disbursedOn: '2026-01-31',
  termMonths: 12,
  periodMonths: 3,
  method: 'EQUAL_PRINCIPAL' as const,
};

describe('loan schedule and repayments', () => {
  it('draws equal principal installments that add up to the principal, interest on the balance (ACT/360)', () => {
    const s = buildSchedule(terms);
    expect(s.map((i) => i.dueDate)).toEqual(['2026-04-30', '2026-07-31', '2026-10-31', '2027-01-31']);
    expect(sumFen(s.map((i) => i.principalFen))).toBe(10_000_000);
    // 100,000 yuan × 4.8% × 89 days / 360 = 1186.67 yuan
    expect(s[0]?.interestFen).toBe(118_667);
    expect(s[1]?.interestFen).toBe(92_000); // 75,000 yuan × 4.8% × 92 / 360
  });

  it('keeps the odd fen on the last equal-principal installment', () => {
    const s = buildSchedule({ ...terms, principalFen: 10_000_001 });
    expect(s.map((i) => i.principalFen)).toEqual([2_500_000, 2_500_000, 2_500_000, 2_500_001]);
  });

  it('repays principal at maturity for a bullet loan', () => {
    const s = buildSchedule({ ...terms, method: 'INTEREST_ONLY_BULLET' });
    expect(s.map((i) => i.principalFen)).toEqual([0, 0, 0, 10_000_000]);
  });

  it('counts overdue days from the earliest installment not paid in full', () => {
    const s = buildSchedule(terms);
    expect(loanPosition(s, '2026-04-30').overdueDays).toBe(0); // payable on the due date
    const p = loanPosition(s, '2026-05-01');
    expect(p.overdueDays).toBe(1);
    expect(p.overdueAmountFen).toBe(2_500_000 + 118_667);
    expect(loanPosition(s, '2026-07-30').overdueDays).toBe(91);
  });

  it('pays interest before principal, oldest installment first', () => {
    const s = buildSchedule(terms);
    const paid = applyRepayment(s, 200_000, '2026-05-10');
    if (Array.isArray(paid)) throw new Error('refused');
    expect(paid.interestFen).toBe(118_667);
    expect(paid.principalFen).toBe(81_333);
    expect(loanPosition(paid.schedule, '2026-05-10').overdueAmountFen).toBe(2_500_000 - 81_333);
  });

  it('refuses a repayment above what is payable (REPAYMENT_EXCEEDS_OUTSTANDING)', () => {
    const s = buildSchedule(terms);
    const refused = applyRepayment(s, 10_118_668, '2026-04-30');
    expect(Array.isArray(refused) && refused.map((v) => v.rule)).toEqual(['REPAYMENT_EXCEEDS_OUTSTANDING']);
    const full = applyRepayment(s, 10_118_667, '2026-04-30');
    if (Array.isArray(full)) throw new Error('refused');
    const after = loanPosition(full.schedule, '2027-12-31');
    expect(after.outstandingPrincipalFen + after.interestDueUnpaidFen).toBe(0);
  });

  it('applies disposal proceeds to interest due, then all principal, and returns the rest', () => {
    const s = buildSchedule(terms);
    const on = '2026-12-01';
    const before = loanPosition(s, on);
    const out = applyProceeds(s, 5_000_000, on);
    expect(out.interestFen).toBe(before.interestDueUnpaidFen);
    expect(out.principalFen).toBe(5_000_000 - before.interestDueUnpaidFen);
    expect(out.leftFen).toBe(0);
    const surplus = applyProceeds(s, 20_000_000, on);
    expect(surplus.leftFen).toBe(20_000_000 - before.interestDueUnpaidFen - 10_000_000);
  });

  it('every fen of a repayment lands somewhere: interest + principal = amount', () => {
    const s = buildSchedule(terms);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), (amount) => {
        const out = applyRepayment(s, amount, '2026-08-01');
        if (Array.isArray(out)) return;
        expect(out.interestFen + out.principalFen).toBe(amount);
      }),
    );
  });

  it('keeps the loan within the mortgage: secured amount, product rate and term, mortgage term', () => {
    const limits = {
      availableSecuredFen: 10_000_000,
      minRateBp: 350,
      maxRateBp: 600,
      maxTermMonths: 12,
      mortgageTermEnd: '2026-12-31',
      registeredOn: '2026-01-31',
      today: '2026-11-26',
    };
    expect(checkLoanTerms(terms, { ...limits, mortgageTermEnd: '2027-01-31' })).toEqual([]);
    expect(checkLoanTerms(terms, limits).map((v) => v.rule)).toEqual(['LOAN_BEYOND_MORTGAGE_TERM']);
    expect(
      checkLoanTerms(
        { ...terms, principalFen: 10_000_001, annualRateBp: 700 },
        { ...limits, mortgageTermEnd: '2030-01-01' },
      ).map((v) => v.rule),
    ).toEqual(['LOAN_OVER_SECURED_AMOUNT', 'RATE_OUTSIDE_PRODUCT_RANGE']);
  });
});
