import { BP, type Fen, floorDiv, type RuleViolation, sumFen, violation } from '@pingquan/reference';
import type { LossCauseName } from './model.js';

/** Shares of a loss in basis points; they add up to 10000. */
export interface ShareRatios {
  fundBp: number;
  bankBp: number;
  insurerBp: number;
  guarantorBp: number;
}

export interface LossSharingRule {
  principal: ShareRatios;
  interest: ShareRatios;
}

/** Policy `loss-sharing`: one rule for ordinary losses, a separate one for natural disasters. */
export interface LossSharingPolicy {
  ordinary: LossSharingRule;
  naturalDisaster: LossSharingRule;
}

export interface Shares {
  fundFen: Fen;
  bankFen: Fen;
  insurerFen: Fen;
  guarantorFen: Fen;
}

/**
 * Splits a loss by the ratios: the fund's, the insurer's and the guarantor's parts are each rounded down
 * to a fen and the bank bears what is left, so the parts add up to the loss exactly and the fund never
 * pays more than its ratio.
 */
export function shareLoss(lossFen: Fen, ratios: ShareRatios): Shares {
  const part = (bp: number) => floorDiv(BigInt(lossFen) * BigInt(bp), BigInt(BP));
  const fundFen = part(ratios.fundBp);
  const insurerFen = part(ratios.insurerBp);
  const guarantorFen = part(ratios.guarantorBp);
  return { fundFen, insurerFen, guarantorFen, bankFen: lossFen - fundFen - insurerFen - guarantorFen };
}

export function sharesTotal(s: Shares): Fen {
  return sumFen([s.fundFen, s.bankFen, s.insurerFen, s.guarantorFen]);
}

export interface ClaimInput {
  cause: LossCauseName;
  /** Outstanding principal and interest due when the disposal completed. */
  principalAtDisposalFen: Fen;
  interestAtDisposalFen: Fen;
  /** Disposal proceeds applied to each. */
  proceedsPrincipalFen: Fen;
  proceedsInterestFen: Fen;
  /** Received from the insurer and the guarantor outside the disposal. */
  insurerRecoveredFen: Fen;
  guarantorRecoveredFen: Fen;
}

export interface ClaimComputation {
  recoveriesPrincipalFen: Fen;
  recoveriesInterestFen: Fen;
  netPrincipalLossFen: Fen;
  netInterestLossFen: Fen;
  principalShares: Shares;
  interestShares: Shares;
  fundPayoutFen: Fen;
}

/**
 * The loss left on a loan after disposal: what was outstanding less the proceeds applied and the
 * recoveries received (applied to principal first), shared by the rule for its cause. Default rule: the
 * fund pays 20% of the net principal loss. Every fen reconciles:
 * principal + interest at disposal = proceeds + recoveries + all shares.
 */
export function computeClaim(
  input: ClaimInput,
  policy: LossSharingPolicy,
): ClaimComputation | RuleViolation[] {
  const remainingPrincipal = input.principalAtDisposalFen - input.proceedsPrincipalFen;
  const remainingInterest = input.interestAtDisposalFen - input.proceedsInterestFen;
  if (remainingPrincipal < 0 || remainingInterest < 0)
    throw new RangeError('Proceeds exceed what was outstanding');
  const recoveries = input.insurerRecoveredFen + input.guarantorRecoveredFen;
  if (input.insurerRecoveredFen < 0 || input.guarantorRecoveredFen < 0) {
    return [violation('MONEY_NEGATIVE', 'insurerRecoveredFen', 'Recoveries are zero or more.')];
  }
  if (recoveries > remainingPrincipal + remainingInterest) {
    return [
      violation(
        'RECOVERIES_EXCEED_LOSS',
        'insurerRecoveredFen',
        `Only ${remainingPrincipal + remainingInterest} fen was left outstanding after the disposal.`,
      ),
    ];
  }
  if (remainingPrincipal + remainingInterest === 0) {
    return [
      violation(
        'NO_LOSS_TO_CLAIM',
        'loanId',
        'The disposal repaid the loan in full; there is no loss to share.',
      ),
    ];
  }
  const recoveriesPrincipal = Math.min(recoveries, remainingPrincipal);
  const recoveriesInterest = recoveries - recoveriesPrincipal;
  const netPrincipal = remainingPrincipal - recoveriesPrincipal;
  const netInterest = remainingInterest - recoveriesInterest;
  const rule = input.cause === 'NATURAL_DISASTER' ? policy.naturalDisaster : policy.ordinary;
  const principalShares = shareLoss(netPrincipal, rule.principal);
  const interestShares = shareLoss(netInterest, rule.interest);
  return {
    recoveriesPrincipalFen: recoveriesPrincipal,
    recoveriesInterestFen: recoveriesInterest,
    netPrincipalLossFen: netPrincipal,
    netInterestLossFen: netInterest,
    principalShares,
    interestShares,
    fundPayoutFen: principalShares.fundFen + interestShares.fundFen,
  };
}

/** The fund never pays more than it holds: a claim above the balance is refused whole (CLAIM_OVER_BALANCE). */
export function checkFundBalance(balanceFen: Fen, payoutFen: Fen): RuleViolation[] {
  if (payoutFen <= balanceFen) return [];
  return [
    violation(
      'CLAIM_OVER_BALANCE',
      'loanId',
      `The fund holds ${balanceFen} fen; it cannot pay ${payoutFen} fen without going below zero.`,
    ),
  ];
}
