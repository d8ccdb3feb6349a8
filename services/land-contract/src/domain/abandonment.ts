import {
  addYears,
  compareDates,
  isLocalDate,
  type LocalDate,
  type Mu4,
  type RuleViolation,
  violation,
} from '@pingquan/reference';
import type { Circulation, Contract, RecordedAct } from './model.js';

/** Who reported: the principal and the role under which they acted. */
export interface Reporter {
  principal: string;
  role: string;
}

/** 弃耕抛荒报告 — land found left uncultivated. */
export interface AbandonmentReport {
  id: string;
  plotCode: string;
  contractId: string;
  areaMu4: Mu4;
  /** First day the land was seen uncultivated (the season that was skipped). */
  since: LocalDate;
  reportedOn: LocalDate;
  reporter: Reporter;
  /** Day cultivation was seen resumed; the idle spell ends there. */
  resumedOn?: LocalDate;
}

/**
 * 发包方措施 — what the issuer did about it (LCL Art 64 lets it take measures to prevent and correct
 * abandonment): reminder (督促), order to resume (责令恢复耕种), arranged substitute cultivation
 * (代耕), a demand that the contractor end the circulation, or another measure.
 */
export type IssuerMeasureKind =
  | 'REMINDER'
  | 'ORDER_TO_RESUME'
  | 'SUBSTITUTE_CULTIVATION'
  | 'DEMAND_CIRCULATION_TERMINATION'
  | 'OTHER';

export interface IssuerMeasure {
  reportId: string;
  kind: IssuerMeasureKind;
  date: LocalDate;
  note: string;
  act?: RecordedAct;
}

/** Consecutive idle years after which the contractor (Art 42) or the issuer (Art 64) may end a circulation. */
export const IDLE_YEARS_FOR_TERMINATION = 2;

/** Every reason a report can't be recorded: plot of the contract, area within the plot, dates ordered. */
export function validateAbandonmentReport(
  report: AbandonmentReport,
  contract: Pick<Contract, 'id' | 'plots'>,
  field = 'report',
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (report.contractId !== contract.id) {
    v.push(
      violation('REPORT_CONTRACT_MISMATCH', `${field}.contractId`, 'The report names another contract.'),
    );
  }
  const plot = contract.plots.find((p) => p.code === report.plotCode);
  if (plot === undefined) {
    v.push(
      violation(
        'PLOT_NOT_IN_CONTRACT',
        `${field}.plotCode`,
        `Plot ${report.plotCode} is not a plot of contract ${contract.id}.`,
      ),
    );
  }
  if (!Number.isSafeInteger(report.areaMu4) || report.areaMu4 <= 0) {
    v.push(
      violation('AREA_NOT_POSITIVE', `${field}.areaMu4`, 'The abandoned area must be greater than zero.'),
    );
  } else if (plot !== undefined && report.areaMu4 > plot.contractAreaMu4) {
    v.push(
      violation(
        'AREA_EXCEEDS_PLOT',
        `${field}.areaMu4`,
        `The abandoned area is larger than plot ${plot.code}'s contract area.`,
      ),
    );
  }
  for (const key of ['since', 'reportedOn'] as const) {
    if (!isLocalDate(report[key])) {
      v.push(violation('DATE_INVALID', `${field}.${key}`, `'${report[key]}' is not a YYYY-MM-DD date.`));
    }
  }
  if (v.some((x) => x.rule === 'DATE_INVALID')) return v;
  if (compareDates(report.since, report.reportedOn) > 0) {
    v.push(
      violation(
        'ABANDONMENT_SINCE_AFTER_REPORT',
        `${field}.since`,
        'Land cannot be reported idle from a date after the report.',
      ),
    );
  }
  if (report.resumedOn !== undefined && compareDates(report.resumedOn, report.since) <= 0) {
    v.push(
      violation(
        'ABANDONMENT_RESUMED_BEFORE_SINCE',
        `${field}.resumedOn`,
        'Cultivation cannot resume before the land became idle.',
      ),
    );
  }
  return v;
}

