import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type { Loan as LoanMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import {
  type CommandContext,
  type EntityManager,
  groupBy,
  isUuid,
  keysetPage,
  NotFoundError,
  newId,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { compareDates, isLocalDate, sumFen, violation } from '@pingquan/reference';
import type {
  LoanClassName,
  LoanStatusName,
  RepaymentMethodName,
  RepaymentSourceName,
} from '../domain/model.js';
import { STANDING_MORTGAGE } from '../domain/model.js';
import {
  applyRepayment,
  buildSchedule,
  checkLoanTerms,
  loanPosition,
  maturityOf,
} from '../domain/schedule.js';
import {
  LoanClassificationEntity,
  LoanEntity,
  type LoanRow,
  MortgageEntity,
  RepaymentEntity,
  type RepaymentRow,
} from '../persistence/entities.js';
import { assertBankOrCentreWrite, assertMayRead, mayRead, scopedWhere, seesPersonalData } from './access.js';
import { todayOf } from './context.js';
import { loanToMsg, rightTypeToMsg } from './mapping.js';
import { loadProduct } from './mortgage.js';
import { invalidIfAny, refuse, refuseIfAny } from './support.js';

export async function repaymentsOf(em: EntityManager, loanId: string): Promise<RepaymentRow[]> {
  return em.find(RepaymentEntity, { loanId });
}

export function loanMsgFor(principal: Principal, row: LoanRow, repayments: readonly RepaymentRow[]): LoanMsg {
  return loanToMsg(
    row,
    repayments,
    seesPersonalData(principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode }),
  );
}

export async function lockLoan(em: EntityManager, id: string): Promise<LoanRow> {
  const row = isUuid(id)
    ? await em.findOne(LoanEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!row) throw new NotFoundError('loan', id);
  return row;
}

/** Refreshes what a loan owes on a day from its schedule. */
export function refreshPosition(row: LoanRow, asOf: string): void {
  const pos = loanPosition(row.schedule, asOf);
  row.outstandingPrincipalFen = pos.outstandingPrincipalFen;
  row.interestDueUnpaidFen = pos.interestDueUnpaidFen;
  row.overdueDays = pos.overdueDays;
  row.overdueAmountFen = pos.overdueAmountFen;
}

export interface DisburseInput {
  mortgageId: string;
  principalFen: number;
  annualRateBp: number;
  disbursedOn: string;
  termMonths: number;
  method: RepaymentMethodName;
  periodMonths: number;
}

/**
 * Disburses a loan against a standing mortgage: within what the mortgage still secures, the product's
 * rate range and longest term, maturing by the mortgage's end (so within the right's remaining term).
 */
export async function disburseLoan(
  em: EntityManager,
  ctx: CommandContext,
  input: DisburseInput,
): Promise<LoanMsg> {
  const mortgage = isUuid(input.mortgageId)
    ? await em.findOne(
        MortgageEntity,
        { id: input.mortgageId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      )
    : null;
  if (!mortgage) throw new NotFoundError('mortgage', input.mortgageId);
  assertBankOrCentreWrite(ctx.principal, mortgage.bankCreditCode, mortgage.townshipCode);
  if (!STANDING_MORTGAGE.includes(mortgage.status as (typeof STANDING_MORTGAGE)[number])) {
    refuse([
      violation(
        'MORTGAGE_NOT_STANDING',
        'mortgageId',
        `The mortgage is ${mortgage.status}; a loan needs a registered mortgage.`,
      ),
    ]);
  }
  const product = await loadProduct(em, mortgage.productId);
  const open = await em.find(LoanEntity, {
    mortgageId: mortgage.id,
    status: { $in: ['ACTIVE', 'IN_DISPOSAL'] },
  });
  const today = todayOf(ctx);
  const violations = checkLoanTerms(input, {
    availableSecuredFen: mortgage.securedAmountFen - sumFen(open.map((l) => l.outstandingPrincipalFen)),
    minRateBp: product.minRateBp,
    maxRateBp: product.maxRateBp,
    maxTermMonths: product.maxTermMonths,
    mortgageTermEnd: mortgage.termEnd,
    registeredOn: mortgage.registeredOn ?? today,
    today,
  });
  const shape = violations.filter((v) =>
    ['DATE_FORMAT', 'MONEY_NOT_POSITIVE', 'PERIOD_MONTHS', 'TERM_NOT_WHOLE_PERIODS'].includes(v.rule),
  );
  invalidIfAny(shape);
  refuseIfAny(violations);
  const schedule = buildSchedule(input);
  const borrower = mortgage.debtor;
  const row = em.create(LoanEntity, {
    id: newId(),
    mortgageId: mortgage.id,
    productId: product.id,
    bankCreditCode: mortgage.bankCreditCode,
    borrower,
    borrowerKey: borrower.idNumber,
    nonRetail: borrower.kind !== 'HOUSEHOLD' && borrower.kind !== 'INDIVIDUAL',
    rightType: mortgage.rightType,
    townshipCode: mortgage.townshipCode,
    villageCode: mortgage.villageCode,
    householdId: mortgage.householdId,
    principalFen: input.principalFen,
    annualRateBp: input.annualRateBp,
    disbursedOn: input.disbursedOn,
    maturityDate: maturityOf(input.disbursedOn, input.termMonths),
    method: input.method,
    periodMonths: input.periodMonths,
    schedule,
    outstandingPrincipalFen: input.principalFen,
    interestDueUnpaidFen: 0,
    overdueDays: 0,
    overdueAmountFen: 0,
    classification: 'NORMAL',
    classificationRule: 'NOT_OVERDUE',
    classifiedAsOf: input.disbursedOn,
    operationalDelayDueDate: null,
    status: 'ACTIVE',
    version: 1,
  });
  refreshPosition(row, today);
  em.create(LoanClassificationEntity, {
    loanId: row.id,
    asOf: input.disbursedOn,
    classification: 'NORMAL',
    rule: 'NOT_OVERDUE',
    overdueDays: 0,
  });
  const msg = loanToMsg(row, [], true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'loan',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'loan.disbursed',
      state: msg,
      effectiveOn: row.disbursedOn,
      event: {
        type: Events['property-mortgage'].LoanDisbursed,
        payload: {
          loanId: row.id,
          mortgageId: row.mortgageId,
          bankCreditCode: row.bankCreditCode,
          rightType: rightTypeToMsg(row.rightType),
          principalFen: row.principalFen,
          annualRateBp: row.annualRateBp,
          disbursedOn: row.disbursedOn,
          maturityDate: row.maturityDate,
          townshipCode: row.townshipCode,
        },
      },
    },
  ]);
  return loanMsgFor(ctx.principal, row, []);
}

