import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  CONTRACT_STATUSES,
  canTransition,
  checkInForce,
  DEFAULT_CONTRACT_POLICY,
  isInForce,
  validateNewContract,
} from './contract-rules.js';
import { contract, household, ISSUER, mu, OTHER_ISSUER, plot, rules } from './test-fixtures.js';

describe('contract status transitions', () => {
  it('STATUS_TRANSITION_NOT_ALLOWED: every end status is final', () => {
    for (const final of ['TRANSFERRED', 'SURRENDERED', 'RECLAIMED', 'TERMINATED'] as const) {
      for (const to of CONTRACT_STATUSES) {
        expect(rules(assertTransition(final, to))).toEqual(['STATUS_TRANSITION_NOT_ALLOWED']);
      }
    }
  });

  it('STATUS_TRANSITION_NOT_ALLOWED: an extended contract cannot go back to ACTIVE or be extended again', () => {
    expect(canTransition('EXTENDED', 'ACTIVE')).toBe(false);
    expect(canTransition('EXTENDED', 'EXTENDED')).toBe(false);
    expect(rules(assertTransition('ACTIVE', 'ACTIVE'))).toEqual(['STATUS_TRANSITION_NOT_ALLOWED']);
  });

  it('an ACTIVE or EXTENDED contract may be transferred, surrendered, reclaimed or terminated', () => {
    for (const from of ['ACTIVE', 'EXTENDED'] as const) {
      for (const to of ['TRANSFERRED', 'SURRENDERED', 'RECLAIMED', 'TERMINATED'] as const) {
        expect(assertTransition(from, to)).toEqual([]);
      }
    }
    expect(assertTransition('ACTIVE', 'EXTENDED')).toEqual([]);
  });

  it('EXTENDED behaves as in force, like ACTIVE', () => {
    expect(CONTRACT_STATUSES.filter(isInForce)).toEqual(['ACTIVE', 'EXTENDED']);
  });

  it('CONTRACT_NOT_IN_FORCE / CONTRACT_TERM_ENDED: the term end is the expiry point', () => {
    const c = contract(1);
    expect(checkInForce(c, '2028-12-30')).toEqual([]);
    expect(rules(checkInForce(c, '2028-12-31'))).toEqual(['CONTRACT_TERM_ENDED']);
    expect(rules(checkInForce({ ...c, status: 'SURRENDERED' }, '2025-01-01'))).toEqual([
      'CONTRACT_NOT_IN_FORCE',
    ]);
    expect(rules(checkInForce(c, '1998-12-31'))).toEqual(['CONTRACT_TERM_NOT_STARTED']);
  });
});

