import { describe, expect, it } from 'vitest';
import {
  classifyByOverdue,
  classifyLoans,
  isNonPerforming,
  type LoanForClassification,
} from './classification.js';

const cls = (days: number, operational = false) => classifyByOverdue(days, operational).cls;

describe('five-category classification (2023 rules)', () => {
  it('a loan with nothing overdue is normal', () => {
    expect(cls(0)).toBe('NORMAL');
  });

  it('any overdue makes a loan at least special mention', () => {
    expect(cls(1)).toBe('SPECIAL_MENTION');
    expect(cls(8, true)).toBe('SPECIAL_MENTION');
  });

  it('≤ 7 days for operational reasons is excepted', () => {
    expect(cls(7, true)).toBe('NORMAL');
    expect(classifyByOverdue(7, true).rule).toBe('OPERATIONAL_DELAY_EXCEPTED');
    expect(cls(7, false)).toBe('SPECIAL_MENTION');
  });

  it('> 90 days overdue is at least substandard', () => {
    expect(cls(90)).toBe('SPECIAL_MENTION');
    expect(cls(91)).toBe('SUBSTANDARD');
    expect(classifyByOverdue(91).rule).toBe('OVERDUE_OVER_90_DAYS');
  });

  it('> 270 days overdue is at least doubtful', () => {
    expect(cls(270)).toBe('SUBSTANDARD');
    expect(cls(271)).toBe('DOUBTFUL');
  });

  it('> 360 days overdue is loss', () => {
    expect(cls(360)).toBe('DOUBTFUL');
    expect(cls(361)).toBe('LOSS');
  });

  it('substandard, doubtful and loss are non-performing', () => {
    expect(
      ['NORMAL', 'SPECIAL_MENTION', 'SUBSTANDARD', 'DOUBTFUL', 'LOSS'].map((c) =>
        isNonPerforming(c as 'LOSS'),
      ),
    ).toEqual([false, false, true, true, true]);
  });

  describe('the 10% borrower contagion', () => {
    const loan = (
      id: string,
      outstandingFen: number,
      overdueDays: number,
      extra: Partial<LoanForClassification> = {},
    ) => ({
      id,
      bankCreditCode: 'BANK1',
      borrowerKey: 'COOP1',
      nonRetail: true,
      outstandingFen,
      overdueDays,
      operationalDelay: false,
      ...extra,
    });

    it('more than 10% of a non-retail borrower’s claims at a bank non-performing makes all of them non-performing', () => {
      const out = classifyLoans([loan('a', 1_001, 100), loan('b', 9_000, 0)]);
      expect(out.get('a')?.cls).toBe('SUBSTANDARD');
      expect(out.get('b')).toEqual({ cls: 'SUBSTANDARD', rule: 'BORROWER_CONTAGION' });
    });

    it('exactly 10% does not spread', () => {
      const out = classifyLoans([loan('a', 1_000, 100), loan('b', 9_000, 0)]);
      expect(out.get('b')?.cls).toBe('NORMAL');
    });

    it('does not spread to retail borrowers, nor across banks', () => {
      const retail = classifyLoans([
        loan('a', 5_000, 100, { nonRetail: false }),
        loan('b', 5_000, 0, { nonRetail: false }),
      ]);
      expect(retail.get('b')?.cls).toBe('NORMAL');
      const banks = classifyLoans([loan('a', 5_000, 100), loan('b', 5_000, 0, { bankCreditCode: 'BANK2' })]);
      expect(banks.get('b')?.cls).toBe('NORMAL');
    });

    it('never lifts a worse category', () => {
      const out = classifyLoans([loan('a', 5_000, 400), loan('b', 5_000, 300)]);
      expect(out.get('a')?.cls).toBe('LOSS');
      expect(out.get('b')?.cls).toBe('DOUBTFUL');
    });
  });
});