/** Records a repayment on an open loan; the loan is settled when nothing is owed any more. */
export async function recordRepayment(
  em: EntityManager,
  ctx: CommandContext,
  input: { loanId: string; amountFen: number; paidOn: string; source?: RepaymentSourceName },
): Promise<LoanMsg> {
  if (!isLocalDate(input.paidOn))
    invalidIfAny([violation('DATE_FORMAT', 'paidOn', `'${input.paidOn}' is not a YYYY-MM-DD date.`)]);
  const row = await lockLoan(em, input.loanId);
  assertBankOrCentreWrite(ctx.principal, row.bankCreditCode, row.townshipCode);
  const today = todayOf(ctx);
  if (row.status !== 'ACTIVE') refuse([violation('LOAN_NOT_ACTIVE', 'loanId', `The loan is ${row.status}.`)]);
  if (compareDates(input.paidOn, today) > 0 || compareDates(input.paidOn, row.disbursedOn) < 0) {
    refuse([violation('REPAYMENT_DATE', 'paidOn', 'A repayment is dated between disbursal and today.')]);
  }
  const applied = applyRepayment(row.schedule, input.amountFen, input.paidOn);
  if (Array.isArray(applied)) {
    if (applied.some((v) => v.rule === 'MONEY_NOT_POSITIVE')) invalidIfAny(applied);
    refuse(applied);
  }
  row.schedule = applied.schedule;
  refreshPosition(row, today);
  if (row.outstandingPrincipalFen === 0 && row.interestDueUnpaidFen === 0) row.status = 'SETTLED';
  const repayment = em.create(RepaymentEntity, {
    id: newId(),
    loanId: row.id,
    paidOn: input.paidOn,
    amountFen: input.amountFen,
    source: input.source ?? 'BORROWER',
    interestFen: applied.interestFen,
    principalFen: applied.principalFen,
  });
  const repayments = [...(await repaymentsOf(em, row.id)).filter((r) => r.id !== repayment.id), repayment];
  await recordChanges(em, ctx, [
    {
      aggregateType: 'loan',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: row.status === 'SETTLED' ? 'loan.settled' : 'loan.repaid',
      state: loanToMsg(row, repayments, true),
      effectiveOn: input.paidOn,
    },
  ]);
  return loanMsgFor(ctx.principal, row, repayments);
}

