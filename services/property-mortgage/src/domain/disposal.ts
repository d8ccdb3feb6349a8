import {
  compareDates,
  type Fen,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  ratioBp,
  violation,
} from '@pingquan/reference';
import { isNonPerforming } from './classification.js';
import type {
  CollateralFacts,
  DisposalMethodName,
  DisposalStatusName,
  LoanClassName,
  LoanStatusName,
} from './model.js';

export interface StartDisposalInput {
  method: DisposalMethodName;
  reservePriceFen: Fen;
  depositFen: Fen;
  opensOn: string;
  closesOn: string;
  /** Asked-for end of the transferred term; empty means the right's remaining term. */
  transferTermEnd: string;
}

/**
 * 处置: only a non-performing loan's collateral, never a family's only home, and the buyer gets the
 * mortgaged right for its remaining term only. Returns the transfer term end that applies.
 */
export function checkStartDisposal(
  loan: { status: LoanStatusName; classification: LoanClassName },
  facts: Pick<CollateralFacts, 'rightType' | 'onlyHome' | 'securableUntil'>,
  input: StartDisposalInput,
  today: LocalDate,
): { violations: RuleViolation[]; transferTermEnd: LocalDate | undefined } {
  const v: RuleViolation[] = [];
  if (loan.status !== 'ACTIVE' || !isNonPerforming(loan.classification)) {
    v.push(
      violation(
        'LOAN_NOT_NON_PERFORMING',
        'loanId',
        `Collateral is disposed of only for an open non-performing loan; this one is ${loan.status}, ${loan.classification}.`,
      ),
    );
  }
  // Fail closed: a farmer house the owner cannot confirm is not a family's only home is treated as one.
  if (facts.rightType === 'FARMER_HOUSE' && facts.onlyHome !== false) {
    v.push(
      violation(
        'DISPOSAL_OF_ONLY_HOME',
        'loanId',
        'The disposal would leave a family without a home; a family’s only home is never disposed of.',
      ),
    );
  }
  let transferTermEnd = facts.securableUntil;
  if (input.transferTermEnd) {
    if (!isLocalDate(input.transferTermEnd)) {
      v.push(
        violation(
          'DATE_FORMAT',
          'transferTermEndDate',
          `'${input.transferTermEnd}' is not a YYYY-MM-DD date.`,
        ),
      );
    } else if (
      facts.securableUntil !== undefined &&
      compareDates(input.transferTermEnd, facts.securableUntil) > 0
    ) {
      v.push(
        violation(
          'DISPOSAL_BEYOND_REMAINING_TERM',
          'transferTermEndDate',
          `The mortgaged right lasts until ${facts.securableUntil}; a disposal transfers it for its remaining term only.`,
        ),
      );
    } else {
      transferTermEnd = input.transferTermEnd;
    }
  }
  if (transferTermEnd !== undefined && compareDates(transferTermEnd, today) <= 0) {
    v.push(violation('RIGHT_TERM_ENDED', 'collateral', 'The mortgaged right has no term left to transfer.'));
  }
  if (!Number.isSafeInteger(input.reservePriceFen) || input.reservePriceFen <= 0) {
    v.push(violation('MONEY_NOT_POSITIVE', 'reservePriceFen', 'Give the reserve (floor) price.'));
  }
  if (
    !Number.isSafeInteger(input.depositFen) ||
    input.depositFen < 0 ||
    input.depositFen > input.reservePriceFen
  ) {
    v.push(violation('DEPOSIT_RANGE', 'depositFen', 'The deposit is between 0 and the reserve price.'));
  }
  if (!isLocalDate(input.opensOn) || !isLocalDate(input.closesOn)) {
    v.push(violation('DATE_FORMAT', 'opensOn', 'Give the opening and closing dates (YYYY-MM-DD).'));
  } else if (compareDates(input.closesOn, input.opensOn) < 0) {
    v.push(violation('DATE_ORDER', 'closesOn', 'A disposal closes on or after it opens.'));
  }
  return { violations: v, transferTermEnd };
}

export interface BidView {
  amountFen: Fen;
}

/** 竞价: within the auction's dates, at least the reserve, above the highest bid, deposit paid. */
export function checkBid(
  disposal: {
    status: DisposalStatusName;
    method: DisposalMethodName;
    reservePriceFen: Fen;
    depositFen: Fen;
    opensOn: LocalDate;
    closesOn: LocalDate;
  },
  bids: readonly BidView[],
  bid: { amountFen: Fen; depositPaidFen: Fen },
  today: LocalDate,
): RuleViolation[] {
  if (disposal.method !== 'ONLINE_AUCTION') {
    return [violation('BIDS_ONLY_IN_AUCTION', 'disposalId', 'Bids are taken only in an online auction.')];
  }
  if (
    disposal.status !== 'OPEN' ||
    compareDates(today, disposal.opensOn) < 0 ||
    compareDates(today, disposal.closesOn) > 0
  ) {
    return [
      violation(
        'AUCTION_NOT_OPEN',
        'disposalId',
        `The auction takes bids from ${disposal.opensOn} to ${disposal.closesOn}.`,
      ),
    ];
  }
  const v: RuleViolation[] = [];
  const highest = Math.max(0, ...bids.map((b) => b.amountFen));
  if (bid.amountFen < disposal.reservePriceFen) {
    v.push(
      violation('BID_BELOW_RESERVE', 'amountFen', `The reserve price is ${disposal.reservePriceFen} fen.`),
    );
  } else if (bid.amountFen <= highest) {
    v.push(
      violation('BID_NOT_ABOVE_HIGHEST', 'amountFen', `The highest bid is ${highest} fen; bid above it.`),
    );
  }
  if (bid.depositPaidFen < disposal.depositFen) {
    v.push(
      violation(
        'DEPOSIT_NOT_PAID',
        'depositPaidFen',
        `A deposit of ${disposal.depositFen} fen is paid before bidding.`,
      ),
    );
  }
  return v;
}

export interface Settlement {
  netProceedsFen: Fen;
  appliedInterestFen: Fen;
  appliedPrincipalFen: Fen;
  surplusFen: Fen;
  claimAtDisposalFen: Fen;
  recoveryRateBp: number;
}

/**
 * 处置所得: the price less the disposal's costs; it pays the interest due, then the principal; the rest
 * goes back to the mortgagor. Recovery rate = applied ÷ (principal + interest due) in basis points.
 */
export function settle(
  priceFen: Fen,
  costsFen: Fen,
  position: { outstandingPrincipalFen: Fen; interestDueUnpaidFen: Fen },
): Settlement | RuleViolation[] {
  if (!Number.isSafeInteger(priceFen) || priceFen <= 0) {
    return [violation('MONEY_NOT_POSITIVE', 'priceFen', 'The disposal price is greater than zero.')];
  }
  if (!Number.isSafeInteger(costsFen) || costsFen < 0 || costsFen > priceFen) {
    return [violation('COSTS_RANGE', 'costsFen', 'Disposal costs are between 0 and the price.')];
  }
  const net = priceFen - costsFen;
  const interest = Math.min(net, position.interestDueUnpaidFen);
  const principal = Math.min(net - interest, position.outstandingPrincipalFen);
  const claim = position.outstandingPrincipalFen + position.interestDueUnpaidFen;
  return {
    netProceedsFen: net,
    appliedInterestFen: interest,
    appliedPrincipalFen: principal,
    surplusFen: net - interest - principal,
    claimAtDisposalFen: claim,
    recoveryRateBp: ratioBp(interest + principal, claim),
  };
}
