import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMayContractAgain,
  computeSurrenderCompensation,
  DEFAULT_SURRENDER_COMPENSATION_POLICY,
  mayContractAgain,
  type SurrenderRecord,
  type SurrenderRequest,
  surrenderContract,
} from './surrender.js';
import { accepted, act, circulation, contract, encumbrance, household, mu, rules } from './test-fixtures.js';

function request(overrides: Partial<SurrenderRequest> = {}): SurrenderRequest {
  return {
    contract: contract(1),
    household: household(1),
    surrenderDate: '2025-01-01',
    notice: { givenOn: '2024-06-30', written: true, reference: '退地申请书' },
    voluntary: true,
    hukouCondition: false,
    compensationAgreed: true,
    soilImprovementFen: 5_000,
    issuerAcceptance: act('2024-12-15', '接受退地〔2024〕9号'),
    encumbrances: [],
    ...overrides,
  };
}

describe('voluntary paid surrender (自愿有偿退出)', () => {
  it('SURRENDER_COMPENSATION_FORMULA: area × price × remaining years + soil improvement, with its breakdown', () => {
    const outcome = accepted(surrenderContract(request()));
    expect(outcome.contract.status).toBe('SURRENDERED');
    // 4 mu × 300 yuan × (3 years + 365/365) + 50 yuan.
    expect(outcome.compensation).toMatchObject({
      remaining: { wholeYears: 3, extraDays: 365 },
      landCompensationFen: 480_000,
      soilImprovementFen: 5_000,
      amountFen: 485_000,
      policyVersion: DEFAULT_SURRENDER_COMPENSATION_POLICY.version,
    });
    expect(outcome.compensation.text).toBe(
      '4.0000 mu × 30000 fen × (3 + 365/365) years + 5000 fen = 485000 fen',
    );
    expect(outcome.compensation.terms.map((t) => t.name)).toEqual([
      'area_mu',
      'per_mu_annual_price_fen',
      'remaining_years',
      'soil_improvement_fen',
      'land_compensation_fen',
    ]);
    expect(outcome.record).toMatchObject({ householdId: household(1).id, termEnd: '2028-12-31' });
  });

  it('SURRENDER_COMPENSATION_ROUNDING: the land part is rounded half up to a whole fen, once', () => {
    const policy = (perMuAnnualPriceFen: number) => ({
      ...DEFAULT_SURRENDER_COMPENSATION_POLICY,
      perMuAnnualPriceFen,
    });
    expect(computeSurrenderCompensation(1, '2025-01-01', '2026-01-01', 0, policy(5_000)).amountFen).toBe(1);
    expect(computeSurrenderCompensation(1, '2025-01-01', '2026-01-01', 0, policy(4_999)).amountFen).toBe(0);
    expect(computeSurrenderCompensation(mu(1), '2025-01-01', '2025-01-02', 0, policy(36_500)).amountFen).toBe(
      100,
    );
  });

  it('SURRENDER_COMPENSATION_FORMULA: nothing remains for a term that has ended', () => {
    const b = computeSurrenderCompensation(mu(4), '2029-01-01', '2028-12-31', 700);
    expect(b.remaining).toEqual({ totalDays: 0, wholeYears: 0, extraDays: 0 });
    expect(b.amountFen).toBe(700);
  });

  it('property: compensation is never negative and grows with the remaining term', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        (area, days) => {
          const start = '2025-01-01';
          const end = new Date(Date.UTC(2025, 0, 1 + days)).toISOString().slice(0, 10);
          const later = new Date(Date.UTC(2025, 0, 2 + days)).toISOString().slice(0, 10);
          const a = computeSurrenderCompensation(area, start, end, 0).amountFen;
          const b = computeSurrenderCompensation(area, start, later, 0).amountFen;
          expect(a).toBeGreaterThanOrEqual(0);
          expect(b).toBeGreaterThanOrEqual(a);
          expect(Number.isSafeInteger(b)).toBe(true);
        },
      ),
    );
  });

  it('SURRENDER_NOTICE_SIX_MONTHS: written notice at least six months before; the six-month day itself is enough', () => {
    expect(
      surrenderContract(request({ surrenderDate: '2024-12-30', issuerAcceptance: act('2024-12-01') })).ok,
    ).toBe(true);
    expect(
      rules(surrenderContract(request({ surrenderDate: '2024-12-29', issuerAcceptance: act('2024-12-01') }))),
    ).toEqual(['SURRENDER_NOTICE_SIX_MONTHS']);
    // 31 August + 6 months is 28 February.
    const notice = { givenOn: '2024-08-31', written: true, reference: 'x' };
    expect(
      surrenderContract(request({ notice, surrenderDate: '2025-02-28', issuerAcceptance: act('2025-01-01') }))
        .ok,
    ).toBe(true);
  });

  it('SURRENDER_NOTICE_WRITTEN: an oral notice is not notice', () => {
    const notice = { givenOn: '2024-06-30', written: false, reference: '' };
    expect(rules(surrenderContract(request({ notice })))).toEqual(['SURRENDER_NOTICE_WRITTEN']);
  });

  it('SURRENDER_MUST_BE_VOLUNTARY: never compelled', () => {
    expect(rules(surrenderContract(request({ voluntary: false })))).toEqual(['SURRENDER_MUST_BE_VOLUNTARY']);
  });

  it('SURRENDER_HUKOU_CONDITION_FORBIDDEN: never a condition for an urban hukou', () => {
    expect(rules(surrenderContract(request({ hukouCondition: true })))).toEqual([
      'SURRENDER_HUKOU_CONDITION_FORBIDDEN',
    ]);
  });

  it('RIGHT_ENCUMBERED: not while a registered mortgage covers the right', () => {
    expect(rules(surrenderContract(request({ encumbrances: [encumbrance()] })))).toEqual([
      'RIGHT_ENCUMBERED',
    ]);
    const transfereeMortgage = encumbrance({
      circulationId: 'circ-1',
      scope: { kind: 'PLOTS', plotCodes: [contract(1).plots[0]?.code ?? ''] },
    });
    expect(rules(surrenderContract(request({ encumbrances: [transfereeMortgage] })))).toEqual([
      'RIGHT_ENCUMBERED',
    ]);
  });

  it('SURRENDER_ISSUER_ACCEPTANCE_REQUIRED: the issuer accepts, on or before the surrender date', () => {
    const { issuerAcceptance: _none, ...without } = request();
    expect(rules(surrenderContract(without))).toEqual(['SURRENDER_ISSUER_ACCEPTANCE_REQUIRED']);
    expect(rules(surrenderContract(request({ issuerAcceptance: act('2025-01-02') })))).toEqual([
      'CONSENT_AFTER_ACT',
    ]);
  });

  it('SURRENDER_COMPENSATION_NOT_AGREED: a paid surrender has agreed compensation', () => {
    expect(rules(surrenderContract(request({ compensationAgreed: false })))).toEqual([
      'SURRENDER_COMPENSATION_NOT_AGREED',
    ]);
  });

  it('STATUS_TRANSITION_NOT_ALLOWED / CONTRACT_NOT_IN_FORCE: a transferred contract cannot be surrendered', () => {
    expect(
      rules(surrenderContract(request({ contract: contract(1, { status: 'TRANSFERRED' }) }))).sort(),
    ).toEqual(['CONTRACT_NOT_IN_FORCE', 'STATUS_TRANSITION_NOT_ALLOWED']);
  });

  it('a running circulation continues with the issuer in the contractor’s place', () => {
    const c = circulation();
    expect(accepted(surrenderContract(request({ circulations: [c] }))).continuingCirculations).toEqual([c]);
  });
});

describe('after a surrender', () => {
  const history: SurrenderRecord[] = [
    {
      householdId: household(1).id,
      contractId: 'c',
      issuerCode: 'x',
      surrenderedOn: '2025-01-01',
      termEnd: '2028-12-31',
    },
  ];

  it('SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT: not again within the surrendered term', () => {
    expect(rules(checkMayContractAgain(household(1), history, '2026-05-01'))).toEqual([
      'SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT',
    ]);
    expect(mayContractAgain(household(1), history, '2028-12-30')).toBe(false);
  });

  it('SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT: free again from the end of that term; other households unaffected', () => {
    expect(mayContractAgain(household(1), history, '2028-12-31')).toBe(true);
    expect(mayContractAgain(household(2), history, '2026-05-01')).toBe(true);
    expect(mayContractAgain(household(1), history, '2024-12-31')).toBe(true);
  });
});
