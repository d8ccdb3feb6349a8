import { compareDates, type LocalDate, type Mu4, roundHalfUpDiv } from '@pingquan/reference';
import type { CertificationStage } from './certification.js';
import { isInForce } from './contract-rules.js';
import {
  type CountAndArea,
  DEFAULT_EXTENSION_POLICY,
  type ExtensionPolicy,
  isAlreadyExtended,
  isDueForExtension,
} from './extension.js';
import type { CirculationStatus, ContractMode, ContractStatus } from './model.js';

// Row shapes are what a reporting query selects; the app streams them in, nothing here reads a store.

export interface ContractFigureRow {
  issuerCode: string;
  mode: ContractMode;
  status: ContractStatus;
  termEnd: LocalDate;
  secondRoundEnd?: LocalDate;
  /** Contract area of the contract's plots (for ended contracts: at the time they ended). */
  areaMu4: Mu4;
}

export interface CirculationFigureRow {
  issuerCode: string;
  status: CirculationStatus;
  termStart: LocalDate;
  termEnd: LocalDate;
  areaMu4: Mu4;
  /** Re-circulations pass on area already counted by their parent and are left out of the sum. */
  parentCirculationId?: string;
}

export interface CertificationFigureRow {
  issuerCode: string;
  householdId: string;
  stage?: CertificationStage;
}

export interface AbandonmentFigureRow {
  plotCode: string;
  areaMu4: Mu4;
  since: LocalDate;
  resumedOn?: LocalDate;
}

/** An exact share: the parts, and basis points (1/100 of a percent) rounded half up; null of nothing. */
export interface Ratio {
  numerator: number;
  denominator: number;
  basisPoints: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  return {
    numerator,
    denominator,
    basisPoints: denominator === 0 ? null : roundHalfUpDiv(BigInt(numerator) * 10_000n, BigInt(denominator)),
  };
}

export type FigureLevel = 'CITY' | 'TOWNSHIP' | 'VILLAGE';

export interface AreaFigures {
  level: FigureLevel;
  /** 6-digit city, 9-digit township or 12-digit village code. */
  code: string;
  contractsInForce: CountAndArea;
  dueForExtension: CountAndArea;
  extended: CountAndArea;
  households: number;
  certifiedHouseholds: number;
  certifiedShare: Ratio;
  circulatedAreaMu4: Mu4;
  /** Circulated area over the contracted area in force. */
  circulatedShare: Ratio;
  surrendered: CountAndArea;
  reclaimed: CountAndArea;
  abandonedAreaMu4: Mu4;
}

export interface FiguresInput {
  asOf: LocalDate;
  contracts: Iterable<ContractFigureRow>;
  circulations: Iterable<CirculationFigureRow>;
  certifications: Iterable<CertificationFigureRow>;
  abandonment: Iterable<AbandonmentFigureRow>;
  extensionPolicy?: ExtensionPolicy;
}

export interface LeadingGroupFigures {
  asOf: LocalDate;
  city: AreaFigures[];
  townships: AreaFigures[];
  villages: AreaFigures[];
}

interface Accumulator {
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

function emptyAccumulator(): Accumulator {
  const zero = () => ({ count: 0, areaMu4: 0 });
  return {
    contractsInForce: zero(),
    dueForExtension: zero(),
    extended: zero(),
    households: 0,
    certifiedHouseholds: 0,
    circulatedAreaMu4: 0,
    surrendered: zero(),
    reclaimed: zero(),
    abandonedAreaMu4: 0,
  };
}

const LEVELS: readonly [FigureLevel, number][] = [
  ['CITY', 6],
  ['TOWNSHIP', 9],
  ['VILLAGE', 12],
];

/**
 * The leading group's land figures for the city, each township and each village, from row inputs.
 * Areas are summed in whole Mu4, so totals agree to the last 1/10000 mu with the register.
 */
export function leadingGroupFigures(input: FiguresInput): LeadingGroupFigures {
  const policy = input.extensionPolicy ?? DEFAULT_EXTENSION_POLICY;
  const groups = new Map<string, { level: FigureLevel; acc: Accumulator }>();
  const each = (code: string, apply: (acc: Accumulator) => void) => {
    for (const [level, digits] of LEVELS) {
      if (code.length < digits) continue;
      const key = code.slice(0, digits);
      let group = groups.get(key);
      if (group === undefined) {
        group = { level, acc: emptyAccumulator() };
        groups.set(key, group);
      }
      apply(group.acc);
    }
  };
  const add = (target: CountAndArea, areaMu4: Mu4) => {
    target.count += 1;
    target.areaMu4 += areaMu4;
  };

  for (const row of input.contracts) {
    each(row.issuerCode, (acc) => {
      if (isInForce(row.status)) add(acc.contractsInForce, row.areaMu4);
      if (isDueForExtension(row, input.asOf, policy)) add(acc.dueForExtension, row.areaMu4);
      if (isInForce(row.status) && isAlreadyExtended(row)) add(acc.extended, row.areaMu4);
      if (row.status === 'SURRENDERED') add(acc.surrendered, row.areaMu4);
      if (row.status === 'RECLAIMED') add(acc.reclaimed, row.areaMu4);
    });
  }

  for (const row of input.circulations) {
    const inEffect =
      row.status === 'ACTIVE' &&
      row.parentCirculationId === undefined &&
      compareDates(row.termStart, input.asOf) <= 0 &&
      compareDates(input.asOf, row.termEnd) < 0;
    if (inEffect) {
      each(row.issuerCode, (acc) => {
        acc.circulatedAreaMu4 += row.areaMu4;
      });
    }
  }

  for (const row of input.certifications) {
    each(row.issuerCode, (acc) => {
      acc.households += 1;
      if (row.stage === 'CERTIFIED') acc.certifiedHouseholds += 1;
    });
  }

  // Several open reports on one plot describe the same land: count the largest, not their sum.
  const abandonedByPlot = new Map<string, Mu4>();
  for (const row of input.abandonment) {
    const open =
      compareDates(row.since, input.asOf) <= 0 &&
      (row.resumedOn === undefined || compareDates(row.resumedOn, input.asOf) > 0);
    if (open)
      abandonedByPlot.set(row.plotCode, Math.max(abandonedByPlot.get(row.plotCode) ?? 0, row.areaMu4));
  }
  for (const [plotCode, areaMu4] of abandonedByPlot) {
    each(plotCode.slice(0, 14), (acc) => {
      acc.abandonedAreaMu4 += areaMu4;
    });
  }

  const figures = [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(
      ([code, { level, acc }]): AreaFigures => ({
        level,
        code,
        ...acc,
        certifiedShare: ratio(acc.certifiedHouseholds, acc.households),
        circulatedShare: ratio(acc.circulatedAreaMu4, acc.contractsInForce.areaMu4),
      }),
    );
  return {
    asOf: input.asOf,
    city: figures.filter((f) => f.level === 'CITY'),
    townships: figures.filter((f) => f.level === 'TOWNSHIP'),
    villages: figures.filter((f) => f.level === 'VILLAGE'),
  };
}
