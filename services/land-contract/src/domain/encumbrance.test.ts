import { describe, expect, it } from 'vitest';
import {
  checkManagementRightMortgage,
  collateralView,
  isEncumbered,
  type ManagementRightMortgageRequest,
} from './encumbrance.js';
import {
  act,
  circulation,
  contract,
  encumbrance,
  household,
  member,
  mu,
  plot,
  rules,
} from './test-fixtures.js';

const PLOT_11 = plot(11).code;
const PLOT_12 = plot(12).code;

describe('encumbrance', () => {
  it('RIGHT_ENCUMBERED: a mortgage counts from registration until its release day', () => {
    const e = encumbrance({ registeredOn: '2024-01-10', releasedOn: '2025-01-10' });
    expect(isEncumbered(contract(1), [e], '2024-01-09')).toBe(false);
    expect(isEncumbered(contract(1), [e], '2024-01-10')).toBe(true);
    expect(isEncumbered(contract(1), [e], '2025-01-09')).toBe(true);
    expect(isEncumbered(contract(1), [e], '2025-01-10')).toBe(false);
  });

  it('RIGHT_ENCUMBERED: a plot mortgage covers that plot only; a whole-contract mortgage covers all', () => {
    const onPlot = encumbrance({ scope: { kind: 'PLOTS', plotCodes: [PLOT_11] } });
    expect(isEncumbered(contract(1), [onPlot], '2024-06-01', [PLOT_11])).toBe(true);
    expect(isEncumbered(contract(1), [onPlot], '2024-06-01', [PLOT_12])).toBe(false);
    expect(isEncumbered(contract(1), [encumbrance()], '2024-06-01', [PLOT_12])).toBe(true);
    expect(isEncumbered(contract(2), [encumbrance()], '2024-06-01')).toBe(false);
  });
});

describe('collateral view (VerifyCollateral)', () => {
  const asOf = '2025-01-01';

  it('shows holder, remaining term, area, encumbrances and their total', () => {
    const view = collateralView({
      contract: contract(1),
      household: household(1),
      encumbrances: [encumbrance(), encumbrance({ mortgageId: 'm-2', securedAmountFen: 1_000_000 })],
      circulations: [],
      asOf,
    });
    expect(view).toMatchObject({
      holderHouseholdId: household(1).id,
      eligible: true,
      areaMu4: mu(4),
      securedTotalFen: 6_000_000,
      remaining: { totalDays: 1460, wholeYears: 3, extraDays: 365 },
    });
    expect(view.plots.every((p) => p.encumbered)).toBe(true);
  });

  it('CONTRACT_NOT_IN_FORCE / CONTRACT_TERM_ENDED: only an ACTIVE or EXTENDED contract with term left is collateral', () => {
    for (const status of ['SURRENDERED', 'RECLAIMED', 'TRANSFERRED', 'TERMINATED'] as const) {
      const view = collateralView({
        contract: contract(1, { status }),
        encumbrances: [],
        circulations: [],
        asOf,
      });
      expect(view.eligible).toBe(false);
      expect(rules(view.ineligibility)).toEqual(['CONTRACT_NOT_IN_FORCE']);
    }
    const extended = contract(1, { status: 'EXTENDED', termEnd: '2058-12-31' });
    expect(collateralView({ contract: extended, encumbrances: [], circulations: [], asOf }).eligible).toBe(
      true,
    );
    const expired = collateralView({
      contract: contract(1),
      encumbrances: [],
      circulations: [],
      asOf: '2028-12-31',
    });
    expect(rules(expired.ineligibility)).toEqual(['CONTRACT_TERM_ENDED']);
    expect(expired.remaining.totalDays).toBe(0);
  });

  it('HOUSEHOLD_EXTINCT: an extinct household’s right is not collateral', () => {
    const dead = household(1, { members: [member(11, { alive: false })] });
    const view = collateralView({
      contract: contract(1),
      household: dead,
      encumbrances: [],
      circulations: [],
      asOf,
    });
    expect(rules(view.ineligibility)).toEqual(['HOUSEHOLD_EXTINCT']);
  });

  it('a transferee’s circulated right secures only up to the circulation term end', () => {
    const lease = circulation({ termStart: '2024-03-01', termEnd: '2027-03-01' });
    const mortgage = encumbrance({
      mortgageId: 'm-t',
      circulationId: lease.id,
      scope: { kind: 'PLOTS', plotCodes: [PLOT_11] },
    });
    const view = collateralView({
      contract: contract(1),
      encumbrances: [mortgage],
      circulations: [lease],
      asOf,
    });
    expect(view.circulatedRights).toHaveLength(1);
    expect(view.circulatedRights[0]).toMatchObject({
      circulationId: lease.id,
      securableUntil: '2027-03-01',
      areaMu4: mu(1),
      securedTotalFen: 5_000_000,
    });
    expect(view.plots.find((p) => p.code === PLOT_11)?.circulatedAreaMu4).toBe(mu(1));
    expect(view.plots.find((p) => p.code === PLOT_12)?.circulatedAreaMu4).toBe(0);
  });
});

