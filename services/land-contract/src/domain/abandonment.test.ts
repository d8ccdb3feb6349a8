import { describe, expect, it } from 'vitest';
import {
  type AbandonmentReport,
  type IssuerMeasure,
  openAbandonmentReports,
  shouldTerminateCirculationForIdleness,
  validateAbandonmentReport,
  validateIssuerMeasure,
} from './abandonment.js';
import { circulation, contract, mu, plot, rules } from './test-fixtures.js';

const PLOT_11 = plot(11).code;

function report(overrides: Partial<AbandonmentReport> = {}): AbandonmentReport {
  return {
    id: 'r1',
    plotCode: PLOT_11,
    contractId: contract(1).id,
    areaMu4: mu(1),
    since: '2022-04-01',
    reportedOn: '2022-06-01',
    reporter: { principal: 'task-force-1', role: 'VILLAGE_TASK_FORCE' },
    ...overrides,
  };
}

describe('abandoned land (弃耕抛荒)', () => {
  it('AREA_EXCEEDS_PLOT / AREA_NOT_POSITIVE: a report stays within the plot', () => {
    expect(validateAbandonmentReport(report({ areaMu4: mu(2) }), contract(1))).toEqual([]);
    expect(rules(validateAbandonmentReport(report({ areaMu4: mu(2) + 1 }), contract(1)))).toEqual([
      'AREA_EXCEEDS_PLOT',
    ]);
    expect(rules(validateAbandonmentReport(report({ areaMu4: 0 }), contract(1)))).toEqual([
      'AREA_NOT_POSITIVE',
    ]);
  });

  it('ABANDONMENT_SINCE_AFTER_REPORT: land is reported idle from a day on or before the report', () => {
    expect(rules(validateAbandonmentReport(report({ since: '2022-06-02' }), contract(1)))).toEqual([
      'ABANDONMENT_SINCE_AFTER_REPORT',
    ]);
  });

  it('PLOT_NOT_IN_CONTRACT: the plot belongs to the contract reported', () => {
    expect(rules(validateAbandonmentReport(report({ plotCode: plot(99).code }), contract(1)))).toEqual([
      'PLOT_NOT_IN_CONTRACT',
    ]);
  });

  it('MEASURE_BEFORE_REPORT / MEASURE_NOTE_REQUIRED: the issuer’s measures answer a report', () => {
    const measure: IssuerMeasure = { reportId: 'r1', kind: 'ORDER_TO_RESUME', date: '2022-06-10', note: '' };
    expect(validateIssuerMeasure(measure, report())).toEqual([]);
    expect(rules(validateIssuerMeasure({ ...measure, date: '2022-05-31' }, report()))).toEqual([
      'MEASURE_BEFORE_REPORT',
    ]);
    expect(rules(validateIssuerMeasure({ ...measure, kind: 'OTHER' }, report()))).toEqual([
      'MEASURE_NOTE_REQUIRED',
    ]);
  });

  it('openAbandonmentReports: open from `since` until cultivation resumes', () => {
    const resumed = report({ id: 'r2', resumedOn: '2023-04-01' });
    expect(openAbandonmentReports([report(), resumed], '2023-03-31').map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(openAbandonmentReports([report(), resumed], '2023-04-01').map((r) => r.id)).toEqual(['r1']);
  });
});

describe('idleness ending a circulation', () => {
  const lease = circulation({ termStart: '2021-03-01', termEnd: '2028-03-01' });

  it('IDLE_TWO_YEARS: two consecutive years complete on the second anniversary, not a day before', () => {
    expect(shouldTerminateCirculationForIdleness([report()], lease, '2024-03-31').terminate).toBe(false);
    expect(shouldTerminateCirculationForIdleness([report()], lease, '2024-04-01')).toEqual({
      terminate: true,
      plotCodes: [PLOT_11],
      idleSince: '2022-04-01',
      groundsFrom: '2024-04-01',
    });
  });

  it('IDLE_TWO_YEARS: resuming cultivation within the two years breaks the spell', () => {
    const resumed = report({ resumedOn: '2023-05-01' });
    expect(shouldTerminateCirculationForIdleness([resumed], lease, '2025-01-01').terminate).toBe(false);
  });

  it('IDLE_TWO_YEARS: idleness before the circulation began is not the transferee’s; it counts from the start', () => {
    const before = report({ since: '2020-01-01' });
    expect(shouldTerminateCirculationForIdleness([before], lease, '2023-02-28').terminate).toBe(false);
    expect(shouldTerminateCirculationForIdleness([before], lease, '2023-03-01')).toMatchObject({
      terminate: true,
      idleSince: '2021-03-01',
    });
  });

  it('IDLE_TWO_YEARS: only plots of this circulation and only an active circulation count', () => {
    const elsewhere = report({ plotCode: plot(12).code });
    expect(shouldTerminateCirculationForIdleness([elsewhere], lease, '2025-01-01').terminate).toBe(false);
    expect(
      shouldTerminateCirculationForIdleness([report()], { ...lease, status: 'TERMINATED' }, '2025-01-01')
        .terminate,
    ).toBe(false);
  });
});
