import {
  addMonths,
  compareDates,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  violation,
} from '@pingquan/reference';
import type { LoanStatusName, MortgageStatusName } from './model.js';

/** 抵押登记 steps: application → review → registration → filing → release. */
const NEXT: Readonly<Record<MortgageStatusName, readonly MortgageStatusName[]>> = {
  APPLIED: ['APPROVED', 'REJECTED', 'WITHDRAWN'],
  APPROVED: ['REGISTERED', 'REJECTED', 'WITHDRAWN'],
  REJECTED: [],
  REGISTERED: ['FILED', 'RELEASED'],
  FILED: ['RELEASED'],
  RELEASED: [],
  WITHDRAWN: [],
};

/** Rule named when a step is asked of a mortgage in the wrong state: what the step needs. */
const NEEDS: Readonly<Record<MortgageStatusName, string>> = {
  APPLIED: 'MORTGAGE_NOT_NEW',
  APPROVED: 'MORTGAGE_NOT_UNDER_REVIEW',
  REJECTED: 'MORTGAGE_NOT_UNDER_REVIEW',
  WITHDRAWN: 'MORTGAGE_NOT_UNDER_REVIEW',
  REGISTERED: 'MORTGAGE_NOT_APPROVED',
  FILED: 'MORTGAGE_NOT_REGISTERED',
  RELEASED: 'MORTGAGE_NOT_STANDING',
};

export function checkTransition(from: MortgageStatusName, to: MortgageStatusName): RuleViolation[] {
  if (NEXT[from].includes(to)) return [];
  return [violation(NEEDS[to], 'mortgageId', `A mortgage that is ${from} cannot become ${to}.`)];
}

/** The mortgage's term: after today, within the product's longest term. */
export function checkMortgageTerm(termEnd: string, today: LocalDate, maxTermMonths: number): RuleViolation[] {
  if (!isLocalDate(termEnd)) {
    return [violation('DATE_FORMAT', 'termEndDate', `'${termEnd}' is not a YYYY-MM-DD date.`)];
  }
  if (compareDates(termEnd, today) <= 0) {
    return [
      violation('MORTGAGE_TERM_ORDER', 'termEndDate', 'A mortgage secures until a day after it is made.'),
    ];
  }
  const longest = addMonths(today, maxTermMonths);
  if (compareDates(termEnd, longest) > 0) {
    return [
      violation(
        'MORTGAGE_BEYOND_PRODUCT_TERM',
        'termEndDate',
        `The product lends for at most ${maxTermMonths} months, so the mortgage ends by ${longest}.`,
      ),
    ];
  }
  return [];
}

export interface BorrowerConditions {
  fullCivilCapacity: boolean;
  noBadCredit: boolean;
  rightUndisputed: boolean;
  certificateHeld: boolean;
}

/** Borrower conditions of the 2016 pilot measures (Art 6), as the bank attests them. */
export function checkBorrowerConditions(c: BorrowerConditions): RuleViolation[] {
  const v: RuleViolation[] = [];
  const field = 'borrowerConditions';
  if (!c.fullCivilCapacity)
    v.push(
      violation(
        'BORROWER_CAPACITY',
        `${field}.fullCivilCapacity`,
        'The borrower must have full civil capacity.',
      ),
    );
  if (!c.noBadCredit)
    v.push(violation('BORROWER_BAD_CREDIT', `${field}.noBadCredit`, 'The borrower has a bad credit record.'));
  if (!c.rightUndisputed)
    v.push(
      violation(
        'RIGHT_DISPUTED',
        `${field}.rightUndisputed`,
        'The right is disputed; it cannot be mortgaged.',
      ),
    );
  if (!c.certificateHeld)
    v.push(
      violation(
        'RIGHT_CERTIFICATE_NOT_HELD',
        `${field}.certificateHeld`,
        'The mortgagor must hold the right’s certificate.',
      ),
    );
  return v;
}

/**
 * 注销: a mortgage is released once nothing it secures is open — every loan repaid, or closed after the
 * disposal of the collateral. Its reason is what happened to the loans.
 */
export function releaseReason(loanStatuses: readonly LoanStatusName[]): {
  reason: 'REPAID' | 'DISPOSED' | 'BANK_CONSENT';
  violations: RuleViolation[];
} {
  const open = loanStatuses.filter((s) => s === 'ACTIVE' || s === 'IN_DISPOSAL');
  if (open.length > 0) {
    return {
      reason: 'REPAID',
      violations: [
        violation(
          'MORTGAGE_LOANS_OUTSTANDING',
          'mortgageId',
          `${open.length} loan(s) secured by the mortgage are still open; it is released once they are repaid or disposed of.`,
        ),
      ],
    };
  }
  if (loanStatuses.includes('CLOSED_WITH_LOSS')) return { reason: 'DISPOSED', violations: [] };
  if (loanStatuses.length > 0) return { reason: 'REPAID', violations: [] };
  return { reason: 'BANK_CONSENT', violations: [] };
}

/** Ranking (顺位) of a new registration: after every mortgage already standing on the same scope. */
export function ranking(standingOnScope: number): number {
  return standingOnScope + 1;
}

/** Certificate and application numbers: prefix, year, 9-digit township and a 6-digit sequence. */
export function formatNumber(prefix: string, year: number, townshipCode: string, seq: number): string {
  return `${prefix}-${year}-${townshipCode}-${String(seq).padStart(6, '0')}`;
}
