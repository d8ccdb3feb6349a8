import { describe, expect, it } from 'vitest';
import {
  checkCollateralFacts,
  checkCollectivePledge,
  checkCompleteness,
  checkConsents,
  checkSecuredCap,
  existingSecured,
  securedCapFen,
} from './collateral.js';
import type { CollateralFacts, CollateralRef, Party } from './model.js';

const ref: CollateralRef = { rightType: 'LAND_MANAGEMENT', rightId: 'c1', plotCodes: [], circulationId: '' };
const household: Party = {
  kind: 'HOUSEHOLD',
  name: '张三',
  idNumber: '130881197001010012',
  householdId: 'h1',
};
const facts: CollateralFacts = {
  ownerService: 'land-contract',
  asOf: '2026-11-26',
  rightType: 'LAND_MANAGEMENT',
  rightId: 'c1',
  townshipCode: '130881102',
  villageCode: '130881102201',
  holderHouseholdId: 'h1',
  holderIdNumber: '',
  securableUntil: '2058-09-30',
  remainingDays: 11_630,
  areaMu4: 75_000,
  eligible: true,
  ineligibility: [],
  encumbrances: [],
  collectiveProperty: false,
  heldByTransferee: false,
  onlyHome: undefined,
};

describe('collateral rules', () => {
  it('LTV cap: the total secured on a right never exceeds valuation × the LTV cap', () => {
    expect(securedCapFen(1_000_001, 7000)).toBe(700_000);
    expect(
      checkSecuredCap({ valuationFen: 1_000_000, ltvBp: 7000, existingFen: 0, requestedFen: 700_000 }),
    ).toEqual([]);
    expect(
      checkSecuredCap({ valuationFen: 1_000_000, ltvBp: 7000, existingFen: 0, requestedFen: 700_001 }).map(
        (v) => v.rule,
      ),
    ).toEqual(['SECURED_OVER_CAP']);
    expect(
      checkSecuredCap({
        valuationFen: 1_000_000,
        ltvBp: 7000,
        existingFen: 400_000,
        requestedFen: 300_001,
      }).map((v) => v.rule),
    ).toEqual(['SECURED_OVER_CAP']);
  });

  it('refuses a right already fully encumbered (RIGHT_FULLY_ENCUMBERED)', () => {
    expect(
      checkSecuredCap({ valuationFen: 1_000_000, ltvBp: 7000, existingFen: 700_000, requestedFen: 1 }).map(
        (v) => v.rule,
      ),
    ).toEqual(['RIGHT_FULLY_ENCUMBERED']);
  });

  it('counts a mortgage known both here and in the owner once, and only on overlapping scopes', () => {
    const onPlot = (id: string, plots: string[], fen: number) => ({
      mortgageId: id,
      collateral: { ...ref, plotCodes: plots },
      securedAmountFen: fen,
    });
    const offered = { ...ref, plotCodes: ['p1'] };
    const result = existingSecured(
      offered,
      [onPlot('m1', ['p1'], 100), onPlot('m2', ['p2'], 200), onPlot('m3', [], 300)],
      [
        { mortgageId: 'm1', securedAmountFen: 100 },
        { mortgageId: 'm9', securedAmountFen: 50 },
      ],
    );
    expect(result).toEqual({ mortgageIds: ['m1', 'm3', 'm9'], totalFen: 450 });
  });

  it('term beyond the right is refused (MORTGAGE_BEYOND_RIGHT_TERM)', () => {
    expect(checkCollateralFacts(facts, household, '2058-09-30')).toEqual([]);
    expect(checkCollateralFacts(facts, household, '2058-10-01').map((v) => v.rule)).toEqual([
      'MORTGAGE_BEYOND_RIGHT_TERM',
    ]);
  });

  it('the owner’s findings become refusals with the owner’s rule names', () => {
    const out = checkCollateralFacts(
      {
        ...facts,
        eligible: false,
        ineligibility: [{ rule: 'HOUSEHOLD_EXTINCT', field: 'household', message: 'gone' }],
      },
      household,
      '2030-01-01',
    );
    expect(out.map((v) => v.rule)).toEqual(['HOUSEHOLD_EXTINCT']);
  });

  it('only the holder mortgages a right (MORTGAGOR_NOT_HOLDER)', () => {
    expect(
      checkCollateralFacts(facts, { ...household, householdId: 'h2' }, '2030-01-01').map((v) => v.rule),
    ).toEqual(['MORTGAGOR_NOT_HOLDER']);
  });

  it('officers may never pledge collective property for others (COLLECTIVE_PROPERTY_PLEDGED_FOR_OTHERS)', () => {
    const collective: Party = {
      kind: 'COLLECTIVE',
      name: '村股份经济合作社',
      idNumber: 'N2130881MA0000001X',
    };
    expect(checkCollectivePledge(true, collective, household).map((v) => v.rule)).toEqual([
      'COLLECTIVE_PROPERTY_PLEDGED_FOR_OTHERS',
    ]);
    expect(checkCollectivePledge(true, collective, collective)).toEqual([]);
    expect(checkCollectivePledge(false, household, household)).toEqual([]);
  });

  it('a transferee needs the contractor’s written consent (CONTRACTOR_CONSENT_REQUIRED)', () => {
    const circulated = { ...ref, circulationId: 'circ1' };
    expect(
      checkConsents(circulated, { heldByTransferee: true, collectiveProperty: false }, []).map((v) => v.rule),
    ).toEqual(['CONTRACTOR_CONSENT_REQUIRED']);
    const consent = {
      kind: 'CONTRACTOR_WRITTEN_CONSENT' as const,
      number: 'TY-1',
      title: '',
      issuedBy: '',
      issuedOn: '',
    };
    expect(
      checkConsents(circulated, { heldByTransferee: true, collectiveProperty: false }, [consent]),
    ).toEqual([]);
    expect(
      checkConsents(ref, { heldByTransferee: false, collectiveProperty: true }, []).map((v) => v.rule),
    ).toEqual(['COLLECTIVE_RESOLUTION_REQUIRED']);
  });

  it('a complete application holds identity, credit report, contracts and the issuer filing', () => {
    expect(checkCompleteness(ref, []).map((v) => v.rule)).toEqual(['APPLICATION_INCOMPLETE']);
    const docs = ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT', 'ISSUER_FILING'].map(
      (kind) => ({
        kind: kind as 'IDENTITY',
        number: 'x',
        title: '',
        issuedBy: '',
        issuedOn: '',
      }),
    );
    expect(checkCompleteness(ref, docs)).toEqual([]);
  });
});
