import {
  type EntityManager,
  execInTransaction,
  InvalidInputError,
  PermissionDeniedError,
  type Principal,
} from '@pingquan/kit';
import {
  addDays,
  addMonths,
  CITY_CODE,
  compareDates,
  isLocalDate,
  type LocalDate,
  type Mu4,
  todayInShanghai,
  validateTownshipCode,
  violation,
} from '@pingquan/reference';
import type { CountAndArea } from '../domain/extension.js';
import { type AreaFigures, type FigureLevel, ratio } from '../domain/figures.js';
import { extensionPolicyOn } from './extension-policy.js';

// The leading group's land figures. Each source is aggregated per village by one SQL statement over
// the whole city (≈110,000 contracts, 600,000 plots: one scan each, no row reaches this process);
// villages are then rolled up to townships and the city here, and shares computed with the domain's
// exact `ratio`. The semantics are those of the domain's `leadingGroupFigures`, which the tests use
// as the oracle for these queries.
//
// "As of" a date means: contracts and households as the register recorded them at the end of that day
// (Asia/Shanghai), and dated facts (certification, circulation terms, abandonment, surrender) by their
// own dates among those recorded by then.

export interface LandFiguresResult {
  asOf: LocalDate;
  city: AreaFigures | undefined;
  townships: AreaFigures[];
  villages: AreaFigures[];
  unavailable: string[];
  extensionPolicyVersion: number;
}

interface VillageAccumulator {
  contractsInForce: CountAndArea;
  dueForExtension: CountAndArea;
  extended: CountAndArea;
  households: number;
  certifiedHouseholds: number;
  circulatedAreaMu4: Mu4;
  surrendered: CountAndArea;
  reclaimed: CountAndArea;
  abandonedAreaMu4: Mu4;
}

const zero = (): CountAndArea => ({ count: 0, areaMu4: 0 });
const empty = (): VillageAccumulator => ({
  contractsInForce: zero(),
  dueForExtension: zero(),
  extended: zero(),
  households: 0,
  certifiedHouseholds: 0,
  circulatedAreaMu4: 0,
  surrendered: zero(),
  reclaimed: zero(),
  abandonedAreaMu4: 0,
});

/** Townships the caller may see figures of; undefined for the whole city. */
function townshipsInScope(principal: Principal, requested: string | undefined): string[] | undefined {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
    case 'SERVICE':
      return requested ? [requested] : undefined;
    case 'LEAD_UNIT':
      if (principal.track !== 'A') throw new PermissionDeniedError();
      return requested ? [requested] : undefined;
    case 'TOWNSHIP_OFFICIAL': {
      const own = principal.townships ?? [];
      if (requested && !own.includes(requested)) throw new PermissionDeniedError();
      return requested ? [requested] : own;
    }
    default:
      throw new PermissionDeniedError();
  }
}

/** A SQL condition on a 12-digit village code column limiting rows to the townships in scope. */
function scopeCondition(column: string, townships: string[] | undefined): { sql: string; params: string[] } {
  if (townships === undefined) return { sql: 'TRUE', params: [] };
  if (townships.length === 0) return { sql: 'FALSE', params: [] };
  return { sql: `left(${column}, 9) IN (${townships.map(() => '?').join(', ')})`, params: townships };
}

const n = (value: unknown): number => Number(value ?? 0);