export interface IdlenessFinding {
  terminate: boolean;
  /** Plots left idle two consecutive years or more under this circulation. */
  plotCodes: string[];
  /** Earliest day from which the idle spell counted (never before the circulation began). */
  idleSince?: LocalDate;
  /** Day the two years were complete. */
  groundsFrom?: LocalDate;
}

/**
 * Whether a circulated management right was left idle (弃耕抛荒) for two consecutive years by
 * `asOf`, so that the circulation may be ended (LCL Arts 42, 64). Only idleness while the transferee
 * held the land counts: a spell that began earlier is counted from the circulation's start. Any one
 * plot of the circulation idle that long is enough: the law speaks of the land, not of a share of it.
 */
export function shouldTerminateCirculationForIdleness(
  reports: readonly AbandonmentReport[],
  circulation: Pick<Circulation, 'contractId' | 'plots' | 'termStart' | 'termEnd' | 'status'>,
  asOf: LocalDate,
): IdlenessFinding {
  if (circulation.status !== 'ACTIVE') return { terminate: false, plotCodes: [] };
  const circulated = new Set(circulation.plots.map((p) => p.plotCode));
  const plotCodes = new Set<string>();
  let idleSince: LocalDate | undefined;
  let groundsFrom: LocalDate | undefined;

  for (const report of reports) {
    if (report.contractId !== circulation.contractId || !circulated.has(report.plotCode)) continue;
    const start =
      compareDates(report.since, circulation.termStart) < 0 ? circulation.termStart : report.since;
    // Idleness after the circulation ended is the contractor's own, not the transferee's.
    if (compareDates(start, circulation.termEnd) >= 0) continue;
    const complete = addYears(start, IDLE_YEARS_FOR_TERMINATION);
    if (compareDates(complete, asOf) > 0) continue;
    if (report.resumedOn !== undefined && compareDates(report.resumedOn, complete) < 0) continue;
    plotCodes.add(report.plotCode);
    if (idleSince === undefined || compareDates(start, idleSince) < 0) idleSince = start;
    if (groundsFrom === undefined || compareDates(complete, groundsFrom) < 0) groundsFrom = complete;
  }
  const found = [...plotCodes].sort();
  if (found.length === 0) return { terminate: false, plotCodes: [] };
  return {
    terminate: true,
    plotCodes: found,
    ...(idleSince !== undefined ? { idleSince } : {}),
    ...(groundsFrom !== undefined ? { groundsFrom } : {}),
  };
}

/** Reports still open on `asOf`: idle by then and not yet resumed. */
export function openAbandonmentReports(
  reports: readonly AbandonmentReport[],
  asOf: LocalDate,
): AbandonmentReport[] {
  return reports.filter(
    (r) =>
      compareDates(r.since, asOf) <= 0 && (r.resumedOn === undefined || compareDates(r.resumedOn, asOf) > 0),
  );
}

/** Every reason a measure can't be recorded against a report. */
export function validateIssuerMeasure(
  measure: IssuerMeasure,
  report: AbandonmentReport,
  field = 'measure',
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (measure.reportId !== report.id) {
    v.push(violation('MEASURE_REPORT_MISMATCH', `${field}.reportId`, 'The measure names another report.'));
  }
  if (!isLocalDate(measure.date)) {
    v.push(violation('DATE_INVALID', `${field}.date`, `'${measure.date}' is not a YYYY-MM-DD date.`));
  } else if (compareDates(measure.date, report.reportedOn) < 0) {
    v.push(
      violation(
        'MEASURE_BEFORE_REPORT',
        `${field}.date`,
        `A measure answers the report of ${report.reportedOn}; it cannot be dated before it.`,
      ),
    );
  }
  if (measure.kind === 'OTHER' && measure.note.trim() === '') {
    v.push(
      violation('MEASURE_NOTE_REQUIRED', `${field}.note`, 'Say what was done when the measure is OTHER.'),
    );
  }
  return v;
}
