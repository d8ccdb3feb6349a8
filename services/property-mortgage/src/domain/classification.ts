import type { Fen } from '@pingquan/reference';
import type { LoanClassName } from './model.js';

/**
 * Thresholds of the 2023 financial asset risk classification rules (商业银行金融资产风险分类办法,
 * CBIRC/PBOC Order 2023 No. 1, Arts 9–11), kept as the policy `loan-classification` so that a change
 * of rule is a new version rather than a code change.
 */
export interface ClassificationRules {
  /** Overdue of at most this many days for operational reasons does not make a loan 关注 (Art 9). */
  operationalGraceDays: number;
  /** Overdue more than this → at least 次级. */
  substandardAfterDays: number;
  /** Overdue more than this → at least 可疑. */
  doubtfulAfterDays: number;
  /** Overdue more than this → 损失. */
  lossAfterDays: number;
  /** A non-retail borrower with more than this share (bp) of its claims at a bank non-performing has all of them non-performing. */
  contagionThresholdBp: number;
}

export const RULES_2023: ClassificationRules = {
  operationalGraceDays: 7,
  substandardAfterDays: 90,
  doubtfulAfterDays: 270,
  lossAfterDays: 360,
  contagionThresholdBp: 1_000,
};

const RANK: Readonly<Record<LoanClassName, number>> = {
  NORMAL: 0,
  SPECIAL_MENTION: 1,
  SUBSTANDARD: 2,
  DOUBTFUL: 3,
  LOSS: 4,
};

/** 不良 — substandard, doubtful and loss. */
export function isNonPerforming(cls: LoanClassName): boolean {
  return RANK[cls] >= RANK.SUBSTANDARD;
}

/** The worse of two categories: every rule sets a floor, never a ceiling. */
export function worse(a: LoanClassName, b: LoanClassName): LoanClassName {
  return RANK[a] >= RANK[b] ? a : b;
}

export interface Classified {
  cls: LoanClassName;
  rule: string;
}

/**
 * The category the overdue days alone call for: an amount past due → at least 关注, unless it is at
 * most 7 days late for operational reasons; > 90 days → 次级; > 270 → 可疑; > 360 → 损失.
 */
export function classifyByOverdue(
  overdueDays: number,
  operationalDelay = false,
  rules: ClassificationRules = RULES_2023,
): Classified {
  if (overdueDays <= 0) return { cls: 'NORMAL', rule: 'NOT_OVERDUE' };
  if (overdueDays > rules.lossAfterDays)
    return { cls: 'LOSS', rule: `OVERDUE_OVER_${rules.lossAfterDays}_DAYS` };
  if (overdueDays > rules.doubtfulAfterDays)
    return { cls: 'DOUBTFUL', rule: `OVERDUE_OVER_${rules.doubtfulAfterDays}_DAYS` };
  if (overdueDays > rules.substandardAfterDays)
    return { cls: 'SUBSTANDARD', rule: `OVERDUE_OVER_${rules.substandardAfterDays}_DAYS` };
  if (operationalDelay && overdueDays <= rules.operationalGraceDays)
    return { cls: 'NORMAL', rule: 'OPERATIONAL_DELAY_EXCEPTED' };
  return { cls: 'SPECIAL_MENTION', rule: 'OVERDUE' };
}

export interface LoanForClassification {
  id: string;
  bankCreditCode: string;
  /** The borrower's identity number: one borrower's claims at one bank are judged together. */
  borrowerKey: string;
  nonRetail: boolean;
  outstandingFen: Fen;
  overdueDays: number;
  operationalDelay: boolean;
}

/**
 * Classifies every loan: first by its own overdue days, then the borrower
 * contagion rule (Art 11): if more than 10% of a non-retail borrower's claims at a bank are
 * non-performing, all its claims there are at least 次级. Shares are by outstanding balance, compared in
 * integers (npl × 10000 > total × threshold) so that rounding cannot tip a borrower over the line.
 */
export function classifyLoans(
  loans: readonly LoanForClassification[],
  rules: ClassificationRules = RULES_2023,
): Map<string, Classified> {
  const result = new Map<string, Classified>();
  for (const loan of loans) {
    result.set(loan.id, classifyByOverdue(loan.overdueDays, loan.operationalDelay, rules));
  }
  const groups = new Map<string, LoanForClassification[]>();
  for (const loan of loans) {
    if (!loan.nonRetail || loan.outstandingFen <= 0) continue;
    const key = `${loan.bankCreditCode}|${loan.borrowerKey}`;
    groups.set(key, [...(groups.get(key) ?? []), loan]);
  }
  for (const group of groups.values()) {
    const total = group.reduce((s, l) => s + BigInt(l.outstandingFen), 0n);
    const npl = group
      .filter((l) => isNonPerforming(result.get(l.id)?.cls ?? 'NORMAL'))
      .reduce((s, l) => s + BigInt(l.outstandingFen), 0n);
    if (npl * 10_000n <= total * BigInt(rules.contagionThresholdBp)) continue;
    for (const loan of group) {
      const own = result.get(loan.id);
      if (own && !isNonPerforming(own.cls))
        result.set(loan.id, { cls: 'SUBSTANDARD', rule: 'BORROWER_CONTAGION' });
    }
  }
  return result;
}
