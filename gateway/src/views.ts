import type {
  AreaLandFigures,
  GetLandFiguresResponse,
  LandFigureCount,
  LandFigureShare,
} from '@pingquan/contracts/pingquan/land_contract/v1/figures';
import type { ContractStatus } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { describeClientError, type Principal, type TrackName } from '@pingquan/kit';
import {
  CITY_CODE,
  compareDates,
  isLocalDate,
  type LocalDate,
  todayInShanghai,
  violation,
} from '@pingquan/reference';
import type DataLoader from 'dataloader';
import { Status } from 'nice-grpc-common';
import type { Downstream } from './downstream.js';
import { badUserInput, fromDownstream } from './errors.js';
import { tracedLoader } from './views-loaders.js';
import {
  createMortgageViewLoaders,
  type MortgageViewLoaders,
  propertyMortgageValues,
} from './views-mortgage.js';
import {
  evaluateTarget,
  PILOT_START,
  TARGETS,
  type TargetEvaluation,
  type TargetSpec,
} from './views-targets.js';

// Composition of the cross-track views. A later service slots in by (1) adding its client to
// `Downstream` under the key named here, (2) adding a value source for its targets to
// TARGET_VALUE_SOURCES, and (3) extending `Household` / `Township` in its own schema part with a
// field resolved through a per-request DataLoader over its batch RPC.

export type ServiceName =
  | 'land-contract'
  | 'homestead'
  | 'collective-equity'
  | 'property-mortgage'
  | 'eco-product'
  | 'infrastructure';

export interface PlatformService {
  name: ServiceName;
  track: TrackName;
  /** Key of its client in `Downstream` once it is part of the platform. */
  downstreamKey: string;
  /** What it holds for a household (一户一档), when it holds anything. */
  householdSection?: string;
}

/** Every service of the plan, whether or not it is deployed yet. */
export const PLATFORM_SERVICES: readonly PlatformService[] = [
  {
    name: 'land-contract',
    track: 'A',
    downstreamKey: 'landContract',
    householdSection: 'contracts, plots and encumbrances',
  },
  { name: 'homestead', track: 'A', downstreamKey: 'homestead', householdSection: 'homestead and house' },
  {
    name: 'collective-equity',
    track: 'A',
    downstreamKey: 'collectiveEquity',
    householdSection: 'shares and dividends',
  },
  {
    name: 'property-mortgage',
    track: 'B',
    downstreamKey: 'propertyMortgage',
    householdSection: 'mortgages and loans',
  },
  { name: 'eco-product', track: 'B', downstreamKey: 'ecoProduct' },
  { name: 'infrastructure', track: 'C', downstreamKey: 'infrastructure' },
];

export function serviceAvailable(downstream: Downstream, name: ServiceName): boolean {
  const service = PLATFORM_SERVICES.find((s) => s.name === name);
  return service !== undefined && service.downstreamKey in downstream;
}

export function trackOfService(name: string): TrackName | undefined {
  return PLATFORM_SERVICES.find((s) => s.name === name)?.track;
}

export interface ServiceCoverage {
  service: ServiceName;
  track: TrackName;
  available: boolean;
  note: string | null;
}

/** Which services a view drew on and which are not part of the platform yet. */
export function coverage(downstream: Downstream, services = PLATFORM_SERVICES): ServiceCoverage[] {
  return services.map((s) => {
    const available = serviceAvailable(downstream, s.name);
    return {
      service: s.name,
      track: s.track,
      available,
      note: available ? null : `${s.name} is not yet part of the platform; its part of this view is empty.`,
    };
  });
}

/** Where a figure comes from and how it was obtained. */
export interface FigureSource {
  service: ServiceName;
  available: boolean;
  method: string;
  /** The date the value describes (null when there is no value). */
  valueAsOf: LocalDate | null;
  note: string | null;
}

// ----------------------------------------------------------------------------------------------
// Dates
// ----------------------------------------------------------------------------------------------

