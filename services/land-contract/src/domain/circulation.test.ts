import { describe, expect, it } from 'vitest';
import type { AbandonmentReport } from './abandonment.js';
import {
  activeCirculationsOn,
  type CirculationContext,
  DEFAULT_CIRCULATION_POLICY,
  isCirculationExpired,
  reviewLevelFor,
  terminateCirculationEarly,
  validateCirculation,
} from './circulation.js';
import type { Circulation, CirculationReview } from './model.js';
import {
  accepted,
  act,
  circulation,
  contract,
  creditCode,
  mu,
  plot,
  residentId,
  rules,
  TODAY,
} from './test-fixtures.js';

const PLOT_11 = plot(11).code;

function ctx(overrides: Partial<CirculationContext> = {}): CirculationContext {
  return { contract: contract(1), existing: [], today: TODAY, ...overrides };
}

const enterprise = {
  kind: 'ENTERPRISE' as const,
  name: '承德某农业科技有限公司',
  creditCode: creditCode('MA0E1234X'),
  memberOfCollective: false,
};

function reviews(level: 'TOWNSHIP' | 'CITY'): CirculationReview[] {
  return [
    { level, kind: 'QUALIFICATION', approved: true, act: act('2024-02-01', 'ZG-1', '审查机关') },
    { level, kind: 'PROJECT', approved: true, act: act('2024-02-01', 'XM-1', '审查机关') },
  ];
}

/** An enterprise lease of `areaMu` mu spread over a contract of one big plot. */
function bigLease(areaMu: number, overrides: Partial<Circulation> = {}): [Circulation, CirculationContext] {
  const big = contract(1, { plots: [plot(11, { contractAreaMu4: mu(5000) })] });
  return [
    circulation({
      transferee: enterprise,
      plots: [{ plotCode: PLOT_11, areaMu4: mu(areaMu) }],
      riskDepositPaidFen: 100_000_000,
      ...overrides,
    }),
    ctx({ contract: big }),
  ];
}