export async function landFigures(
  em: EntityManager,
  principal: Principal,
  input: { asOf: string; townshipCode: string },
  now = new Date(),
): Promise<LandFiguresResult> {
  const today = todayInShanghai(now);
  const asOf = input.asOf || today;
  if (!isLocalDate(asOf)) {
    throw new InvalidInputError([
      violation('DATE_INVALID', 'asOfDate', `'${asOf}' is not a YYYY-MM-DD date.`),
    ]);
  }
  if (compareDates(asOf, today) > 0) {
    throw new InvalidInputError([
      violation(
        'AS_OF_IN_FUTURE',
        'asOfDate',
        `Figures are of what is recorded; ${asOf} is after today (${today}).`,
      ),
    ]);
  }
  if (input.townshipCode) {
    const checked = validateTownshipCode(input.townshipCode, 'townshipCode');
    if (!checked.ok) throw new InvalidInputError(checked.violations);
  }
  const townships = townshipsInScope(principal, input.townshipCode || undefined);
  // The end of the day in Asia/Shanghai: what was recorded before it is the register "as of" the day.
  const endOfDay = `${addDays(asOf, 1)}T00:00:00+08:00`;
  const policy = await extensionPolicyOn(em, asOf);
  const dueLimit = addMonths(asOf, policy.dueWindowMonths);

  const villages = new Map<string, VillageAccumulator>();
  const at = (village: string) => {
    let acc = villages.get(village);
    if (!acc) {
      acc = empty();
      villages.set(village, acc);
    }
    return acc;
  };

  // Contracts: today, the live rows; for an earlier day, each contract's last state recorded before
  // the day ended, from the narrow state log the database keeps of every contract change (see the
  // Figures20261128 migration). Contracts registered later have no such state and are not counted.
  const scope = scopeCondition('village_code', townships);
  const past = compareDates(asOf, today) < 0;
  const rowsSql = past
    ? `WITH rows AS (
         SELECT DISTINCT ON (contract_id) village_code, mode, status, term_end, second_round_end, total_area_mu4
         FROM contract_state_log WHERE recorded_at < ?::timestamptz
         ORDER BY contract_id, recorded_at DESC, seq DESC
       )`
    : `WITH rows AS (
         SELECT village_code, mode, status, term_end, second_round_end, total_area_mu4 FROM contract
       )`;
  const contracts = await execInTransaction<Record<string, string | null>>(
    em,
    `${rowsSql}, marked AS (
       SELECT village_code, mode, status, total_area_mu4 AS area,
              status IN ('ACTIVE', 'EXTENDED') AS in_force,
              (status = 'EXTENDED' OR (second_round_end IS NOT NULL AND term_end > second_round_end)) AS extended,
              coalesce(second_round_end, term_end) AS expiry
       FROM rows WHERE ${scope.sql}
     )
     SELECT village_code,
            count(*) FILTER (WHERE in_force) AS in_force_n,
            coalesce(sum(area) FILTER (WHERE in_force), 0) AS in_force_a,
            count(*) FILTER (WHERE mode = 'FAMILY' AND status = 'ACTIVE' AND NOT extended AND expiry <= ?::date) AS due_n,
            coalesce(sum(area) FILTER (WHERE mode = 'FAMILY' AND status = 'ACTIVE' AND NOT extended AND expiry <= ?::date), 0) AS due_a,
            count(*) FILTER (WHERE in_force AND extended) AS extended_n,
            coalesce(sum(area) FILTER (WHERE in_force AND extended), 0) AS extended_a,
            count(*) FILTER (WHERE status = 'RECLAIMED') AS reclaimed_n,
            coalesce(sum(area) FILTER (WHERE status = 'RECLAIMED'), 0) AS reclaimed_a
     FROM marked GROUP BY village_code`,
    [...(past ? [endOfDay] : []), ...scope.params, dueLimit, dueLimit],
  );
  for (const r of contracts) {
    const acc = at(String(r['village_code']));
    acc.contractsInForce = { count: n(r['in_force_n']), areaMu4: n(r['in_force_a']) };
    acc.dueForExtension = { count: n(r['due_n']), areaMu4: n(r['due_a']) };
    acc.extended = { count: n(r['extended_n']), areaMu4: n(r['extended_a']) };
    acc.reclaimed = { count: n(r['reclaimed_n']), areaMu4: n(r['reclaimed_a']) };
  }

  // Households registered by the day, and those certified on or before it (the stage date is legal).
  const householdScope = scopeCondition('h.village_code', townships);
  const households = await execInTransaction<Record<string, string>>(
    em,
    `SELECT h.village_code, count(*) AS households, count(cc.certified_on) FILTER (WHERE cc.certified_on <= ?::date) AS certified
     FROM household h LEFT JOIN certification_case cc ON cc.household_id = h.id
     WHERE h.created_at < ?::timestamptz AND ${householdScope.sql}
     GROUP BY h.village_code`,
    [asOf, endOfDay, ...householdScope.params],
  );
  for (const r of households) {
    const acc = at(String(r['village_code']));
    acc.households = n(r['households']);
    acc.certifiedHouseholds = n(r['certified']);
  }

  // The surrender register records the area given back and the day (whole contracts only).
  const surrenders = await execInTransaction<Record<string, string>>(
    em,
    `SELECT village_code, count(*) AS n, coalesce(sum(area_mu4), 0) AS a FROM surrender
     WHERE surrendered_on <= ?::date AND created_at < ?::timestamptz AND ${scope.sql}
     GROUP BY village_code`,
    [asOf, endOfDay, ...scope.params],
  );
  for (const r of surrenders)
    at(String(r['village_code'])).surrendered = { count: n(r['n']), areaMu4: n(r['a']) };

  // Circulation in effect on the day: started, not yet at its term end, not terminated by then.
  // Re-circulations pass on area their parent already counts.
  const circulations = await execInTransaction<Record<string, string>>(
    em,
    `SELECT village_code, coalesce(sum(area_mu4), 0) AS a FROM circulation
     WHERE parent_circulation_id IS NULL AND created_at < ?::timestamptz
       AND term_start <= ?::date AND ?::date < term_end
       AND (terminated_on IS NULL OR terminated_on > ?::date)
       AND ${scope.sql}
     GROUP BY village_code`,
    [endOfDay, asOf, asOf, asOf, ...scope.params],
  );
  for (const r of circulations) at(String(r['village_code'])).circulatedAreaMu4 = n(r['a']);

  // Abandonment open on the day; several open reports on one plot describe the same land.
  const abandoned = await execInTransaction<Record<string, string>>(
    em,
    `SELECT village_code, coalesce(sum(area), 0) AS a FROM (
       SELECT village_code, plot_code, max(area_mu4) AS area FROM abandonment_report
       WHERE since <= ?::date AND (resumed_on IS NULL OR resumed_on > ?::date)
         AND created_at < ?::timestamptz AND ${scope.sql}
       GROUP BY village_code, plot_code
     ) open GROUP BY village_code`,
    [asOf, asOf, endOfDay, ...scope.params],
  );
  for (const r of abandoned) at(String(r['village_code'])).abandonedAreaMu4 = n(r['a']);

  return {
    asOf,
    ...rollUp(villages, townships === undefined),
    // Every figure the leading group asked for has its register here; kept for figures to come.
    unavailable: [],
    extensionPolicyVersion: Number(policy.version.split('@').at(-1) ?? 0),
  };
}

