import { compareDates, type Fen, type LocalDate, ratioBp } from '@pingquan/reference';
import { isNonPerforming } from './classification.js';
import type { LoanClassName } from './model.js';

/** One loan as of the report's last day. */
export interface LoanFact {
  bank: string;
  township: string;
  rightType: string;
  disbursedOn: LocalDate;
  principalFen: Fen;
  /** Principal outstanding at the end of the period (repayments dated on or before it). */
  outstandingFen: Fen;
  /** Category in force at the end of the period. */
  classification: LoanClassName;
  /** Written off after disposal before the end: no longer part of the balance. */
  closedBeforeEnd: boolean;
}
export interface MortgageFact {
  bank: string;
  township: string;
  rightType: string;
  registeredOn: LocalDate;
  securedFen: Fen;
}
export interface DisposalFact {
  bank: string;
  township: string;
  rightType: string;
  completedOn: LocalDate;
  priceFen: Fen;
  appliedFen: Fen;
  claimFen: Fen;
}
export interface ClaimFact {
  bank: string;
  township: string;
  rightType: string;
  paidOn: LocalDate;
  payoutFen: Fen;
}
export interface DealFact {
  township: string;
  rightType: string;
  certifiedOn: LocalDate;
  priceFen: Fen;
}

export interface Figures {
  loansDisbursed: number;
  disbursedFen: Fen;
  loansOutstanding: number;
  balanceFen: Fen;
  nplBalanceFen: Fen;
  nplRatioBp: number;
  mortgagesRegistered: number;
  securedFen: Fen;
  disposalsCompleted: number;
  disposalProceedsFen: Fen;
  recoveredFen: Fen;
  recoveryRateBp: number;
  fundClaimsPaid: number;
  fundPayoutsFen: Fen;
  certifiedTransactions: number;
  certifiedAmountFen: Fen;
}

export interface ReportFacts {
  start: LocalDate;
  end: LocalDate;
  loans: LoanFact[];
  mortgages: MortgageFact[];
  disposals: DisposalFact[];
  claims: ClaimFact[];
  deals: DealFact[];
}

export interface ReportResult {
  totals: Figures;
  byTownship: Map<string, Figures>;
  byBank: Map<string, Figures>;
  byRightType: Map<string, Figures>;
}

const within = (date: LocalDate, start: LocalDate, end: LocalDate) =>
  compareDates(date, start) >= 0 && compareDates(date, end) <= 0;

function figures(f: Omit<ReportFacts, 'start' | 'end'>, start: LocalDate, end: LocalDate): Figures {
  const disbursed = f.loans.filter((l) => within(l.disbursedOn, start, end));
  const standing = f.loans.filter(
    (l) => compareDates(l.disbursedOn, end) <= 0 && !l.closedBeforeEnd && l.outstandingFen > 0,
  );
  const balance = standing.reduce((s, l) => s + l.outstandingFen, 0);
  const npl = standing
    .filter((l) => isNonPerforming(l.classification))
    .reduce((s, l) => s + l.outstandingFen, 0);
  const registered = f.mortgages.filter((m) => within(m.registeredOn, start, end));
  const disposals = f.disposals.filter((d) => within(d.completedOn, start, end));
  const recovered = disposals.reduce((s, d) => s + d.appliedFen, 0);
  const claimed = disposals.reduce((s, d) => s + d.claimFen, 0);
  const claims = f.claims.filter((c) => within(c.paidOn, start, end));
  const deals = f.deals.filter((d) => within(d.certifiedOn, start, end));
  return {
    loansDisbursed: disbursed.length,
    disbursedFen: disbursed.reduce((s, l) => s + l.principalFen, 0),
    loansOutstanding: standing.length,
    balanceFen: balance,
    nplBalanceFen: npl,
    nplRatioBp: ratioBp(npl, balance),
    mortgagesRegistered: registered.length,
    securedFen: registered.reduce((s, m) => s + m.securedFen, 0),
    disposalsCompleted: disposals.length,
    disposalProceedsFen: disposals.reduce((s, d) => s + d.priceFen, 0),
    recoveredFen: recovered,
    recoveryRateBp: ratioBp(recovered, claimed),
    fundClaimsPaid: claims.length,
    fundPayoutsFen: claims.reduce((s, c) => s + c.payoutFen, 0),
    certifiedTransactions: deals.length,
    certifiedAmountFen: deals.reduce((s, d) => s + d.priceFen, 0),
  };
}

function by(
  facts: ReportFacts,
  key: (x: { township: string; rightType: string; bank?: string }) => string | undefined,
) {
  const keys = new Set<string>();
  const all = [...facts.loans, ...facts.mortgages, ...facts.disposals, ...facts.claims, ...facts.deals];
  for (const x of all) {
    const k = key(x);
    if (k) keys.add(k);
  }
  const out = new Map<string, Figures>();
  for (const k of [...keys].sort()) {
    const pick = <T extends { township: string; rightType: string; bank?: string }>(xs: T[]) =>
      xs.filter((x) => key(x) === k);
    out.set(
      k,
      figures(
        {
          loans: pick(facts.loans),
          mortgages: pick(facts.mortgages),
          disposals: pick(facts.disposals),
          claims: pick(facts.claims),
          deals: pick(facts.deals),
        },
        facts.start,
        facts.end,
      ),
    );
  }
  return out;
}

/**
 * The track's weekly report and monthly dispatch: flows (disbursed, registered, disposed, paid,
 * certified) within the period, stocks (balance, NPL) at its last day; the same figures by township, by
 * bank and by right type (certified deals have no bank, so they count in the totals and by township and
 * right type only).
 */
export function buildReport(facts: ReportFacts): ReportResult {
  return {
    totals: figures(facts, facts.start, facts.end),
    byTownship: by(facts, (x) => x.township),
    byBank: by(facts, (x) => x.bank),
    byRightType: by(facts, (x) => x.rightType),
  };
}
