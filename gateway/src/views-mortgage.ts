import type { FundStatement } from '@pingquan/contracts/pingquan/property_mortgage/v1/fund';
import type { LoanProduct } from '@pingquan/contracts/pingquan/property_mortgage/v1/mortgage';
import type { Report } from '@pingquan/contracts/pingquan/property_mortgage/v1/report';
import type { BenchmarkPrice } from '@pingquan/contracts/pingquan/property_mortgage/v1/valuation';
import { describeClientError, type Principal } from '@pingquan/kit';
import { compareDates, type LocalDate } from '@pingquan/reference';
import type DataLoader from 'dataloader';
import { Status } from 'nice-grpc-common';
import type { Downstream } from './downstream.js';
import { fromDownstream } from './errors.js';
import type { FigureSource, TargetValue, TargetValueSource } from './views.js';
import { tracedLoader } from './views-loaders.js';
import type { TargetSpec } from './views-targets.js';

// Track B's figures for the cross-track views, from property-mortgage (the exchange centre) only:
// its products, benchmark prices, mortgages, fund ledger and weekly report. The plan's track B targets
// are mostly milestones (done = 1, not done = 0); a milestone counts as done on a date when the
// centre's records show the thing existed on that date — each record carries its own date (published,
// registered, entered), so past dates are answered from the same records. Where the centre holds no
// record that measures a target, the value stays null (NO_DATA) and the note says why.

/** Per-request loaders over property-mortgage's reads; each is called at most once per key. */
export interface MortgageViewLoaders {
  /** Key '': every loan product of the cooperating banks. */
  loanProducts: DataLoader<string, LoanProduct[]>;
  /** Key '': every version of every benchmark price (a later version must not hide an earlier one). */
  benchmarkPrices: DataLoader<string, BenchmarkPrice[]>;
  /** Key '': the fund's statement with its ledger. */
  fundStatement: DataLoader<string, FundStatement | null>;
  /** Key: a date. Whether a mortgage had been registered by then (null: not known within the scan). */
  registeredBy: DataLoader<string, RegistrationScan>;
  /** Key: the last day of the week. The weekly report (周汇报) as the caller may see it. */
  weeklyReport: DataLoader<string, Report | null>;
}

export interface RegistrationScan {
  /** True: one was found; false: none, every registered mortgage seen; null: the scan stopped first. */
  registered: boolean | null;
  /** Registered mortgages (registered, filed or released) the centre holds today. */
  total: number;
}

/** Statuses of a mortgage that has been registered at some point. */
const EVER_REGISTERED = [
  'MORTGAGE_STATUS_REGISTERED',
  'MORTGAGE_STATUS_FILED',
  'MORTGAGE_STATUS_RELEASED',
] as const;
/** Pages of 100 scanned per status before giving up rather than reading a whole register. */
const SCAN_PAGES = 10;
/** The ledger entries read; a longer ledger is read from its latest entry back only this far. */
const LEDGER_ENTRIES = 500;

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export function createMortgageViewLoaders(
  principal: Principal,
  downstream: Downstream,
  deadlineMs: number,
): MortgageViewLoaders {
  const opts = { principal, deadline: deadlineMs };
  const pm = downstream.propertyMortgage;
  const each = <V>(name: string, load: (key: string) => Promise<V>) =>
    tracedLoader<string, V>(name, (keys) =>
      Promise.all(keys.map((key) => load(key).catch((error: unknown) => toError(fromDownstream(error))))),
    );
  return {
    loanProducts: each('mortgageLoanProducts', async () => (await pm.listLoanProducts({}, opts)).products),
    benchmarkPrices: each(
      'mortgageBenchmarkPrices',
      async () => (await pm.listBenchmarkPrices({ allVersions: true }, opts)).prices,
    ),
    fundStatement: each(
      'mortgageFundStatement',
      async () => (await pm.getFundStatement({ entries: LEDGER_ENTRIES }, opts)).statement ?? null,
    ),
    registeredBy: each('mortgageRegisteredBy', async (asOf) => {
      const by = (m: { registeredOn: string }) =>
        Boolean(m.registeredOn) && compareDates(m.registeredOn, asOf) <= 0;
      // The first page of each status gives the totals and, almost always, the answer.
      const first = await Promise.all(
        EVER_REGISTERED.map((status) =>
          pm.listMortgages({ page: { pageSize: 100, pageToken: '' }, status }, opts),
        ),
      );
      const total = first.reduce((n, r) => n + (r.pageInfo?.totalCount ?? 0), 0);
      if (first.some((r) => r.mortgages.some(by))) return { registered: true, total };
      let complete = true;
      for (const [i, status] of EVER_REGISTERED.entries()) {
        let pageToken = first[i]?.pageInfo?.nextPageToken ?? '';
        for (let page = 1; pageToken; page += 1) {
          if (page === SCAN_PAGES) {
            complete = false;
            break;
          }
          const r = await pm.listMortgages({ page: { pageSize: 100, pageToken }, status }, opts);
          if (r.mortgages.some(by)) return { registered: true, total };
          pageToken = r.pageInfo?.nextPageToken ?? '';
        }
      }
      return { registered: complete ? false : null, total };
    }),
    weeklyReport: each(
      'mortgageWeeklyReport',
      async (weekEnding) => (await pm.getWeeklyReport({ weekEndingDate: weekEnding }, opts)).report ?? null,
    ),
  };
}

