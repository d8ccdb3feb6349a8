import { describe, expect, it } from 'vitest';
import { buildReport, type ReportFacts } from './report.js';

const facts: ReportFacts = {
  start: '2026-11-01',
  end: '2026-11-30',
  loans: [
    {
      bank: 'B1',
      township: 'T1',
      rightType: 'LAND_MANAGEMENT',
      disbursedOn: '2026-11-05',
      principalFen: 1_000,
      outstandingFen: 900,
      classification: 'NORMAL',
      closedBeforeEnd: false,
    },
    {
      bank: 'B1',
      township: 'T2',
      rightType: 'FOREST',
      disbursedOn: '2025-01-01',
      principalFen: 5_000,
      outstandingFen: 100,
      classification: 'SUBSTANDARD',
      closedBeforeEnd: false,
    },
    {
      bank: 'B2',
      township: 'T1',
      rightType: 'LAND_MANAGEMENT',
      disbursedOn: '2025-01-01',
      principalFen: 5_000,
      outstandingFen: 400,
      classification: 'LOSS',
      closedBeforeEnd: true,
    },
  ],
  mortgages: [
    {
      bank: 'B1',
      township: 'T1',
      rightType: 'LAND_MANAGEMENT',
      registeredOn: '2026-11-04',
      securedFen: 1_200,
    },
  ],
  disposals: [
    {
      bank: 'B2',
      township: 'T1',
      rightType: 'LAND_MANAGEMENT',
      completedOn: '2026-11-20',
      priceFen: 700,
      appliedFen: 600,
      claimFen: 1_000,
    },
  ],
  claims: [{ bank: 'B2', township: 'T1', rightType: 'LAND_MANAGEMENT', paidOn: '2026-11-21', payoutFen: 80 }],
  deals: [{ township: 'T2', rightType: 'FOREST', certifiedOn: '2026-11-02', priceFen: 3_000 }],
};

describe('weekly report and monthly dispatch', () => {
  it('counts flows in the period and stocks at its end, with the NPL ratio and recovery rate', () => {
    const r = buildReport(facts);
    expect(r.totals).toMatchObject({
      loansDisbursed: 1,
      disbursedFen: 1_000,
      loansOutstanding: 2,
      balanceFen: 1_000,
      nplBalanceFen: 100,
      nplRatioBp: 1_000,
      mortgagesRegistered: 1,
      securedFen: 1_200,
      disposalsCompleted: 1,
      recoveredFen: 600,
      recoveryRateBp: 6_000,
      fundPayoutsFen: 80,
      certifiedTransactions: 1,
      certifiedAmountFen: 3_000,
    });
  });

  it('breaks the figures down by township, bank and right type, adding up to the totals', () => {
    const r = buildReport(facts);
    expect([...r.byTownship.keys()]).toEqual(['T1', 'T2']);
    expect([...r.byBank.keys()]).toEqual(['B1', 'B2']);
    const sum = (m: Map<string, { balanceFen: number }>) =>
      [...m.values()].reduce((s, f) => s + f.balanceFen, 0);
    expect(sum(r.byTownship)).toBe(r.totals.balanceFen);
    expect(sum(r.byRightType)).toBe(r.totals.balanceFen);
    expect(r.byRightType.get('FOREST')?.certifiedTransactions).toBe(1);
  });
});
