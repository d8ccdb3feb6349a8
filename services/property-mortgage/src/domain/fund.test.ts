import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClaimComputation,
  checkFundBalance,
  computeClaim,
  type LossSharingPolicy,
  shareLoss,
  sharesTotal,
} from './fund.js';

const policy: LossSharingPolicy = {
  ordinary: {
    principal: { fundBp: 2000, bankBp: 8000, insurerBp: 0, guarantorBp: 0 },
    interest: { fundBp: 0, bankBp: 10_000, insurerBp: 0, guarantorBp: 0 },
  },
  naturalDisaster: {
    principal: { fundBp: 5000, bankBp: 5000, insurerBp: 0, guarantorBp: 0 },
    interest: { fundBp: 0, bankBp: 10_000, insurerBp: 0, guarantorBp: 0 },
  },
};

const claim = {
  cause: 'ORDINARY' as const,
  principalAtDisposalFen: 1_000_000,
  interestAtDisposalFen: 50_000,
  proceedsPrincipalFen: 550_000,
  proceedsInterestFen: 50_000,
  insurerRecoveredFen: 0,
  guarantorRecoveredFen: 0,
};

describe('risk compensation fund', () => {
  it('by default the fund pays 20% of the net principal loss', () => {
    const out = computeClaim(claim, policy) as ClaimComputation;
    expect(out.netPrincipalLossFen).toBe(450_000);
    expect(out.principalShares).toEqual({
      fundFen: 90_000,
      bankFen: 360_000,
      insurerFen: 0,
      guarantorFen: 0,
    });
    expect(out.fundPayoutFen).toBe(90_000);
  });

  it('has a separate rule for losses from natural disasters', () => {
    const out = computeClaim({ ...claim, cause: 'NATURAL_DISASTER' }, policy) as ClaimComputation;
    expect(out.fundPayoutFen).toBe(225_000);
  });

  it('deducts recoveries from the insurer and guarantor, principal first', () => {
    const out = computeClaim(
      {
        ...claim,
        interestAtDisposalFen: 60_000,
        insurerRecoveredFen: 440_000,
        guarantorRecoveredFen: 15_000,
      },
      policy,
    ) as ClaimComputation;
    expect(out.recoveriesPrincipalFen).toBe(450_000);
    expect(out.recoveriesInterestFen).toBe(5_000);
    expect(out.netPrincipalLossFen).toBe(0);
    expect(out.netInterestLossFen).toBe(5_000);
  });

  it('loss sharing sums exactly: the bank bears the rounding, the fund never more than its ratio', () => {
    expect(shareLoss(101, { fundBp: 2000, bankBp: 8000, insurerBp: 0, guarantorBp: 0 })).toEqual({
      fundFen: 20,
      bankFen: 81,
      insurerFen: 0,
      guarantorFen: 0,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e13 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (loss, a, b, c) => {
          fc.pre(a + b + c <= 10_000);
          const s = shareLoss(loss, { fundBp: a, insurerBp: b, guarantorBp: c, bankBp: 10_000 - a - b - c });
          expect(sharesTotal(s)).toBe(loss);
          expect(s.fundFen * 10_000).toBeLessThanOrEqual(loss * a);
          expect(s.bankFen).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('every fen reconciles: outstanding at disposal = proceeds + recoveries + all shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e11 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (principal, interest, p1, p2, p3) => {
          const proceedsInterest = interest === 0 ? 0 : p1 % (interest + 1);
          const proceedsPrincipal = p2 % principal; // something is left
          const left = principal - proceedsPrincipal + interest - proceedsInterest;
          const recovered = p3 % left;
          const input = {
            ...claim,
            principalAtDisposalFen: principal,
            interestAtDisposalFen: interest,
            proceedsPrincipalFen: proceedsPrincipal,
            proceedsInterestFen: proceedsInterest,
            insurerRecoveredFen: recovered,
          };
          const out = computeClaim(input, policy) as ClaimComputation;
          expect(
            proceedsPrincipal +
              proceedsInterest +
              out.recoveriesPrincipalFen +
              out.recoveriesInterestFen +
              sharesTotal(out.principalShares) +
              sharesTotal(out.interestShares),
          ).toBe(principal + interest);
        },
      ),
    );
  });

  it('a claim can never push the balance below zero (CLAIM_OVER_BALANCE)', () => {
    expect(checkFundBalance(90_000, 90_000)).toEqual([]);
    expect(checkFundBalance(89_999, 90_000).map((v) => v.rule)).toEqual(['CLAIM_OVER_BALANCE']);
  });

  it('refuses recoveries above the loss and a claim with no loss', () => {
    expect(
      (computeClaim({ ...claim, insurerRecoveredFen: 450_001 }, policy) as { rule: string }[]).map(
        (v) => v.rule,
      ),
    ).toEqual(['RECOVERIES_EXCEED_LOSS']);
    expect(
      (computeClaim({ ...claim, proceedsPrincipalFen: 1_000_000 }, policy) as { rule: string }[]).map(
        (v) => v.rule,
      ),
    ).toEqual(['NO_LOSS_TO_CLAIM']);
  });
});