const SERVICE = 'property-mortgage' as const;

function source(method: string, asOf: LocalDate | null, note: string | null): FigureSource {
  return { service: SERVICE, available: true, method, valueAsOf: asOf, note };
}

const done = (yes: boolean) => (yes ? 1 : 0);

/** Figures the centre does not hold, with why: shown as NO_DATA rather than estimated. */
const NOT_HELD: Readonly<Record<string, string>> = {
  disposalRulesInForce:
    'property-mortgage carries out disposals (处置) but holds no record of the disposal measures being adopted; completed disposals are in the monthly dispatch. No value is shown rather than a guess.',
  certifiedCollectiveTransactionShare:
    'property-mortgage knows only the collective asset transactions certified through it, not those that bypassed the centre, so it cannot give their share; the whole comes from collective-equity, which is not yet part of the platform.',
};

async function milestone(
  spec: TargetSpec,
  asOf: LocalDate,
  loaders: MortgageViewLoaders,
): Promise<TargetValue> {
  switch (spec.measure.figure) {
    case 'cooperatingBanksWithProducts': {
      const products = (await loaders.loanProducts.load('')).filter(
        (p) => compareDates(p.publishedOn, asOf) <= 0,
      );
      const banks = new Set(products.map((p) => p.bankCreditCode)).size;
      return {
        value: done(banks > 0),
        source: source(
          'PropertyMortgageService.ListLoanProducts: done when a cooperating bank has published a loan product on or before the date',
          asOf,
          `${banks} cooperating banks with ${products.length} loan products published by ${asOf}.`,
        ),
      };
    }
    case 'benchmarkPricesPublished': {
      const prices = (await loaders.benchmarkPrices.load('')).filter(
        (p) => compareDates(p.publishedOn, asOf) <= 0,
      );
      const townships = new Set(prices.map((p) => p.townshipCode)).size;
      return {
        value: done(prices.length > 0),
        source: source(
          'PropertyMortgageService.ListBenchmarkPrices (every version): done when a benchmark price was published on or before the date',
          asOf,
          `${prices.length} benchmark prices covering ${townships} of 19 townships published by ${asOf}.`,
        ),
      };
    }
    case 'registrationInOperation': {
      const scan = await loaders.registeredBy.load(asOf);
      const method =
        'PropertyMortgageService.ListMortgages (registered, filed, released): done when a mortgage was registered on or before the date';
      if (scan.registered === null) {
        return {
          value: null,
          source: source(
            method,
            null,
            `No registration on or before ${asOf} among the first ${SCAN_PAGES * 100} mortgages of each status; the rest were not read, so no value is shown.`,
          ),
        };
      }
      return {
        value: done(scan.registered),
        source: source(
          method,
          asOf,
          `${scan.total} mortgages registered at the centre as of today (registered, filed or released).`,
        ),
      };
    }
    case 'riskFundEstablished': {
      const statement = await loaders.fundStatement.load('');
      const method =
        'PropertyMortgageService.GetFundStatement: done when money was paid into the risk compensation fund on or before the date';
      const entries = statement?.entries ?? [];
      const contributed = entries.some(
        (e) => e.kind === 'FUND_ENTRY_KIND_CONTRIBUTION' && compareDates(e.entryDate, asOf) <= 0,
      );
      // The ledger comes latest first up to LEDGER_ENTRIES: a miss in a longer ledger proves nothing.
      if (!contributed && entries.length >= LEDGER_ENTRIES) {
        return {
          value: null,
          source: source(
            method,
            null,
            `No contribution on or before ${asOf} among the latest ${LEDGER_ENTRIES} ledger entries; older ones were not read, so no value is shown.`,
          ),
        };
      }
      return {
        value: done(contributed),
        source: source(
          method,
          asOf,
          `Fund balance today ${((statement?.balanceFen ?? 0) / 100).toFixed(2)} 元 from ${((statement?.contributionsFen ?? 0) / 100).toFixed(2)} 元 contributed.`,
        ),
      };
    }
    default:
      return {
        value: null,
        source: source(
          'none',
          null,
          NOT_HELD[spec.measure.figure] ??
            `property-mortgage does not report ${spec.measure.figure}; no value is shown rather than an estimate.`,
        ),
      };
  }
}

/**
 * Current values of the targets measured by property-mortgage. An outage of the centre empties its
 * targets (NO_DATA, with the reason) instead of failing the leading group's whole overview.
 */
export const propertyMortgageValues: TargetValueSource = async (spec, asOf, ctx) => {
  try {
    return await milestone(spec, asOf, ctx.views.mortgage);
  } catch (error) {
    const code =
      describeClientError(error)?.code ?? (error as { extensions?: { code?: string } }).extensions?.code;
    if (code !== Status.UNAVAILABLE && code !== Status.DEADLINE_EXCEEDED && code !== 'SERVICE_UNAVAILABLE')
      throw error;
    return {
      value: null,
      source: source('none', null, 'property-mortgage did not answer in time; no value is shown.'),
    };
  }
};
