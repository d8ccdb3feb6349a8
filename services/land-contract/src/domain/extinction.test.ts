import { allocateByWeights } from '@pingquan/reference';
import { describe, expect, it } from 'vitest';
import { type ReclaimRequest, reclaimExtinctHousehold } from './extinction.js';
import {
  accepted,
  circulation,
  contract,
  encumbrance,
  household,
  ISSUER,
  member,
  residentId,
  rules,
  TODAY,
} from './test-fixtures.js';

const extinct = household(1, {
  members: [
    member(11, { alive: false, deceasedOn: '2023-02-01' }),
    member(12, { relation: 'SPOUSE', alive: false, deceasedOn: '2024-11-03' }),
  ],
});

function request(overrides: Partial<ReclaimRequest> = {}): ReclaimRequest {
  return {
    contract: contract(1),
    household: extinct,
    decidedOn: '2025-01-15',
    decisionRef: '西梁村股份经济合作社〔2025〕1号',
    earnedIncome: [
      { description: '2024年耕地地力保护补贴', amountFen: 48_000, earnedOn: '2024-06-30' },
      { description: '2024年流转租金', amountFen: 120_001, earnedOn: '2024-12-31' },
    ],
    heirs: [
      { name: '张三', residentId: residentId(501, '19900101'), relation: '子', amountFen: 84_001 },
      { name: '张四', relation: '女', amountFen: 84_000 },
    ],
    encumbrances: [],
    today: TODAY,
    ...overrides,
  };
}

describe('household extinction (承包方消亡)', () => {
  it('the issuer reclaims: contract RECLAIMED, plots back for re-contracting, income to the heirs in full', () => {
    const outcome = accepted(reclaimExtinctHousehold(request()));
    expect(outcome.contract.status).toBe('RECLAIMED');
    expect(outcome.returnedPlots).toHaveLength(2);
    expect(outcome.totalIncomeFen).toBe(168_001);
  });

  it('HOUSEHOLD_NOT_EXTINCT: one living member keeps the land with the household', () => {
    const h = household(1, { members: [member(11, { alive: false }), member(12, { relation: 'SPOUSE' })] });
    expect(rules(reclaimExtinctHousehold(request({ household: h })))).toEqual(['HOUSEHOLD_NOT_EXTINCT']);
  });

  it('HOUSEHOLD_NO_MEMBERS: an empty household is invalid, not extinct', () => {
    expect(rules(reclaimExtinctHousehold(request({ household: household(1, { members: [] }) })))).toEqual([
      'HOUSEHOLD_NO_MEMBERS',
    ]);
  });

  it('HEIRS_REQUIRED: earned income passes only to named heirs', () => {
    expect(rules(reclaimExtinctHousehold(request({ heirs: [] })))).toEqual(['HEIRS_REQUIRED']);
    expect(reclaimExtinctHousehold(request({ heirs: [], earnedIncome: [] })).ok).toBe(true);
  });

  it('HEIR_NAME_REQUIRED: an heir is named', () => {
    const heirs = [{ name: ' ', relation: '子', amountFen: 168_001 }];
    expect(rules(reclaimExtinctHousehold(request({ heirs })))).toEqual(['HEIR_NAME_REQUIRED']);
  });

  it('INHERITANCE_SUM_MISMATCH: the heirs receive exactly what was earned, not one fen more or less', () => {
    const short = [{ name: '张三', relation: '子', amountFen: 168_000 }];
    expect(rules(reclaimExtinctHousehold(request({ heirs: short })))).toEqual(['INHERITANCE_SUM_MISMATCH']);
    const over = [{ name: '张三', relation: '子', amountFen: 168_002 }];
    expect(rules(reclaimExtinctHousehold(request({ heirs: over })))).toEqual(['INHERITANCE_SUM_MISMATCH']);
  });

  it('INHERITANCE_SUM_MISMATCH never fires for an equal split by largest remainder', () => {
    const parts = allocateByWeights(168_001, [1, 1, 1]);
    expect(parts).toEqual([56_001, 56_000, 56_000]);
    const heirs = parts.map((amountFen, i) => ({ name: `继承人${i}`, relation: '子女', amountFen }));
    expect(reclaimExtinctHousehold(request({ heirs })).ok).toBe(true);
  });

  it('INCOME_AMOUNT_NOT_POSITIVE: income entries are whole fen above zero', () => {
    const earnedIncome = [{ description: 'x', amountFen: 0, earnedOn: '2024-01-01' }];
    expect(rules(reclaimExtinctHousehold(request({ earnedIncome, heirs: [] })))).toEqual([
      'INCOME_AMOUNT_NOT_POSITIVE',
    ]);
  });

  it('INCOME_AFTER_RECLAIM: income earned after the reclaim belongs to the collective', () => {
    const earnedIncome = [{ description: '2025租金', amountFen: 100, earnedOn: '2025-02-01' }];
    const heirs = [{ name: '张三', relation: '子', amountFen: 100 }];
    expect(rules(reclaimExtinctHousehold(request({ earnedIncome, heirs })))).toEqual([
      'INCOME_AFTER_RECLAIM',
    ]);
  });

  it('HEIR_IS_DECEASED_MEMBER: a deceased member cannot inherit', () => {
    const heirs = [{ name: '成员11', residentId: residentId(11), relation: '户主', amountFen: 168_001 }];
    expect(rules(reclaimExtinctHousehold(request({ heirs })))).toEqual(['HEIR_IS_DECEASED_MEMBER']);
  });

  it('RECLAIM_FAMILY_CONTRACT_ONLY: heirs continue a tender/auction contract (Art 54) instead', () => {
    const c = contract(1, { mode: 'AUCTION', code: `${ISSUER}00013` });
    expect(rules(reclaimExtinctHousehold(request({ contract: c })))).toEqual([
      'RECLAIM_FAMILY_CONTRACT_ONLY',
    ]);
  });

  it('STATUS_TRANSITION_NOT_ALLOWED: an already surrendered contract is not reclaimed', () => {
    expect(
      rules(reclaimExtinctHousehold(request({ contract: contract(1, { status: 'SURRENDERED' }) }))),
    ).toEqual(['STATUS_TRANSITION_NOT_ALLOWED']);
  });

  it('RIGHT_ENCUMBERED: land under a registered mortgage is not reclaimed until released', () => {
    expect(rules(reclaimExtinctHousehold(request({ encumbrances: [encumbrance()] })))).toEqual([
      'RIGHT_ENCUMBERED',
    ]);
  });

  it('a running circulation continues with the issuer in the contractor’s place', () => {
    const c = circulation({ termEnd: '2027-03-01' });
    expect(accepted(reclaimExtinctHousehold(request({ circulations: [c] }))).continuingCirculations).toEqual([
      c,
    ]);
  });
});