describe('validateNewContract', () => {
  it('accepts a well-formed second-round family contract', () => {
    expect(validateNewContract(contract(1), { household: household(1) })).toEqual([]);
  });

  it('CONTRACT_TERM_ORDER: the term must end after it starts (equal dates are refused)', () => {
    expect(rules(validateNewContract(contract(1, { termEnd: '1999-01-01' })))).toEqual([
      'CONTRACT_TERM_ORDER',
    ]);
    expect(rules(validateNewContract(contract(1, { termEnd: '1998-01-01' })))).toEqual([
      'CONTRACT_TERM_ORDER',
    ]);
  });

  it('CONTRACT_HAS_NO_PLOTS: a contract covers at least one plot', () => {
    expect(rules(validateNewContract(contract(1, { plots: [] })))).toEqual(['CONTRACT_HAS_NO_PLOTS']);
  });

  it('PLOT_CODE_DUPLICATE: plot codes are unique within the contract', () => {
    expect(rules(validateNewContract(contract(1, { plots: [plot(11), plot(11)] })))).toEqual([
      'PLOT_CODE_DUPLICATE',
    ]);
  });

  it('PLOT_OUTSIDE_ISSUER: a plot code begins with the issuer code', () => {
    const result = validateNewContract(contract(1, { plots: [plot(11), plot(12, {}, OTHER_ISSUER)] }));
    expect(rules(result)).toEqual(['PLOT_OUTSIDE_ISSUER']);
    expect(result[0]?.field).toBe('plots[1].code');
  });

  it('AREA_NOT_POSITIVE / AREA_TOO_LARGE: contract and surveyed area are above zero and within the policy bound', () => {
    const max = DEFAULT_CONTRACT_POLICY.maxPlotAreaMu4;
    expect(validateNewContract(contract(1, { plots: [plot(11, { contractAreaMu4: max })] }))).toEqual([]);
    expect(validateNewContract(contract(1, { plots: [plot(11, { contractAreaMu4: 1 })] }))).toEqual([]);
    const zero = validateNewContract(contract(1, { plots: [plot(11, { contractAreaMu4: 0 })] }));
    expect(rules(zero)).toEqual(['AREA_NOT_POSITIVE']);
    expect(zero[0]?.field).toBe('plots[0].contractAreaMu4');
    expect(
      rules(validateNewContract(contract(1, { plots: [plot(11, { contractAreaMu4: max + 1 })] }))),
    ).toEqual(['AREA_TOO_LARGE']);
    expect(
      rules(validateNewContract(contract(1, { plots: [plot(11, { surveyedAreaMu4: -mu(1) })] }))),
    ).toEqual(['AREA_NOT_POSITIVE']);
  });

  it('AREA_TOO_LARGE: the per-plot bound is a policy value', () => {
    const policy = { ...DEFAULT_CONTRACT_POLICY, maxPlotAreaMu4: mu(1) };
    expect(rules(validateNewContract(contract(1), { policy }))).toContain('AREA_TOO_LARGE');
  });

  it('CONTRACT_CODE_MODE_MISMATCH: the code ends with the digit of the contract mode', () => {
    expect(rules(validateNewContract(contract(1, { mode: 'TENDER' })))).toEqual([
      'CONTRACT_CODE_MODE_MISMATCH',
    ]);
    expect(validateNewContract(contract(1, { mode: 'TENDER', code: `${ISSUER}00012` }))).toEqual([]);
  });

  it('CONTRACT_CODE_ISSUER_MISMATCH: the code begins with the issuer code', () => {
    expect(rules(validateNewContract(contract(1, { code: `${OTHER_ISSUER}00011` })))).toEqual([
      'CONTRACT_CODE_ISSUER_MISMATCH',
    ]);
  });

  it('CONTRACT_CODE_HOUSEHOLD_MISMATCH: the code is the household code plus the mode digit', () => {
    expect(
      rules(validateNewContract(contract(1), { household: { ...household(1), code: `${ISSUER}0002` } })),
    ).toEqual(['CONTRACT_CODE_HOUSEHOLD_MISMATCH']);
  });

  it('CONTRACT_CODE_FORMAT: a contract code is 19 digits', () => {
    expect(rules(validateNewContract(contract(1, { code: '123' })))).toEqual(['CONTRACT_CODE_FORMAT']);
  });

  it('CONTRACTOR_OUTSIDE_COLLECTIVE: family contracting goes to households of the same collective', () => {
    const outsider = { ...household(1, {}, OTHER_ISSUER), id: `hh-${ISSUER}-1`, code: `${ISSUER}0001` };
    expect(rules(validateNewContract(contract(1), { household: outsider }))).toEqual([
      'CONTRACTOR_OUTSIDE_COLLECTIVE',
    ]);
  });

  it('PLOT_ALREADY_CONTRACTED: a plot is held by one contract in force at a time', () => {
    const taken = new Set([plot(11).code]);
    expect(rules(validateNewContract(contract(1), { contractedPlotCodes: taken }))).toEqual([
      'PLOT_ALREADY_CONTRACTED',
    ]);
  });

  it('PLOT_BOUNDARY_REQUIRED: all four boundaries are recorded unless policy waives it', () => {
    const c = contract(1, {
      plots: [plot(11, { boundaries: { east: '', south: 'x', west: 'x', north: 'x' } })],
    });
    const result = validateNewContract(c);
    expect(rules(result)).toEqual(['PLOT_BOUNDARY_REQUIRED']);
    expect(result[0]?.field).toBe('plots[0].boundaries.east');
    expect(
      validateNewContract(c, { policy: { ...DEFAULT_CONTRACT_POLICY, requireBoundaries: false } }),
    ).toEqual([]);
  });

  it('CONTRACT_INITIAL_STATUS: a contract enters the register in force', () => {
    expect(rules(validateNewContract(contract(1, { status: 'SURRENDERED' })))).toEqual([
      'CONTRACT_INITIAL_STATUS',
    ]);
  });

  it('SECOND_ROUND_END_AFTER_TERM_END: the second round cannot expire after the contract term', () => {
    expect(rules(validateNewContract(contract(1, { secondRoundEnd: '2029-01-01' })))).toEqual([
      'SECOND_ROUND_END_AFTER_TERM_END',
    ]);
  });

  it('reports every violation at once, each with its field', () => {
    const result = validateNewContract(
      contract(1, { termEnd: '1990-01-01', plots: [plot(11, { contractAreaMu4: 0 })] }),
    );
    expect(rules(result).sort()).toEqual(['AREA_NOT_POSITIVE', 'CONTRACT_TERM_ORDER']);
  });
});