describe('mortgage of a management right (LCL Art 47)', () => {
  const lease = circulation({ termStart: '2024-03-01', termEnd: '2027-03-01' });
  function request(overrides: Partial<ManagementRightMortgageRequest> = {}): ManagementRightMortgageRequest {
    return {
      contract: contract(1),
      mortgagor: { kind: 'TRANSFEREE', circulation: lease, contractorConsent: act('2024-05-01', '书面同意') },
      plotCodes: [PLOT_11],
      securedUntil: '2027-03-01',
      filing: act('2024-05-02', '抵押备案'),
      circulations: [lease],
      asOf: '2024-05-03',
      ...overrides,
    };
  }

  it('MORTGAGE_BEYOND_CIRCULATION_TERM: a transferee secures up to its circulation end, no further', () => {
    expect(checkManagementRightMortgage(request())).toEqual([]);
    expect(rules(checkManagementRightMortgage(request({ securedUntil: '2027-03-02' })))).toEqual([
      'MORTGAGE_BEYOND_CIRCULATION_TERM',
    ]);
  });

  it('MORTGAGE_CONTRACTOR_CONSENT_REQUIRED: a transferee needs the contractor’s written consent', () => {
    expect(
      rules(checkManagementRightMortgage(request({ mortgagor: { kind: 'TRANSFEREE', circulation: lease } }))),
    ).toEqual(['MORTGAGE_CONTRACTOR_CONSENT_REQUIRED']);
  });

  it('MORTGAGE_FILING_REQUIRED: every management-right mortgage is filed with the issuer', () => {
    const { filing: _none, ...without } = request();
    expect(rules(checkManagementRightMortgage(without))).toEqual(['MORTGAGE_FILING_REQUIRED']);
  });

  it('MANAGEMENT_RIGHT_CIRCULATED: the contractor cannot mortgage what a transferee holds now', () => {
    const own = request({ mortgagor: { kind: 'CONTRACTOR' }, securedUntil: '2028-12-31' });
    expect(rules(checkManagementRightMortgage(own))).toEqual(['MANAGEMENT_RIGHT_CIRCULATED']);
    expect(checkManagementRightMortgage({ ...own, plotCodes: [PLOT_12] })).toEqual([]);
  });

  it('MORTGAGE_BEYOND_CONTRACT_TERM: nobody secures beyond the contract term', () => {
    const own = request({
      mortgagor: { kind: 'CONTRACTOR' },
      plotCodes: [PLOT_12],
      securedUntil: '2029-01-01',
    });
    expect(rules(checkManagementRightMortgage(own))).toEqual(['MORTGAGE_BEYOND_CONTRACT_TERM']);
  });

  it('PLOT_NOT_IN_CIRCULATION: a transferee mortgages only plots of its circulation', () => {
    expect(rules(checkManagementRightMortgage(request({ plotCodes: [PLOT_12] })))).toEqual([
      'PLOT_NOT_IN_CIRCULATION',
    ]);
  });
});