/** The as-of date of a view: today (Asia/Shanghai) by default, never before the pilot or after today. */
export function resolveAsOf(asOf: string | null | undefined, field = 'asOf'): LocalDate {
  const today = todayInShanghai();
  if (asOf === null || asOf === undefined) return today;
  if (!isLocalDate(asOf)) {
    throw badUserInput([violation('DATE_INVALID', field, `${field} must be a calendar date YYYY-MM-DD.`)]);
  }
  if (compareDates(asOf, PILOT_START) < 0) {
    throw badUserInput([
      violation(
        'AS_OF_BEFORE_PILOT',
        field,
        `${field} must be on or after ${PILOT_START}, when the pilot began.`,
      ),
    ]);
  }
  if (compareDates(asOf, today) > 0) {
    throw badUserInput([
      violation(
        'AS_OF_IN_FUTURE',
        field,
        `${field} must not be after today (${today}): figures are of what is recorded.`,
      ),
    ]);
  }
  return asOf;
}

// ----------------------------------------------------------------------------------------------
// Land figures: LandFiguresService when it answers, ListContracts totals otherwise
// ----------------------------------------------------------------------------------------------

export interface CountAndArea {
  count: number;
  /** In 1/10000 mu; null when the source gives counts only. */
  areaMu4: number | null;
}

export interface ShareValue {
  numerator: number;
  denominator: number;
  basisPoints: number | null;
}

/** Land figures of one area (city, township or village); null fields are not known from the source. */
export interface AreaFigures {
  code: string;
  contractsInForce: CountAndArea | null;
  dueForExtension: CountAndArea | null;
  extended: CountAndArea | null;
  households: number | null;
  certifiedHouseholds: number | null;
  certifiedShare: ShareValue | null;
  circulatedAreaMu4: number | null;
  circulatedShare: ShareValue | null;
  surrendered: CountAndArea | null;
  reclaimed: CountAndArea | null;
  abandonedAreaMu4: number | null;
}

export interface LandFiguresView {
  asOf: LocalDate;
  source: FigureSource;
  unavailable: string[];
  areas: ReadonlyMap<string, AreaFigures>;
}

const count = (c: LandFigureCount | undefined): CountAndArea | null =>
  c ? { count: c.count, areaMu4: c.areaMu4 } : null;
const share = (s: LandFigureShare | undefined): ShareValue | null =>
  s ? { numerator: s.numerator, denominator: s.denominator, basisPoints: s.basisPoints ?? null } : null;

function fromFigures(a: AreaLandFigures): AreaFigures {
  return {
    code: a.code,
    contractsInForce: count(a.contractsInForce),
    dueForExtension: count(a.dueForExtension),
    extended: count(a.extended),
    households: a.households,
    certifiedHouseholds: a.certifiedHouseholds,
    certifiedShare: share(a.certifiedShare),
    circulatedAreaMu4: a.circulatedAreaMu4,
    circulatedShare: share(a.circulatedShare),
    surrendered: count(a.surrendered),
    reclaimed: count(a.reclaimed),
    abandonedAreaMu4: a.abandonedAreaMu4,
  };
}

function viewOfResponse(response: GetLandFiguresResponse): LandFiguresView {
  const areas = new Map<string, AreaFigures>();
  for (const a of [...(response.city ? [response.city] : []), ...response.townships, ...response.villages]) {
    areas.set(a.code, fromFigures(a));
  }
  return {
    asOf: response.asOfDate,
    source: {
      service: 'land-contract',
      available: true,
      method: 'LandFiguresService.GetLandFigures',
      valueAsOf: response.asOfDate,
      note: null,
    },
    unavailable: response.unavailable,
    areas,
  };
}