describe('management-right circulation (土地经营权流转)', () => {
  it('accepts a written, filed lease to a cooperative within the contract', () => {
    const assessment = accepted(validateCirculation(circulation(), ctx()));
    expect(assessment).toMatchObject({
      areaMu4: mu(1),
      socialCapital: false,
      requiredRiskDepositFen: 0,
      registrable: false,
    });
  });

  it('CIRCULATION_TERM_BEYOND_CONTRACT: the term ends no later than the contract; the end day itself is allowed', () => {
    expect(validateCirculation(circulation({ termEnd: '2028-12-31' }), ctx()).ok).toBe(true);
    expect(rules(validateCirculation(circulation({ termEnd: '2029-01-01' }), ctx()))).toEqual([
      'CIRCULATION_TERM_BEYOND_CONTRACT',
    ]);
  });

  it('CIRCULATION_TERM_BEYOND_CONTRACT: an extended contract allows a term into the extension', () => {
    const extended = contract(1, { status: 'EXTENDED', termEnd: '2058-12-31', secondRoundEnd: '2028-12-31' });
    expect(validateCirculation(circulation({ termEnd: '2040-03-01' }), ctx({ contract: extended })).ok).toBe(
      true,
    );
  });

  it('CIRCULATION_REGISTRABLE: five years or more may be registered; a day short may not', () => {
    expect(
      accepted(
        validateCirculation(
          circulation({ termEnd: '2029-03-01' }),
          ctx({ contract: contract(1, { termEnd: '2058-12-31', status: 'EXTENDED' }) }),
        ),
      ).registrable,
    ).toBe(true);
    expect(accepted(validateCirculation(circulation({ termEnd: '2028-02-29' }), ctx())).registrable).toBe(
      false,
    );
  });

  it('CIRCULATION_AGRICULTURAL_USE_ONLY: no non-agricultural use', () => {
    expect(rules(validateCirculation(circulation({ use: 'NON_AGRICULTURAL' }), ctx()))).toEqual([
      'CIRCULATION_AGRICULTURAL_USE_ONLY',
    ]);
  });

  it('CIRCULATION_WRITTEN_CONTRACT_REQUIRED / CIRCULATION_FILING_REQUIRED', () => {
    const { filing: _none, ...unfiled } = circulation({ written: false });
    expect(rules(validateCirculation(unfiled, ctx())).sort()).toEqual([
      'CIRCULATION_FILING_REQUIRED',
      'CIRCULATION_WRITTEN_CONTRACT_REQUIRED',
    ]);
  });

  it('AREA_NOT_POSITIVE / AREA_EXCEEDS_PLOT: above zero and within the plot’s contract area (equal allowed)', () => {
    expect(
      rules(validateCirculation(circulation({ plots: [{ plotCode: PLOT_11, areaMu4: 0 }] }), ctx())),
    ).toEqual(['AREA_NOT_POSITIVE']);
    expect(
      validateCirculation(circulation({ plots: [{ plotCode: PLOT_11, areaMu4: mu(2) }] }), ctx()).ok,
    ).toBe(true);
    const over = validateCirculation(
      circulation({ plots: [{ plotCode: PLOT_11, areaMu4: mu(2) + 1 }] }),
      ctx(),
    );
    expect(rules(over)).toEqual(['AREA_EXCEEDS_PLOT']);
    expect(over.ok || over.violations[0]?.field).toBe('plots[0].areaMu4');
  });

  it('CIRCULATED_AREA_EXCEEDS_PLOT: overlapping active circulations together stay within the plot', () => {
    const first = circulation({ id: 'c-a', plots: [{ plotCode: PLOT_11, areaMu4: mu(1.5) }] });
    const second = circulation({ id: 'c-b', plots: [{ plotCode: PLOT_11, areaMu4: mu(0.5) + 1 }] });
    expect(rules(validateCirculation(second, ctx({ existing: [first] })))).toEqual([
      'CIRCULATED_AREA_EXCEEDS_PLOT',
    ]);
    const fits = circulation({ id: 'c-b', plots: [{ plotCode: PLOT_11, areaMu4: mu(0.5) }] });
    expect(validateCirculation(fits, ctx({ existing: [first] })).ok).toBe(true);
    // A circulation that ends before this one starts does not compete for the land.
    const earlier = { ...first, termStart: '2020-01-01', termEnd: '2024-03-01' };
    expect(validateCirculation(second, ctx({ existing: [earlier] })).ok).toBe(true);
    const ended = { ...first, status: 'TERMINATED' as const };
    expect(validateCirculation(second, ctx({ existing: [ended] })).ok).toBe(true);
  });

  it('PLOT_NOT_IN_CONTRACT: only the contract’s plots are circulated', () => {
    expect(
      rules(
        validateCirculation(circulation({ plots: [{ plotCode: plot(99).code, areaMu4: mu(1) }] }), ctx()),
      ),
    ).toEqual(['PLOT_NOT_IN_CONTRACT']);
  });

  it('CIRCULATION_REVIEW_REQUIRED: social capital above 100 mu needs township review; exactly 100 mu does not', () => {
    const [at100, c100] = bigLease(100);
    expect(accepted(validateCirculation(at100, c100)).requiredReviewLevel).toBeUndefined();
    const [above, cAbove] = bigLease(100.0001);
    expect(rules(validateCirculation(above, cAbove))).toEqual([
      'CIRCULATION_REVIEW_REQUIRED',
      'CIRCULATION_REVIEW_REQUIRED',
    ]);
    expect(validateCirculation({ ...above, reviews: reviews('TOWNSHIP') }, cAbove).ok).toBe(true);
  });

  it('CIRCULATION_REVIEW_REQUIRED: above 1000 mu the city reviews; a township review is not enough', () => {
    const [lease, c] = bigLease(1200, { reviews: reviews('TOWNSHIP') });
    expect(rules(validateCirculation(lease, c))).toContain('CIRCULATION_REVIEW_REQUIRED');
    expect(validateCirculation({ ...lease, reviews: reviews('CITY') }, c).ok).toBe(true);
    const rejected = reviews('CITY').map((r) => ({ ...r, approved: false }));
    expect(rules(validateCirculation({ ...lease, reviews: rejected }, c))).toContain(
      'CIRCULATION_REVIEW_REQUIRED',
    );
  });

  it('CIRCULATION_REVIEW_REQUIRED: what the transferee already holds counts toward the tier', () => {
    const [lease, c] = bigLease(60);
    expect(validateCirculation(lease, c).ok).toBe(true);
    expect(rules(validateCirculation(lease, { ...c, transfereeHeldAreaMu4: mu(50) }))).toContain(
      'CIRCULATION_REVIEW_REQUIRED',
    );
  });

  it('CIRCULATION_REVIEW_REQUIRED: thresholds are policy; cooperatives are not social capital by default', () => {
    const policy = {
      ...DEFAULT_CIRCULATION_POLICY,
      reviewTiers: [{ level: 'TOWNSHIP' as const, aboveMu4: mu(10) }],
    };
    expect(reviewLevelFor(mu(11), policy)).toBe('TOWNSHIP');
    const [coop, c] = bigLease(2000, { transferee: circulation().transferee });
    expect(validateCirculation(coop, c).ok).toBe(true);
  });

  it('CIRCULATION_RISK_DEPOSIT_REQUIRED: an enterprise pays the per-mu deposit; exactly enough passes', () => {
    const [lease, c] = bigLease(50, { riskDepositPaidFen: 500_000 - 1 });
    expect(rules(validateCirculation(lease, c))).toEqual(['CIRCULATION_RISK_DEPOSIT_REQUIRED']);
    expect(
      accepted(validateCirculation({ ...lease, riskDepositPaidFen: 500_000 }, c)).requiredRiskDepositFen,
    ).toBe(500_000);
  });

  it('TRANSFEREE_CREDIT_CODE_REQUIRED / CREDIT_CODE_CHECK_CHARACTER: enterprises are identified by a valid credit code', () => {
    const { creditCode: _none, ...noCode } = enterprise;
    const [lease, c] = bigLease(10, { transferee: noCode });
    expect(rules(validateCirculation(lease, c))).toEqual(['TRANSFEREE_CREDIT_CODE_REQUIRED']);
    const code = enterprise.creditCode;
    const bad = `${code.slice(0, 17)}${code.endsWith('0') ? '1' : '0'}`;
    const [badLease, c2] = bigLease(10, { transferee: { ...enterprise, creditCode: bad } });
    expect(rules(validateCirculation(badLease, c2))).toEqual(['CREDIT_CODE_CHECK_CHARACTER']);
  });

  it('TRANSFEREE_RESIDENT_ID_REQUIRED: a household or individual transferee gives a resident ID', () => {
    const t = { kind: 'NON_MEMBER_INDIVIDUAL' as const, name: '李四', memberOfCollective: false };
    expect(rules(validateCirculation(circulation({ transferee: t }), ctx()))).toEqual([
      'TRANSFEREE_RESIDENT_ID_REQUIRED',
    ]);
    expect(
      validateCirculation(circulation({ transferee: { ...t, residentId: residentId(700) } }), ctx()).ok,
    ).toBe(true);
  });

  it('CIRCULATION_TO_SELF: a household does not lease to itself', () => {
    const t = {
      kind: 'HOUSEHOLD' as const,
      name: '自家',
      householdId: contract(1).householdId,
      residentId: residentId(11),
      memberOfCollective: true,
    };
    expect(rules(validateCirculation(circulation({ transferee: t }), ctx()))).toEqual([
      'CIRCULATION_TO_SELF',
    ]);
  });

  it('CONTRACT_NOT_IN_FORCE: a surrendered contract has no management right to circulate', () => {
    expect(
      rules(validateCirculation(circulation(), ctx({ contract: contract(1, { status: 'SURRENDERED' }) }))),
    ).toEqual(['CONTRACT_NOT_IN_FORCE']);
  });

  describe('re-circulation (再流转)', () => {
    const parent = circulation({ id: 'p', plots: [{ plotCode: PLOT_11, areaMu4: mu(1.5) }] });
    const sub = (overrides: Partial<Circulation> = {}) =>
      circulation({
        id: 's',
        parentCirculationId: 'p',
        contractorConsent: act('2024-05-01', '书面同意'),
        termStart: '2024-06-01',
        termEnd: '2026-06-01',
        plots: [{ plotCode: PLOT_11, areaMu4: mu(1.5) }],
        transferee: {
          kind: 'FAMILY_FARM',
          name: '王五家庭农场',
          residentId: residentId(800),
          memberOfCollective: true,
        },
        ...overrides,
      });

    it('RECIRCULATION_CONSENT_REQUIRED: the contractor consents in writing; the re-circulation is filed', () => {
      expect(validateCirculation(sub(), ctx({ existing: [parent], parent })).ok).toBe(true);
      const { contractorConsent: _none, filing: _f, ...bare } = sub();
      expect(rules(validateCirculation(bare, ctx({ existing: [parent], parent }))).sort()).toEqual([
        'CIRCULATION_FILING_REQUIRED',
        'RECIRCULATION_CONSENT_REQUIRED',
      ]);
    });

    it('CIRCULATION_TERM_BEYOND_PARENT / AREA_EXCEEDS_PARENT_CIRCULATION: never more than the transferee holds', () => {
      expect(rules(validateCirculation(sub({ termEnd: '2027-03-02' }), ctx({ parent })))).toEqual([
        'CIRCULATION_TERM_BEYOND_PARENT',
      ]);
      expect(
        rules(
          validateCirculation(sub({ plots: [{ plotCode: PLOT_11, areaMu4: mu(1.5) + 1 }] }), ctx({ parent })),
        ),
      ).toEqual(['AREA_EXCEEDS_PARENT_CIRCULATION']);
    });

    it('PARENT_CIRCULATION_REQUIRED: checked against the circulation it derives from', () => {
      expect(rules(validateCirculation(sub(), ctx()))).toEqual(['PARENT_CIRCULATION_REQUIRED']);
    });
  });
});

