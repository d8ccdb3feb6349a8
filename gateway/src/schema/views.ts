import type { Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { TrackName } from '@pingquan/kit';
import { type LocalDate, listVillages, validateTownshipCode, violation } from '@pingquan/reference';
import type { GraphQLResolveInfo } from 'graphql';
import { badUserInput, forbidden } from '../errors.js';
import { selectsAny } from '../selection.js';
import {
  type AreaFigures,
  COUNTED_STATUSES,
  type CountAndArea,
  coverage,
  type EvaluatedTarget,
  evaluateTargets,
  type LandFiguresView,
  PLATFORM_SERVICES,
  resolveAsOf,
  type ShareValue,
} from '../views.js';
import { canReadTrack, canViewTownship, householdReach, overviewTracks } from '../views-access.js';
import type { RequestContext } from '../views-context.js';
import { PHASES, phaseOn, STATUS_RULE, type TargetStatus, TRACK_INFO } from '../views-targets.js';
import { divisionOf } from './base.js';
import { landContractResolvers } from './land-contract.js';

/** Household fields land-contract's record answers in the same call as the household itself. */
const RECORD_FIELDS: ReadonlySet<string> = new Set(['contracts', 'encumbrances', 'certificationCase']);
/** Household fields property-mortgage answers. */
const FINANCE_FIELDS: ReadonlySet<string> = new Set(['mortgages', 'loans']);

export const viewsTypeDefs = /* GraphQL */ `
  """
  Phase of the pilot (实施步骤) on a date, per track.
  """
  enum PilotPhase {
    "前期准备 — preparation (to June 2023)."
    PREPARATION
    "先期试点 — early pilot in selected villages."
    EARLY_PILOT
    "全面推行 — city-wide roll-out."
    CITY_WIDE_ROLLOUT
    "总结提炼 — summary and acceptance (July to December 2025)."
    SUMMARY
    "The pilot period has ended (after December 2025)."
    CONCLUDED
  }

  """
  Where a target stands on the as-of date (rule in \`PilotOverview.statusRule\`).
  """
  enum TargetStatus {
    "Progress keeps pace with the phases."
    ON_TRACK
    "Progress lags what the phases expect by more than ten percentage points."
    AT_RISK
    "The due date has passed and the target is not reached."
    OVERDUE
    "The target is reached."
    ACHIEVED
    "The owning service gives no value (not yet part of the platform, or no figure for the date)."
    NO_DATA
  }

  """
  Whether a target is a number to reach or a thing to get done.
  """
  enum TargetKind {
    "A number to reach, e.g. 400 km of rural roads."
    INDICATOR
    "Done (1) or not (0), e.g. a risk compensation fund established."
    MILESTONE
  }

  """
  The leading group's overview (领导小组): every target of the pilot per track with baseline, current
  value, target, due date and status, as of a date.
  """
  type PilotOverview {
    "The date the overview describes."
    asOf: Date!
    "How statuses are computed, in words, so that a reader can check one by hand."
    statusRule: String!
    "One entry per track your role may see (the leading group and auditors see all three)."
    tracks: [TrackOverview!]!
  }

  """
  One reform track in the overview.
  """
  type TrackOverview {
    "The track."
    track: Track!
    "The track's name in English."
    name: String!
    "The track's name as the plan writes it."
    nameZh: String!
    "Lead units (牵头单位)."
    leadUnits: [String!]!
    "Phase of the track on the as-of date."
    phase: PilotPhase!
    "The track's phases with their dates."
    phases: [PhasePeriod!]!
    "Services of the track and whether each is part of the platform yet."
    services: [ServiceCoverage!]!
    "The track's targets, in plan order."
    targets: [PilotTarget!]!
    "How many targets have each status."
    statusCounts: TargetStatusCounts!
  }

  """
  A phase of a track with its first and last day.
  """
  type PhasePeriod {
    "The phase."
    phase: PilotPhase!
    "First day of the phase."
    start: Date!
    "Last day of the phase."
    end: Date!
  }

  """
  Number of targets per status.
  """
  type TargetStatusCounts {
    "Targets ON_TRACK."
    onTrack: Int!
    "Targets AT_RISK."
    atRisk: Int!
    "Targets OVERDUE."
    overdue: Int!
    "Targets ACHIEVED."
    achieved: Int!
    "Targets with NO_DATA."
    noData: Int!
  }

  """
  A target of the pilot plan: baseline and target as the plan states them, current value from the
  owning service (never estimated), status on the as-of date.
  """
  type PilotTarget {
    "Stable identifier, e.g. C-RURAL-ROADS."
    id: ID!
    "The track the target belongs to."
    track: Track!
    "What is measured, in English."
    title: String!
    "The plan's wording."
    titleZh: String!
    "Number to reach or thing to get done."
    kind: TargetKind!
    "Unit of baseline, current value and target: %, km, km/km², villages, townships, stations, done."
    unit: String!
    "Value when the pilot began, where the plan states one."
    baseline: Float
    "Date of the baseline."
    baselineDate: Date
    "Value on the as-of date from the owning service; null when it gives none (see source)."
    currentValue: Float
    "Value to reach."
    target: Float!
    "When work on the target starts (the phase that begins it)."
    startDate: Date!
    "Deadline (完成时限) from the plan."
    dueDate: Date!
    "Status on the as-of date."
    status: TargetStatus!
    "Share of the way from baseline to target (1 = reached); null without a current value."
    progress: Float
    "Share of the way the phases expect by the as-of date."
    expectedProgress: Float!
    "Days past the due date, when overdue."
    daysOverdue: Int
    "Days left until the due date, when not yet due."
    daysRemaining: Int
    "Responsible units (责任单位) as the plan lists them."
    responsibleUnits: [String!]!
    "Where in the plan the target is written."
    planReference: String!
    "Where the current value comes from."
    source: FigureSource!
  }

  """
  Provenance of a figure: the owning service and how the value was obtained.
  """
  type FigureSource {
    "Owning service, e.g. land-contract, infrastructure."
    service: String!
    "Whether the service is part of the platform yet."
    available: Boolean!
    "How the value was obtained, e.g. LandFiguresService.GetLandFigures; none when there is no value."
    method: String!
    "The date the value describes; null when there is no value."
    valueAsOf: Date
    "Why a value is missing or what limits it."
    note: String
  }

  """
  Whether a service contributes to a view yet. Views list every service of the plan, so a front end
  can show what is still to come instead of an empty section.
  """
  type ServiceCoverage {
    "Service name, e.g. homestead."
    service: String!
    "Track of the service."
    track: Track!
    "True once the service is part of the platform."
    available: Boolean!
    "Why the service's part is empty, when it is."
    note: String
  }

  """
  An item of the supervision list (定期督办、限时交账): a target that is overdue or at risk, with the
  units responsible for it.
  """
  type SupervisionItem {
    "Target id and as-of date, e.g. C-RURAL-ROADS@2026-11-26."
    id: ID!
    "The target."
    target: PilotTarget!
    "Its status."
    status: TargetStatus!
    "Its track."
    track: Track!
    "Its deadline."
    dueDate: Date!
    "Days past the deadline, when overdue."
    daysOverdue: Int
    "Days left, when not yet due."
    daysRemaining: Int
    "Units to supervise."
    responsibleUnits: [String!]!
    "One sentence for the supervision notice."
    summary: String!
  }

  """
  A page of supervision items: overdue first (longest overdue first), then at risk by due date.
  """
  type SupervisionItemConnection {
    "Items with their cursors."
    edges: [SupervisionItemEdge!]!
    "The items of this page."
    nodes: [SupervisionItem!]!
    "Cursors for the next page."
    pageInfo: PageInfo!
    "Number of items across all pages."
    totalCount: Int!
  }

  """
  A supervision item with its cursor.
  """
  type SupervisionItemEdge {
    "Pass as \`after\` to continue after this item."
    cursor: String!
    "The item."
    node: SupervisionItem!
  }

  """
  A township (乡镇) with everything the platform holds about it, across services.
  """
  type Township {
    "9-digit division code."
    code: ID!
    "Official name."
    name: String!
    "The township as a division."
    division: Division!
    "The date figures describe."
    asOf: Date!
    "Its administrative villages, in code order."
    villages: [TownshipVillage!]!
    "承包地 — land contracts in the township (track A). FORBIDDEN for lead units of other tracks."
    landContract: TownshipLandContract
    "Which services contribute to this view."
    coverage: [ServiceCoverage!]!
  }

  """
  An administrative village of a township.
  """
  type TownshipVillage {
    "The village as a division."
    division: Division!
    "Chosen for the early pilot (先行试点)."
    pilot: Boolean!
    "Land figures of the village; null when the source gives no per-village figures."
    landFigures: LandFigures
  }

  """
  The land-contract part of the township view.
  """
  type TownshipLandContract {
    "Figures of the township as of the view's date."
    figures: LandFigures!
    "Contracts in the township by status, as registered today."
    contractCounts: [ContractStatusCount!]!
    "The township's contracts, in contract-code order."
    contracts(
      "Narrow the list."
      filter: TownshipContractFilter
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last contract of the previous page."
      after: String
    ): ContractConnection!
  }

  """
  Filter of a township's contracts.
  """
  input TownshipContractFilter {
    "12-digit code of a village of the township."
    villageCode: String
    "Only contracts with this status."
    status: ContractStatus
  }

  """
  Number of contracts with one status.
  """
  type ContractStatusCount {
    "The status."
    status: ContractStatus!
    "Contracts with it."
    count: Int!
  }

  """
  The leading group's land figures of an area (city, township or village). Fields the source cannot
  give are null and named in \`unavailable\`; nothing is estimated.
  """
  type LandFigures {
    "The date the figures describe."
    asOf: Date!
    "The area."
    division: Division
    "Contracts ACTIVE or EXTENDED."
    contractsInForce: CountAndArea
    "Second-round family contracts due for the 30-year extension within the policy's window."
    dueForExtension: CountAndArea
    "Contracts in their 30-year extension (延包)."
    extended: CountAndArea
    "Registered contracting households."
    households: Int
    "Households certified (颁证)."
    certifiedHouseholds: Int
    "Certified households over households."
    certifiedShare: Share
    "Area whose management right is circulated (流转)."
    circulatedArea: Mu
    "Circulated area over contracted area in force."
    circulatedShare: Share
    "Contracts surrendered (自愿有偿退出)."
    surrendered: CountAndArea
    "Contracts reclaimed (收回)."
    reclaimed: CountAndArea
    "Area reported abandoned (弃耕抛荒) and not resumed."
    abandonedArea: Mu
    "Figures the source could not give, each with why."
    unavailable: [String!]!
    "Where the figures come from."
    source: FigureSource!
  }

  """
  A number of contracts and their area.
  """
  type CountAndArea {
    "Number of contracts."
    count: Int!
    "Their contract area; null when the source gives counts only."
    area: Mu
  }

  """
  An exact share.
  """
  type Share {
    "Part."
    numerator: Int!
    "Whole."
    denominator: Int!
    "numerator ÷ denominator in percent, to two decimals; null when the whole is 0."
    percent: Float
  }

  extend type Household {
    "Services holding a part of this household's record (一户一档), and which are not yet part of the platform."
    coverage: [ServiceCoverage!]!
  }

  extend type Query {
    "The pilot overview as of a date (default today); null with FORBIDDEN for roles other than the leading group, auditors and lead units (who see their own track)."
    pilotOverview("A date from 2023-01-01 to today." asOf: Date): PilotOverview
    "The supervision list: targets overdue or at risk (or the statuses given), with the units responsible."
    supervisionItems(
      "A date from 2023-01-01 to today; default today."
      asOf: Date
      "Only this track."
      track: Track
      "Statuses to list."
      statuses: [TargetStatus!] = [OVERDUE, AT_RISK]
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last item of the previous page."
      after: String
    ): SupervisionItemConnection
    "Everything in one township. FORBIDDEN outside a township official's own townships."
    township("9-digit township code." code: ID!, "A date from 2023-01-01 to today; default today." asOf: Date): Township
    "一户一档 — one household across services: members (ID numbers masked unless your role needs them), contracts, plots. Null when it does not exist; FORBIDDEN when it is outside your scope (without telling whether it exists)."
    household("Household id (UUID)." id: ID!): Household
  }
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pageSize(first: number | null | undefined): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw badUserInput([violation('PAGE_SIZE', 'first', 'first must be between 1 and 100.')]);
  }
  return n;
}

function offsetCursor(index: number): string {
  return Buffer.from(`o:${index}`).toString('base64url');
}

function offsetAfter(after: string | null | undefined): number {
  if (!after) return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(after, 'base64url').toString());
  if (!match)
    throw badUserInput([violation('CURSOR_INVALID', 'after', 'after is not a cursor of this list.')]);
  return Number(match[1]) + 1;
}

function tracksFor(ctx: RequestContext, track: TrackName | null | undefined): readonly TrackName[] {
  const allowed = overviewTracks(ctx.principal);
  if (allowed.length === 0) throw forbidden();
  if (track) {
    if (!allowed.includes(track)) throw forbidden();
    return [track];
  }
  return allowed;
}

interface OverviewValue {
  asOf: LocalDate;
  tracks: TrackName[];
  targets: EvaluatedTarget[];
}

const STATUS_ORDER: Record<TargetStatus, number> = {
  OVERDUE: 0,
  AT_RISK: 1,
  NO_DATA: 2,
  ON_TRACK: 3,
  ACHIEVED: 4,
};

function supervisionSummary(t: EvaluatedTarget): string {
  const units = t.spec.responsibleUnits.join('、');
  switch (t.status) {
    case 'OVERDUE':
      return `${t.spec.titleZh}: ${t.daysOverdue} days past ${t.spec.dueDate}, at ${t.currentValue} of ${t.spec.target} ${t.spec.unit}; responsible: ${units}.`;
    case 'AT_RISK':
      return `${t.spec.titleZh}: ${Math.round((t.progress ?? 0) * 100)}% done where ${Math.round(t.expectedProgress * 100)}% was expected, due ${t.spec.dueDate}; responsible: ${units}.`;
    case 'NO_DATA':
      return `${t.spec.titleZh}: no figure from ${t.source.service}, due ${t.spec.dueDate}; responsible: ${units}.`;
    default:
      return `${t.spec.titleZh}: ${t.status.toLowerCase().replace('_', ' ')}; responsible: ${units}.`;
  }
}

function landFiguresValue(view: LandFiguresView, area: AreaFigures | undefined) {
  return { view, area: area ?? null, code: area?.code ?? null };
}

type LandFiguresValue = ReturnType<typeof landFiguresValue>;

interface TownshipValue {
  code: string;
  asOf: LocalDate;
}

export const viewsResolvers = {
  Query: {
    async pilotOverview(
      _: unknown,
      args: { asOf?: string | null },
      ctx: RequestContext,
    ): Promise<OverviewValue> {
      const asOf = resolveAsOf(args.asOf);
      const tracks = [...tracksFor(ctx, null)];
      const targets = await evaluateTargets(tracks, asOf, ctx);
      return { asOf, tracks, targets };
    },
    async supervisionItems(
      _: unknown,
      args: {
        asOf?: string | null;
        track?: TrackName | null;
        statuses?: TargetStatus[] | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: RequestContext,
    ) {
      const first = pageSize(args.first);
      const start = offsetAfter(args.after);
      const asOf = resolveAsOf(args.asOf);
      const tracks = tracksFor(ctx, args.track);
      const statuses = new Set(args.statuses ?? ['OVERDUE', 'AT_RISK']);
      const items = (await evaluateTargets(tracks, asOf, ctx))
        .filter((t) => statuses.has(t.status))
        .sort(
          (a, b) =>
            STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
            (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) ||
            a.spec.dueDate.localeCompare(b.spec.dueDate) ||
            a.spec.id.localeCompare(b.spec.id),
        )
        .map((t) => ({ ...t, asOf }));
      const page = items.slice(start, start + first);
      const edges = page.map((node, i) => ({ node, cursor: offsetCursor(start + i) }));
      return {
        edges,
        nodes: page,
        totalCount: items.length,
        pageInfo: {
          hasNextPage: start + first < items.length,
          hasPreviousPage: start > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
    township(_: unknown, args: { code: string; asOf?: string | null }, ctx: RequestContext): TownshipValue {
      const checked = validateTownshipCode(args.code, 'code');
      if (!checked.ok) throw badUserInput(checked.violations);
      const asOf = resolveAsOf(args.asOf);
      if (!canViewTownship(ctx.principal, args.code)) throw forbidden();
      return { code: args.code, asOf };
    },
    async household(
      _: unknown,
      args: { id: string },
      ctx: RequestContext,
      info: GraphQLResolveInfo,
    ): Promise<Household | null> {
      if (!UUID.test(args.id)) {
        throw badUserInput([violation('ID_FORMAT', 'id', 'id must be a household id (UUID).')]);
      }
      const reach = householdReach(ctx.principal);
      if (reach === 'none') throw forbidden();
      // The whole record is one call per service, started together: land-contract's part (household,
      // contracts, encumbrances, case) and property-mortgage's (mortgages, loans) when asked for.
      if (selectsAny(info, FINANCE_FIELDS)) {
        // Awaited by the mortgages/loans resolvers, which surface its errors; started here to overlap.
        ctx.loaders.financeByHousehold.load(args.id).catch(() => undefined);
      }
      const household = selectsAny(info, RECORD_FIELDS)
        ? ((await ctx.loaders.householdRecord.load(args.id)).household ?? null)
        : await ctx.loaders.household.load(args.id);
      if (!household && reach === 'scoped') throw forbidden();
      return household;
    },
  },
  PilotOverview: {
    statusRule: () => STATUS_RULE,
    tracks: (o: OverviewValue) =>
      o.tracks.map((track) => ({
        track,
        asOf: o.asOf,
        targets: o.targets.filter((t) => t.spec.track === track),
      })),
  },
  TrackOverview: {
    name: (t: { track: TrackName }) => TRACK_INFO[t.track].name,
    nameZh: (t: { track: TrackName }) => TRACK_INFO[t.track].nameZh,
    leadUnits: (t: { track: TrackName }) => TRACK_INFO[t.track].leadUnits,
    phase: (t: { track: TrackName; asOf: LocalDate }) => phaseOn(t.track, t.asOf),
    phases: (t: { track: TrackName }) => PHASES[t.track],
    services: (t: { track: TrackName }, _: unknown, ctx: RequestContext) =>
      coverage(
        ctx.downstream,
        PLATFORM_SERVICES.filter((s) => s.track === t.track),
      ),
    statusCounts: (t: { targets: EvaluatedTarget[] }) => {
      const n = (s: TargetStatus) => t.targets.filter((x) => x.status === s).length;
      return {
        onTrack: n('ON_TRACK'),
        atRisk: n('AT_RISK'),
        overdue: n('OVERDUE'),
        achieved: n('ACHIEVED'),
        noData: n('NO_DATA'),
      };
    },
  },
  PilotTarget: {
    id: (t: EvaluatedTarget) => t.spec.id,
    track: (t: EvaluatedTarget) => t.spec.track,
    title: (t: EvaluatedTarget) => t.spec.title,
    titleZh: (t: EvaluatedTarget) => t.spec.titleZh,
    kind: (t: EvaluatedTarget) => t.spec.kind,
    unit: (t: EvaluatedTarget) => t.spec.unit,
    baseline: (t: EvaluatedTarget) => t.spec.baseline,
    baselineDate: (t: EvaluatedTarget) => t.spec.baselineDate,
    target: (t: EvaluatedTarget) => t.spec.target,
    startDate: (t: EvaluatedTarget) => t.spec.startDate,
    dueDate: (t: EvaluatedTarget) => t.spec.dueDate,
    progress: (t: EvaluatedTarget) => (t.progress === null ? null : Math.round(t.progress * 10_000) / 10_000),
    expectedProgress: (t: EvaluatedTarget) => Math.round(t.expectedProgress * 10_000) / 10_000,
    responsibleUnits: (t: EvaluatedTarget) => t.spec.responsibleUnits,
    planReference: (t: EvaluatedTarget) => t.spec.planReference,
  },
  SupervisionItem: {
    id: (t: EvaluatedTarget & { asOf: LocalDate }) => `${t.spec.id}@${t.asOf}`,
    target: (t: EvaluatedTarget) => t,
    track: (t: EvaluatedTarget) => t.spec.track,
    dueDate: (t: EvaluatedTarget) => t.spec.dueDate,
    responsibleUnits: (t: EvaluatedTarget) => t.spec.responsibleUnits,
    summary: (t: EvaluatedTarget) => supervisionSummary(t),
  },
  Township: {
    name: (t: TownshipValue) => divisionOf(t.code)?.name ?? t.code,
    division: (t: TownshipValue) => divisionOf(t.code),
    villages: (t: TownshipValue) =>
      listVillages(t.code).map((division) => ({ division, townshipCode: t.code, asOf: t.asOf })),
    landContract: (t: TownshipValue, _: unknown, ctx: RequestContext) => {
      if (!canReadTrack(ctx.principal, 'A')) throw forbidden();
      return t;
    },
    coverage: (_: TownshipValue, __: unknown, ctx: RequestContext) => coverage(ctx.downstream),
  },
  TownshipVillage: {
    pilot: (v: { division: { pilot?: boolean } }) => v.division.pilot ?? false,
    async landFigures(
      v: { division: { code: string }; townshipCode: string; asOf: LocalDate },
      _: unknown,
      ctx: RequestContext,
    ): Promise<LandFiguresValue | null> {
      if (!canReadTrack(ctx.principal, 'A')) return null;
      const view = await ctx.views.landFigures.load(`${v.asOf}|${v.townshipCode}`);
      const area = view.areas.get(v.division.code);
      return area ? landFiguresValue(view, area) : null;
    },
  },
  TownshipLandContract: {
    async figures(t: TownshipValue, _: unknown, ctx: RequestContext): Promise<LandFiguresValue> {
      const view = await ctx.views.landFigures.load(`${t.asOf}|${t.code}`);
      return landFiguresValue(view, view.areas.get(t.code));
    },
    async contractCounts(t: TownshipValue, _: unknown, ctx: RequestContext) {
      const totals = await ctx.views.contractTotal.loadMany(COUNTED_STATUSES.map((s) => `${t.code}|${s}`));
      return COUNTED_STATUSES.map((status, i) => {
        const total = totals[i];
        if (total instanceof Error) throw total;
        return { status, count: total ?? 0 };
      });
    },
    contracts(
      t: TownshipValue,
      args: {
        filter?: { villageCode?: string | null; status?: string | null } | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: RequestContext,
    ) {
      const villageCode = args.filter?.villageCode;
      if (villageCode && !villageCode.startsWith(t.code)) {
        throw badUserInput([
          violation(
            'VILLAGE_OUTSIDE_TOWNSHIP',
            'filter.villageCode',
            `${villageCode} is not a village of ${t.code}.`,
          ),
        ]);
      }
      return landContractResolvers.Query.contracts(
        undefined,
        {
          filter: {
            townshipCode: t.code,
            villageCode: villageCode ?? null,
            status: args.filter?.status ?? null,
          },
          first: args.first ?? 20,
          after: args.after ?? null,
        },
        ctx,
      );
    },
  },
  LandFigures: {
    asOf: (f: LandFiguresValue) => f.view.asOf,
    division: (f: LandFiguresValue) => (f.code ? divisionOf(f.code) : null),
    contractsInForce: (f: LandFiguresValue) => countAndArea(f.area?.contractsInForce),
    dueForExtension: (f: LandFiguresValue) => countAndArea(f.area?.dueForExtension),
    extended: (f: LandFiguresValue) => countAndArea(f.area?.extended),
    households: (f: LandFiguresValue) => f.area?.households ?? null,
    certifiedHouseholds: (f: LandFiguresValue) => f.area?.certifiedHouseholds ?? null,
    certifiedShare: (f: LandFiguresValue) => shareOf(f.area?.certifiedShare),
    circulatedArea: (f: LandFiguresValue) => f.area?.circulatedAreaMu4 ?? null,
    circulatedShare: (f: LandFiguresValue) => shareOf(f.area?.circulatedShare),
    surrendered: (f: LandFiguresValue) => countAndArea(f.area?.surrendered),
    reclaimed: (f: LandFiguresValue) => countAndArea(f.area?.reclaimed),
    abandonedArea: (f: LandFiguresValue) => f.area?.abandonedAreaMu4 ?? null,
    unavailable: (f: LandFiguresValue) =>
      f.area ? f.view.unavailable : [...f.view.unavailable, 'this area: the source gave no figures for it.'],
    source: (f: LandFiguresValue) => f.view.source,
  },
  Household: {
    coverage: (_: Household, __: unknown, ctx: RequestContext) =>
      coverage(
        ctx.downstream,
        PLATFORM_SERVICES.filter((s) => s.householdSection !== undefined),
      ),
  },
};

function countAndArea(c: CountAndArea | null | undefined) {
  return c ? { count: c.count, area: c.areaMu4 } : null;
}

function shareOf(s: ShareValue | null | undefined) {
  return s
    ? {
        numerator: s.numerator,
        denominator: s.denominator,
        percent: s.basisPoints === null ? null : s.basisPoints / 100,
      }
    : null;
}