/** Contract statuses counted for the fallback, as ListContracts filters them. */
export const COUNTED_STATUSES = [
  'ACTIVE',
  'EXTENDED',
  'TRANSFERRED',
  'SURRENDERED',
  'RECLAIMED',
  'TERMINATED',
] as const;
export type CountedStatus = (typeof COUNTED_STATUSES)[number];

const FALLBACK_UNAVAILABLE = [
  'areas, dueForExtension, households, certification, circulation and abandonment: LandFiguresService did not answer; counts come from ListContracts totals.',
];

export interface ViewLoaders {
  /** Key `asOf|townshipCode` ('' for the city). */
  landFigures: DataLoader<string, LandFiguresView>;
  /** Key `townshipCode|status` ('' for the city): contracts in scope with that status. */
  contractTotal: DataLoader<string, number>;
  /** property-mortgage's reads for track B's targets and the township view. */
  mortgage: MortgageViewLoaders;
}

export function createViewLoaders(
  principal: Principal,
  downstream: Downstream,
  deadlineMs: number,
): ViewLoaders {
  const opts = { principal, deadline: deadlineMs };
  const contractTotal = tracedLoader<string, number>('contractTotal', (keys) =>
    Promise.all(
      keys.map(async (key) => {
        const [townshipCode = '', status = ''] = key.split('|');
        try {
          const result = await downstream.landContract.listContracts(
            {
              page: { pageSize: 1, pageToken: '' },
              townshipCode,
              villageCode: '',
              issuerCode: '',
              status: `CONTRACT_STATUS_${status}` as ContractStatus,
            },
            opts,
          );
          return result.pageInfo?.totalCount ?? 0;
        } catch (error) {
          return toError(fromDownstream(error));
        }
      }),
    ),
  );

  const fallback = async (
    asOf: LocalDate,
    townshipCode: string,
    reason: string,
  ): Promise<LandFiguresView> => {
    const today = todayInShanghai();
    const code = townshipCode || CITY_CODE;
    if (asOf !== today) {
      // ListContracts knows the register as it is now; a past date needs the figures service.
      return {
        asOf,
        source: {
          service: 'land-contract',
          available: true,
          method: 'none',
          valueAsOf: null,
          note: `${reason} ListContracts totals describe today only, so nothing is shown for ${asOf}.`,
        },
        unavailable: ['all figures for a past date: LandFiguresService did not answer.'],
        areas: new Map(),
      };
    }
    const totals = await contractTotal.loadMany(COUNTED_STATUSES.map((s) => `${townshipCode}|${s}`));
    const failed = totals.find((t): t is Error => t instanceof Error);
    if (failed) throw failed;
    const by = Object.fromEntries(COUNTED_STATUSES.map((s, i) => [s, totals[i] as number])) as Record<
      CountedStatus,
      number
    >;
    const counted = (n: number): CountAndArea => ({ count: n, areaMu4: null });
    const area: AreaFigures = {
      code,
      contractsInForce: counted(by.ACTIVE + by.EXTENDED),
      dueForExtension: null,
      extended: counted(by.EXTENDED),
      households: null,
      certifiedHouseholds: null,
      certifiedShare: null,
      circulatedAreaMu4: null,
      circulatedShare: null,
      surrendered: counted(by.SURRENDERED),
      reclaimed: counted(by.RECLAIMED),
      abandonedAreaMu4: null,
    };
    return {
      asOf,
      source: {
        service: 'land-contract',
        available: true,
        method: 'ListContracts totals by status',
        valueAsOf: today,
        note: reason,
      },
      unavailable: FALLBACK_UNAVAILABLE,
      areas: new Map([[code, area]]),
    };
  };

  const landFigures = tracedLoader<string, LandFiguresView>('landFigures', (keys) =>
    Promise.all(
      keys.map(async (key) => {
        const [asOf = '', townshipCode = ''] = key.split('|');
        try {
          try {
            return viewOfResponse(
              await downstream.landFigures.getLandFigures({ asOfDate: asOf, townshipCode }, opts),
            );
          } catch (error) {
            // An older land-contract without the figures RPC: fall back rather than fail the view.
            if (describeClientError(error)?.code !== Status.UNIMPLEMENTED) throw error;
            return await fallback(
              asOf,
              townshipCode,
              'LandFiguresService is not implemented by land-contract.',
            );
          }
        } catch (error) {
          return toError(fromDownstream(error));
        }
      }),
    ),
  );
  return {
    landFigures,
    contractTotal,
    mortgage: createMortgageViewLoaders(principal, downstream, deadlineMs),
  };
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

// ----------------------------------------------------------------------------------------------
// Targets: current values and status
// ----------------------------------------------------------------------------------------------

export interface TargetValue {
  value: number | null;
  source: FigureSource;
}

export interface EvaluatedTarget extends TargetEvaluation {
  spec: TargetSpec;
  currentValue: number | null;
  source: FigureSource;
}

export interface TargetValueContext {
  downstream: Downstream;
  views: ViewLoaders;
}

/** Current value of a target from its service; services not yet built add theirs here. */
export type TargetValueSource = (
  spec: TargetSpec,
  asOf: LocalDate,
  ctx: TargetValueContext,
) => Promise<TargetValue>;

const percentOf = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.round((numerator * 10_000) / denominator) / 100;

const landContractValues: TargetValueSource = async (spec, asOf, ctx) => {
  const figures = await ctx.views.landFigures.load(`${asOf}|`);
  const city = figures.areas.get(CITY_CODE);
  let value: number | null = null;
  let method = figures.source.method;
  if (spec.measure.figure === 'extendedShare') {
    if (city?.extended && city.dueForExtension) {
      value = percentOf(city.extended.count, city.extended.count + city.dueForExtension.count);
      method = `${method}: extended ÷ (due for extension + extended)`;
    } else if (city?.extended && city.contractsInForce) {
      value = percentOf(city.extended.count, city.contractsInForce.count);
      method = `${method}: EXTENDED ÷ (ACTIVE + EXTENDED) contracts — counts every active contract as due, so it understates progress`;
    }
  } else if (spec.measure.figure === 'certifiedShare') {
    const s = city?.certifiedShare;
    if (s?.basisPoints !== null && s?.basisPoints !== undefined) {
      value = s.basisPoints / 100;
      method = `${method}: certified households ÷ households`;
    }
  }
  return {
    value,
    source: {
      ...figures.source,
      method,
      valueAsOf: value === null ? null : figures.source.valueAsOf,
      note:
        value === null
          ? (figures.source.note ?? `land-contract does not give ${spec.measure.figure} for ${asOf}.`)
          : figures.source.note,
    },
  };
};

export const TARGET_VALUE_SOURCES: Partial<Record<ServiceName, TargetValueSource>> = {
  'land-contract': landContractValues,
  'property-mortgage': propertyMortgageValues,
};

export async function evaluateTargets(
  tracks: readonly TrackName[],
  asOf: LocalDate,
  ctx: TargetValueContext,
): Promise<EvaluatedTarget[]> {
  const specs = TARGETS.filter((t) => tracks.includes(t.track));
  return Promise.all(
    specs.map(async (spec) => {
      const service = spec.measure.service;
      const source = TARGET_VALUE_SOURCES[service];
      const available = serviceAvailable(ctx.downstream, service);
      let value: TargetValue;
      if (source && available) {
        value = await source(spec, asOf, ctx);
      } else {
        value = {
          value: null,
          source: {
            service,
            available,
            method: 'none',
            valueAsOf: null,
            note: available
              ? `${service} does not report this figure to the gateway yet; no value is shown rather than an estimate.`
              : `${service} is not yet part of the platform; no value is shown rather than an estimate.`,
          },
        };
      }
      return {
        spec,
        currentValue: value.value,
        source: value.source,
        ...evaluateTarget(spec, value.value, asOf),
      };
    }),
  );
}
