import { Events } from '@pingquan/contracts/catalogue';
import type { LoanClass } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import {
  type Change,
  type CommandContext,
  type EntityManager,
  execInTransaction,
  recordChanges,
} from '@pingquan/kit';
import { compareDates, type LocalDate } from '@pingquan/reference';
import { classifyLoans, isNonPerforming } from '../domain/classification.js';
import type { LoanClassName } from '../domain/model.js';
import { loanPosition } from '../domain/schedule.js';
import { LoanEntity, MortgageEntity, type RepaymentRow } from '../persistence/entities.js';
import { classificationPolicy } from '../policies.js';
import { collateralToMsg, loanToMsg, toEnum } from './mapping.js';
import { lock, policy } from './support.js';

export interface ClassificationResult {
  asOf: LocalDate;
  loansClassified: number;
  changed: number;
  becameOverdue: number;
  becameNonPerforming: number;
}

const classMsg = (c: string) => toEnum<LoanClass>('LOAN_CLASS_', c);

/**
 * Recomputes overdue days and the five-category classification of every open loan as of a day, under
 * the policy in force that day, and publishes the transitions: LoanOverdue when a loan first has an
 * amount past due, LoanClassified on any change of category, LoanNonPerforming when it becomes 不良.
 * Idempotent per day (a second run finds nothing changed); loans already classified as of a later day
 * are left alone so that the daily job never undoes an on-demand run ahead of it. Runs one at a time.
 */
export async function classifyAllLoans(
  em: EntityManager,
  ctx: CommandContext,
  asOf: LocalDate,
): Promise<ClassificationResult> {
  await lock(em, 'loan-classification');
  const rules = (await policy(em, classificationPolicy, asOf)).value;
  const loans = await em.find(LoanEntity, {
    status: { $in: ['ACTIVE', 'IN_DISPOSAL'] },
    disbursedOn: { $lte: asOf },
  });
  const positions = new Map(loans.map((l) => [l.id, loanPosition(l.schedule, asOf)]));
  const classified = classifyLoans(
    loans.map((l) => {
      const pos = positions.get(l.id);
      return {
        id: l.id,
        bankCreditCode: l.bankCreditCode,
        borrowerKey: l.borrowerKey,
        nonRetail: l.nonRetail,
        outstandingFen: pos?.outstandingPrincipalFen ?? 0,
        overdueDays: pos?.overdueDays ?? 0,
        operationalDelay: pos?.overdueSince !== undefined && pos.overdueSince === l.operationalDelayDueDate,
      };
    }),
    rules,
  );
  const result: ClassificationResult = {
    asOf,
    loansClassified: 0,
    changed: 0,
    becameOverdue: 0,
    becameNonPerforming: 0,
  };
  const changes: Change[] = [];
  const mortgages = new Map(
    (await em.find(MortgageEntity, { id: { $in: [...new Set(loans.map((l) => l.mortgageId))] } })).map(
      (m) => [m.id, m],
    ),
  );
  for (const loan of loans) {
    if (loan.classifiedAsOf && compareDates(loan.classifiedAsOf, asOf) > 0) continue;
    const pos = positions.get(loan.id);
    const c = classified.get(loan.id);
    if (!pos || !c) continue;
    result.loansClassified += 1;
    const previous = loan.classification as LoanClassName;
    const wasOverdue = loan.overdueDays > 0;
    loan.outstandingPrincipalFen = pos.outstandingPrincipalFen;
    loan.interestDueUnpaidFen = pos.interestDueUnpaidFen;
    loan.overdueDays = pos.overdueDays;
    loan.overdueAmountFen = pos.overdueAmountFen;
    loan.classifiedAsOf = asOf;
    const events: Change['event'][] = [];
    if (!wasOverdue && pos.overdueDays > 0) {
      result.becameOverdue += 1;
      events.push({
        type: Events['property-mortgage'].LoanOverdue,
        payload: {
          loanId: loan.id,
          bankCreditCode: loan.bankCreditCode,
          overdueDays: pos.overdueDays,
          overdueAmountFen: pos.overdueAmountFen,
          overdueSinceDate: pos.overdueSince ?? '',
          asOfDate: asOf,
          townshipCode: loan.townshipCode,
        },
      });
    }
    if (c.cls !== previous) {
      loan.classification = c.cls;
      loan.classificationRule = c.rule;
      // One row per loan and day: a second change on the same day (after a repayment) replaces the first.
      await execInTransaction(
        em,
        `INSERT INTO loan_classification (loan_id, as_of, classification, rule, overdue_days) VALUES (?, ?::date, ?, ?, ?)
         ON CONFLICT (loan_id, as_of) DO UPDATE SET classification = excluded.classification, rule = excluded.rule,
           overdue_days = excluded.overdue_days`,
        [loan.id, asOf, c.cls, c.rule, pos.overdueDays],
      );
      events.push({
        type: Events['property-mortgage'].LoanClassified,
        payload: {
          loanId: loan.id,
          bankCreditCode: loan.bankCreditCode,
          previous: classMsg(previous),
          current: classMsg(c.cls),
          overdueDays: pos.overdueDays,
          rule: c.rule,
          asOfDate: asOf,
          outstandingPrincipalFen: pos.outstandingPrincipalFen,
          townshipCode: loan.townshipCode,
        },
      });
      if (!isNonPerforming(previous) && isNonPerforming(c.cls)) {
        result.becameNonPerforming += 1;
        const mortgage = mortgages.get(loan.mortgageId);
        events.push({
          type: Events['property-mortgage'].LoanNonPerforming,
          payload: {
            loanId: loan.id,
            mortgageId: loan.mortgageId,
            bankCreditCode: loan.bankCreditCode,
            classification: classMsg(c.cls),
            overdueDays: pos.overdueDays,
            outstandingPrincipalFen: pos.outstandingPrincipalFen,
            asOfDate: asOf,
            townshipCode: loan.townshipCode,
            collateral: mortgage ? collateralToMsg(mortgage) : undefined,
          },
        });
      }
    } else {
      loan.classificationRule = c.rule;
    }
    if (events.length === 0) continue;
    result.changed += 1;
    const state = loanToMsg(loan, [] as RepaymentRow[], true);
    for (const [i, event] of events.entries()) {
      changes.push({
        aggregateType: 'loan',
        aggregateId: loan.id,
        aggregateVersion: loan.version + 1,
        townshipCode: loan.townshipCode,
        action: i === 0 ? 'loan.classified' : 'loan.classified.event',
        state: i === 0 ? state : undefined,
        effectiveOn: asOf,
        event,
      });
    }
  }
  await recordChanges(em, ctx, changes);
  await execInTransaction(
    em,
    `INSERT INTO classification_run (as_of, loans, changed) VALUES (?::date, ?, ?)
     ON CONFLICT (as_of) DO UPDATE SET ran_at = now(), loans = excluded.loans, changed = classification_run.changed + excluded.changed`,
    [asOf, result.loansClassified, result.changed],
  );
  return result;
}

/** Whether the run of a day has happened (the daily job runs each day once). */
export async function classifiedOn(em: EntityManager, asOf: LocalDate): Promise<boolean> {
  const rows = await execInTransaction(em, 'SELECT 1 FROM classification_run WHERE as_of = ?::date', [asOf]);
  return rows.length > 0;
}
