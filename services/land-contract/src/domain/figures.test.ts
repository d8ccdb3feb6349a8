import { describe, expect, it } from 'vitest';
import { type ContractFigureRow, leadingGroupFigures, ratio } from './figures.js';
import { ISSUER, mu, OTHER_ISSUER, plot, VILLAGE } from './test-fixtures.js';

const TOWNSHIP = VILLAGE.slice(0, 9);
const GROUP_1 = `${VILLAGE}01`;

function row(overrides: Partial<ContractFigureRow>): ContractFigureRow {
  return {
    issuerCode: ISSUER,
    mode: 'FAMILY',
    status: 'ACTIVE',
    termEnd: '2028-12-31',
    areaMu4: mu(1),
    ...overrides,
  };
}

describe('leading-group figures', () => {
  const figures = leadingGroupFigures({
    asOf: '2025-01-01',
    contracts: [
      row({ areaMu4: mu(1.0001) }),
      row({ issuerCode: GROUP_1, areaMu4: mu(2.0002) }),
      row({ status: 'EXTENDED', termEnd: '2058-12-31', secondRoundEnd: '2028-12-31', areaMu4: mu(3) }),
      row({ status: 'SURRENDERED', areaMu4: mu(0.5) }),
      row({ status: 'RECLAIMED', areaMu4: mu(0.25) }),
      row({ issuerCode: OTHER_ISSUER, termEnd: '2040-01-01', areaMu4: mu(7) }),
    ],
    circulations: [
      {
        issuerCode: ISSUER,
        status: 'ACTIVE',
        termStart: '2024-01-01',
        termEnd: '2027-01-01',
        areaMu4: mu(1.5),
      },
      // A re-circulation of the same land is not counted twice.
      {
        issuerCode: ISSUER,
        status: 'ACTIVE',
        termStart: '2024-06-01',
        termEnd: '2026-01-01',
        areaMu4: mu(1.5),
        parentCirculationId: 'p',
      },
      {
        issuerCode: ISSUER,
        status: 'ACTIVE',
        termStart: '2025-06-01',
        termEnd: '2027-01-01',
        areaMu4: mu(9),
      },
      {
        issuerCode: ISSUER,
        status: 'TERMINATED',
        termStart: '2024-01-01',
        termEnd: '2027-01-01',
        areaMu4: mu(9),
      },
    ],
    certifications: [
      { issuerCode: ISSUER, householdId: 'h1', stage: 'CERTIFIED' },
      { issuerCode: ISSUER, householdId: 'h2', stage: 'REGISTERED' },
      { issuerCode: GROUP_1, householdId: 'h3', stage: 'CERTIFIED' },
    ],
    abandonment: [
      { plotCode: plot(11).code, areaMu4: mu(0.3), since: '2024-04-01' },
      { plotCode: plot(11).code, areaMu4: mu(0.4), since: '2024-05-01' },
      { plotCode: plot(12).code, areaMu4: mu(1), since: '2024-04-01', resumedOn: '2024-10-01' },
    ],
  });
  const village = figures.villages.find((f) => f.code === VILLAGE);
  const city = figures.city[0];

  it('FIGURES_BY_TOWNSHIP_AND_VILLAGE: a village rolls up its group issuers; townships roll up villages', () => {
    expect(figures.villages.map((f) => f.code)).toEqual([VILLAGE, OTHER_ISSUER.slice(0, 12)]);
    expect(figures.townships.map((f) => f.code)).toEqual([TOWNSHIP]);
    expect(city?.code).toBe('130881');
  });

  it('FIGURES_DUE_AND_EXTENDED: counts and areas summed exactly in Mu4', () => {
    expect(village?.dueForExtension).toEqual({ count: 2, areaMu4: mu(3.0003) });
    expect(village?.extended).toEqual({ count: 1, areaMu4: mu(3) });
    expect(village?.contractsInForce).toEqual({ count: 3, areaMu4: mu(6.0003) });
    expect(city?.dueForExtension).toEqual({ count: 2, areaMu4: mu(3.0003) });
  });

  it('FIGURES_SURRENDERED_RECLAIMED: ended contracts are counted by how they ended', () => {
    expect(village?.surrendered).toEqual({ count: 1, areaMu4: mu(0.5) });
    expect(village?.reclaimed).toEqual({ count: 1, areaMu4: mu(0.25) });
  });

  it('FIGURES_CERTIFIED_SHARE: certified households over all households of the campaign', () => {
    expect(village?.certifiedShare).toEqual({ numerator: 2, denominator: 3, basisPoints: 6667 });
  });

  it('FIGURES_CIRCULATED_SHARE: active first-level circulations in effect over contracted area in force', () => {
    expect(village?.circulatedAreaMu4).toBe(mu(1.5));
    expect(village?.circulatedShare.basisPoints).toBe(2500);
  });

  it('FIGURES_ABANDONED_AREA: open reports only, the largest per plot', () => {
    expect(village?.abandonedAreaMu4).toBe(mu(0.4));
  });

  it('ratio: no share of nothing', () => {
    expect(ratio(0, 0).basisPoints).toBeNull();
    expect(ratio(1, 3).basisPoints).toBe(3333);
  });
});
