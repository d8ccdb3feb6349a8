import type { Report, ReportFigures } from '@pingquan/contracts/pingquan/property_mortgage/v1/report';
import { type EntityManager, groupBy, PermissionDeniedError, type Principal } from '@pingquan/kit';
import { addDays, compareDates, daysInMonth, type LocalDate } from '@pingquan/reference';
import type { LoanClassName } from '../domain/model.js';
import { buildReport, type Figures } from '../domain/report.js';
import {
  DealEntity,
  DisposalEntity,
  FundClaimEntity,
  FundEntity,
  LoanClassificationEntity,
  LoanEntity,
  MortgageEntity,
  RepaymentEntity,
} from '../persistence/entities.js';
import { listScope } from './access.js';

export function weekPeriod(weekEnding: LocalDate): { start: LocalDate; end: LocalDate } {
  return { start: addDays(weekEnding, -6), end: weekEnding };
}

export function monthPeriod(month: string): { start: LocalDate; end: LocalDate } {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return { start: `${month}-01`, end: `${month}-${String(daysInMonth(year, m)).padStart(2, '0')}` };
}

const toMsg = (f: Figures): ReportFigures => ({ ...f });

/**
 * Builds a report for the caller's scope: a bank reports on its own business, a township official on
 * their townships, the centre and the leading group on the whole city. Certified deals are public.
 */
export async function buildScopedReport(
  em: EntityManager,
  principal: Principal,
  kind: 'WEEKLY' | 'MONTHLY',
  period: { start: LocalDate; end: LocalDate },
): Promise<Report> {
  const scope = listScope(principal, true);
  if (scope.nothing) throw new PermissionDeniedError();
  const where: Record<string, unknown> = {};
  if (scope.bank) where['bankCreditCode'] = scope.bank;
  if (scope.townships) where['townshipCode'] = { $in: scope.townships };
  const { start, end } = period;
  const loans = await em.find(LoanEntity, { ...where, disbursedOn: { $lte: end } });
  const loanIds = loans.map((l) => l.id);
  const repayments = groupBy(
    await em.find(RepaymentEntity, { loanId: { $in: loanIds }, paidOn: { $lte: end } }),
    (r) => r.loanId,
  );
  const history = groupBy(
    await em.find(
      LoanClassificationEntity,
      { loanId: { $in: loanIds }, asOf: { $lte: end } },
      { orderBy: { asOf: 'asc' } },
    ),
    (h) => h.loanId,
  );
  const disposals = await em.find(DisposalEntity, {
    ...where,
    status: 'COMPLETED',
    completedOn: { $lte: end },
  });
  const closedBy = new Map(disposals.map((d) => [d.loanId, d.completedOn ?? '']));
  const mortgages = await em.find(MortgageEntity, { ...where, registeredOn: { $gte: start, $lte: end } });
  const claims = await em.find(FundClaimEntity, { ...where, paidOn: { $gte: start, $lte: end } });
  const dealWhere: Record<string, unknown> = { status: 'CERTIFIED', certifiedOn: { $gte: start, $lte: end } };
  if (scope.townships) dealWhere['townshipCode'] = { $in: scope.townships };
  const deals = scope.bank ? [] : await em.find(DealEntity, dealWhere);
  const result = buildReport({
    start,
    end,
    loans: loans.map((l) => {
      const repaid = (repayments.get(l.id) ?? []).reduce((s, r) => s + r.principalFen, 0);
      const classes = history.get(l.id) ?? [];
      const closed = closedBy.get(l.id);
      return {
        bank: l.bankCreditCode,
        township: l.townshipCode,
        rightType: l.rightType,
        disbursedOn: l.disbursedOn,
        principalFen: l.principalFen,
        outstandingFen: l.principalFen - repaid,
        classification: (classes[classes.length - 1]?.classification ?? 'NORMAL') as LoanClassName,
        closedBeforeEnd:
          l.status === 'CLOSED_WITH_LOSS' && closed !== undefined && compareDates(closed, end) <= 0,
      };
    }),
    mortgages: mortgages.map((m) => ({
      bank: m.bankCreditCode,
      township: m.townshipCode,
      rightType: m.rightType,
      registeredOn: m.registeredOn ?? '',
      securedFen: m.securedAmountFen,
    })),
    disposals: disposals.map((d) => ({
      bank: d.bankCreditCode,
      township: d.townshipCode,
      rightType: d.rightType,
      completedOn: d.completedOn ?? '',
      priceFen: d.priceFen,
      appliedFen: d.appliedInterestFen + d.appliedPrincipalFen,
      claimFen: d.principalAtDisposalFen + d.interestAtDisposalFen,
    })),
    claims: claims.map((c) => ({
      bank: c.bankCreditCode,
      township: c.townshipCode,
      rightType: c.rightType,
      paidOn: c.paidOn,
      payoutFen: c.fundPayoutFen,
    })),
    deals: deals.map((d) => ({
      township: d.townshipCode,
      rightType: d.rightType,
      certifiedOn: d.certifiedOn ?? '',
      priceFen: d.priceFen,
    })),
  });
  const fund = await em.findOneOrFail(FundEntity, { id: 1 });
  const rows = (m: Map<string, Figures>) => [...m].map(([key, f]) => ({ key, figures: toMsg(f) }));
  return {
    kind,
    periodStartDate: start,
    periodEndDate: end,
    totals: toMsg(result.totals),
    byTownship: rows(result.byTownship),
    byBank: rows(result.byBank),
    byRightType: rows(result.byRightType),
    fundBalanceFen: fund.balanceFen,
  };
}