function add(target: VillageAccumulator, from: VillageAccumulator): void {
  const sum = (a: CountAndArea, b: CountAndArea) => {
    a.count += b.count;
    a.areaMu4 += b.areaMu4;
  };
  sum(target.contractsInForce, from.contractsInForce);
  sum(target.dueForExtension, from.dueForExtension);
  sum(target.extended, from.extended);
  sum(target.surrendered, from.surrendered);
  sum(target.reclaimed, from.reclaimed);
  target.households += from.households;
  target.certifiedHouseholds += from.certifiedHouseholds;
  target.circulatedAreaMu4 += from.circulatedAreaMu4;
  target.abandonedAreaMu4 += from.abandonedAreaMu4;
}

function figuresOf(level: FigureLevel, code: string, acc: VillageAccumulator): AreaFigures {
  return {
    level,
    code,
    ...acc,
    certifiedShare: ratio(acc.certifiedHouseholds, acc.households),
    circulatedShare: ratio(acc.circulatedAreaMu4, acc.contractsInForce.areaMu4),
  };
}

/** Villages to townships to the city; the city only when the whole city was asked for. */
function rollUp(villages: Map<string, VillageAccumulator>, withCity: boolean) {
  const townships = new Map<string, VillageAccumulator>();
  const city = empty();
  for (const [code, acc] of villages) {
    const township = code.slice(0, 9);
    let t = townships.get(township);
    if (!t) {
      t = empty();
      townships.set(township, t);
    }
    add(t, acc);
    add(city, acc);
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    city: withCity ? figuresOf('CITY', CITY_CODE, city) : undefined,
    townships: sorted(townships).map(([code, acc]) => figuresOf('TOWNSHIP', code, acc)),
    villages: sorted(villages).map(([code, acc]) => figuresOf('VILLAGE', code, acc)),
  };
}