describe('early termination', () => {
  const lease = circulation({ termStart: '2021-03-01', termEnd: '2028-03-01' });
  const idle: AbandonmentReport = {
    id: 'r1',
    plotCode: PLOT_11,
    contractId: lease.contractId,
    areaMu4: mu(1),
    since: '2022-04-01',
    reportedOn: '2022-06-01',
    reporter: { principal: 'u1', role: 'VILLAGE_TASK_FORCE' },
  };

  it('CIRCULATION_EARLY_TERMINATION_GROUND: only the grounds in the law; the issuer has fewer than the contractor', () => {
    const base = {
      circulation: lease,
      by: 'CONTRACTOR' as const,
      date: '2024-06-01',
      evidenceRef: '现场核查记录',
    };
    expect(rules(terminateCirculationEarly({ ...base, ground: 'BETTER_OFFER' }))).toEqual([
      'CIRCULATION_EARLY_TERMINATION_GROUND',
    ]);
    expect(accepted(terminateCirculationEarly({ ...base, ground: 'SERIOUS_DAMAGE' }))).toMatchObject({
      status: 'TERMINATED',
      terminatedOn: '2024-06-01',
    });
    expect(terminateCirculationEarly({ ...base, ground: 'OTHER_SERIOUS_BREACH' }).ok).toBe(true);
    expect(
      rules(terminateCirculationEarly({ ...base, by: 'ISSUER', ground: 'OTHER_SERIOUS_BREACH' })),
    ).toEqual(['CIRCULATION_EARLY_TERMINATION_GROUND']);
  });

  it('IDLENESS_NOT_ESTABLISHED: idleness is proved by two consecutive years of reports', () => {
    const base = {
      circulation: lease,
      by: 'CONTRACTOR' as const,
      ground: 'IDLE_TWO_YEARS',
      evidenceRef: '抛荒报告',
    };
    expect(
      rules(terminateCirculationEarly({ ...base, date: '2024-03-31', abandonmentReports: [idle] })),
    ).toEqual(['IDLENESS_NOT_ESTABLISHED']);
    expect(terminateCirculationEarly({ ...base, date: '2024-04-01', abandonmentReports: [idle] }).ok).toBe(
      true,
    );
  });

  it('TERMINATION_EVIDENCE_REQUIRED / CIRCULATION_NOT_ACTIVE', () => {
    const base = { by: 'CONTRACTOR' as const, ground: 'SERIOUS_DAMAGE', date: '2024-06-01' };
    expect(rules(terminateCirculationEarly({ ...base, circulation: lease, evidenceRef: '' }))).toEqual([
      'TERMINATION_EVIDENCE_REQUIRED',
    ]);
    const ended = { ...lease, status: 'TERMINATED' as const };
    expect(rules(terminateCirculationEarly({ ...base, circulation: ended, evidenceRef: 'x' }))).toEqual([
      'CIRCULATION_NOT_ACTIVE',
    ]);
  });
});

describe('expiry (到期)', () => {
  const ending = (status: Circulation['status']) =>
    circulation({ termStart: '2020-01-01', termEnd: '2026-10-01', status });

  it('a circulation expires on its term end date, not before', () => {
    expect(isCirculationExpired(ending('ACTIVE'), '2026-09-30')).toBe(false);
    expect(isCirculationExpired(ending('ACTIVE'), '2026-10-01')).toBe(true);
    expect(isCirculationExpired(ending('ACTIVE'), '2030-01-01')).toBe(true);
  });

  it('expiry agrees with the day a circulation stops being in effect', () => {
    for (const day of ['2026-09-30', '2026-10-01', '2026-10-02']) {
      const inEffect = activeCirculationsOn([ending('ACTIVE')], day).length === 1;
      expect(isCirculationExpired(ending('ACTIVE'), day)).toBe(!inEffect);
    }
  });

  it('an ended circulation does not expire again', () => {
    expect(isCirculationExpired(ending('TERMINATED'), '2027-01-01')).toBe(false);
    expect(isCirculationExpired(ending('EXPIRED'), '2027-01-01')).toBe(false);
  });
});