/**
 * The bank records that the overdue of an installment is an operational delay (e.g. a transfer held up);
 * up to the policy's grace days it then does not make the loan 关注.
 */
export async function markOperationalDelay(
  em: EntityManager,
  ctx: CommandContext,
  loanId: string,
  dueDate: string,
): Promise<LoanMsg> {
  if (!isLocalDate(dueDate))
    invalidIfAny([violation('DATE_FORMAT', 'dueDate', `'${dueDate}' is not a YYYY-MM-DD date.`)]);
  const row = await lockLoan(em, loanId);
  assertBankOrCentreWrite(ctx.principal, row.bankCreditCode, row.townshipCode);
  const pos = loanPosition(row.schedule, todayOf(ctx));
  if (pos.overdueSince !== dueDate) {
    refuse([
      violation(
        'NOT_THE_OVERDUE_INSTALLMENT',
        'dueDate',
        pos.overdueSince
          ? `The installment overdue now fell due on ${pos.overdueSince}.`
          : 'Nothing on the loan is overdue.',
      ),
    ]);
  }
  row.operationalDelayDueDate = dueDate;
  const repayments = await repaymentsOf(em, row.id);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'loan',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'loan.operational-delay',
      state: loanToMsg(row, repayments, true),
    },
  ]);
  return loanMsgFor(ctx.principal, row, repayments);
}

export async function getLoan(em: EntityManager, principal: Principal, id: string): Promise<LoanMsg> {
  const row = isUuid(id) ? await em.findOne(LoanEntity, { id }) : null;
  if (!row) throw new NotFoundError('loan', id);
  assertMayRead(
    principal,
    { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode },
    'loan',
    id,
  );
  return loanMsgFor(principal, row, await repaymentsOf(em, row.id));
}

export interface LoanFilter {
  townshipCode?: string;
  bankCreditCode?: string;
  classification?: LoanClassName;
  status?: LoanStatusName;
  mortgageId?: string;
}

export async function listLoans(
  em: EntityManager,
  principal: Principal,
  filter: LoanFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ loans: LoanMsg[]; nextCursor: string | undefined; total: number }> {
  const where = scopedWhere(principal, {
    townshipCode: filter.townshipCode,
    bankCreditCode: filter.bankCreditCode,
    classification: filter.classification,
    status: filter.status,
    mortgageId: filter.mortgageId,
  });
  if (!where) return { loans: [], nextCursor: undefined, total: 0 };
  const { rows: page, nextCursor, total } = await keysetPage(em, LoanEntity, where, 'id', pageSize, after);
  const repayments = groupBy(
    await em.find(RepaymentEntity, { loanId: { $in: page.map((r) => r.id) } }),
    (r) => r.loanId,
  );
  return {
    loans: page.map((r) => loanMsgFor(principal, r, repayments.get(r.id) ?? [])),
    nextCursor,
    total,
  };
}

export async function loansByHousehold(
  em: EntityManager,
  principal: Principal,
  householdIds: string[],
): Promise<Map<string, LoanMsg[]>> {
  const ids = [...new Set(householdIds)].filter(isUuid);
  const result = new Map<string, LoanMsg[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const rows = (await em.find(LoanEntity, { householdId: { $in: ids } }, { orderBy: { id: 'asc' } })).filter(
    (r) => mayRead(principal, { townshipCode: r.townshipCode, bankCreditCode: r.bankCreditCode }),
  );
  const repayments = groupBy(
    await em.find(RepaymentEntity, { loanId: { $in: rows.map((r) => r.id) } }),
    (r) => r.loanId,
  );
  for (const row of rows)
    result.get(row.householdId)?.push(loanMsgFor(principal, row, repayments.get(row.id) ?? []));
  return result;
}
