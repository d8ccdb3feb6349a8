import {
  bpOfFloor,
  compareDates,
  type Fen,
  type LocalDate,
  type RuleViolation,
  sumFen,
  violation,
} from '@pingquan/reference';
import type { CollateralFacts, CollateralRef, DocumentKindName, DocumentRef, Party } from './model.js';
import { RIGHT_TYPES } from './rights.js';

/** A mortgage on the same right whose scope overlaps the one offered. */
export interface StandingMortgage {
  mortgageId: string;
  collateral: CollateralRef;
  securedAmountFen: Fen;
}

/** Two scopes of one right overlap unless both name plots and share none (empty = the whole right). */
export function scopesOverlap(a: CollateralRef, b: CollateralRef): boolean {
  if (a.rightType !== b.rightType || a.rightId !== b.rightId) return false;
  if (a.plotCodes.length === 0 || b.plotCodes.length === 0) return true;
  return a.plotCodes.some((code) => b.plotCodes.includes(code));
}

/**
 * Mortgages already securing the offered scope: those registered here and those the owner reports,
 * each counted once (the owner learns ours from our events, so most appear in both).
 */
export function existingSecured(
  collateral: CollateralRef,
  registeredHere: readonly StandingMortgage[],
  ownerReported: CollateralFacts['encumbrances'],
  excludeMortgageId?: string,
): { mortgageIds: string[]; totalFen: Fen } {
  const byId = new Map<string, Fen>();
  for (const m of registeredHere) {
    if (m.mortgageId !== excludeMortgageId && scopesOverlap(collateral, m.collateral))
      byId.set(m.mortgageId, m.securedAmountFen);
  }
  for (const e of ownerReported) {
    if (e.mortgageId !== excludeMortgageId && !byId.has(e.mortgageId))
      byId.set(e.mortgageId, e.securedAmountFen);
  }
  return { mortgageIds: [...byId.keys()].sort(), totalFen: sumFen(byId.values()) };
}

/** valuation × LTV cap, rounded down to a fen so that rounding never lets a loan past the cap. */
export function securedCapFen(valuationFen: Fen, ltvBp: number): Fen {
  return bpOfFloor(valuationFen, ltvBp);
}

/**
 * The total secured on a right never exceeds its valuation × the product's loan-to-value cap:
 * RIGHT_FULLY_ENCUMBERED when nothing is left, SECURED_OVER_CAP when the amount asked is more than is left.
 */
export function checkSecuredCap(input: {
  valuationFen: Fen;
  ltvBp: number;
  existingFen: Fen;
  requestedFen: Fen;
  field?: string;
}): RuleViolation[] {
  const field = input.field ?? 'securedAmountFen';
  const cap = securedCapFen(input.valuationFen, input.ltvBp);
  if (input.existingFen >= cap) {
    return [
      violation(
        'RIGHT_FULLY_ENCUMBERED',
        field,
        `Mortgages already secure ${input.existingFen} fen on this right, its whole cap of ${cap} fen (valuation × ${input.ltvBp / 100}%).`,
      ),
    ];
  }
  if (input.existingFen + input.requestedFen > cap) {
    return [
      violation(
        'SECURED_OVER_CAP',
        field,
        `At most ${cap - input.existingFen} fen more can be secured on this right (cap ${cap} fen = valuation × ${input.ltvBp / 100}%, ${input.existingFen} fen already secured).`,
      ),
    ];
  }
  return [];
}

/**
 * What the owner said, as rules: the right must be eligible in its owner, held by the mortgagor, and
 * last at least as long as the mortgage (MORTGAGE_BEYOND_RIGHT_TERM).
 */
export function checkCollateralFacts(
  facts: CollateralFacts,
  mortgagor: Party,
  termEnd: LocalDate,
): RuleViolation[] {
  const v: RuleViolation[] = facts.ineligibility.map((f) =>
    violation(f.rule || 'COLLATERAL_NOT_ELIGIBLE', `collateral.${f.field}`, f.message),
  );
  if (!facts.eligible && v.length === 0) {
    v.push(
      violation(
        'COLLATERAL_NOT_ELIGIBLE',
        'collateral',
        `${facts.ownerService} does not accept this right as collateral.`,
      ),
    );
  }
  // The holder is known by its household in the register when it has one, else by its identity number
  // (a masked number from the owner proves nothing either way, so it is not compared).
  if (facts.holderHouseholdId) {
    if (mortgagor.householdId !== facts.holderHouseholdId) {
      v.push(
        violation(
          'MORTGAGOR_NOT_HOLDER',
          'mortgagor.householdId',
          'The mortgagor is not the household that holds the right in its owner’s register.',
        ),
      );
    }
  } else if (
    facts.holderIdNumber &&
    !facts.holderIdNumber.includes('*') &&
    facts.holderIdNumber.toUpperCase() !== mortgagor.idNumber.toUpperCase()
  ) {
    v.push(
      violation(
        'MORTGAGOR_NOT_HOLDER',
        'mortgagor.idNumber',
        'The mortgagor is not the registered holder of the right.',
      ),
    );
  }
  if (facts.securableUntil !== undefined && compareDates(termEnd, facts.securableUntil) > 0) {
    v.push(
      violation(
        'MORTGAGE_BEYOND_RIGHT_TERM',
        'termEndDate',
        `The right can secure a loan until ${facts.securableUntil} at the latest; the mortgage may not run beyond it.`,
      ),
    );
  }
  return v;
}

/**
 * Collective property secures only the collective's own debts: a guarantee by its officers for anyone
 * else is void (Rural Collective Economic Organisation Law 2024, Art 44).
 */
export function checkCollectivePledge(
  collectiveProperty: boolean,
  mortgagor: Party,
  debtor: Party,
): RuleViolation[] {
  const forOthers = mortgagor.idNumber.toUpperCase() !== debtor.idNumber.toUpperCase();
  if ((collectiveProperty || mortgagor.kind === 'COLLECTIVE') && forOthers) {
    return [
      violation(
        'COLLECTIVE_PROPERTY_PLEDGED_FOR_OTHERS',
        'debtor',
        'Collective property may not be pledged for another’s debt; such a guarantee is void (集体经济组织法 Art 44).',
      ),
    ];
  }
  return [];
}

function has(documents: readonly DocumentRef[], kind: DocumentKindName): boolean {
  return documents.some((d) => d.kind === kind);
}

/**
 * Consents a mortgage needs before it can be accepted: the contractor's written consent when a
 * transferee mortgages a circulated management right (LCL Art 47); the co-owners' consent for a farmer
 * house (2016 measures Art 6); the collective's resolution when collective property is pledged.
 */
export function checkConsents(
  collateral: CollateralRef,
  facts: Pick<CollateralFacts, 'heldByTransferee' | 'collectiveProperty'>,
  documents: readonly DocumentRef[],
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (collateral.rightType === 'LAND_MANAGEMENT' && (facts.heldByTransferee || collateral.circulationId)) {
    if (!has(documents, 'CONTRACTOR_WRITTEN_CONSENT')) {
      v.push(
        violation(
          'CONTRACTOR_CONSENT_REQUIRED',
          'documents',
          'A transferee mortgages a circulated management right only with the contractor’s written consent (LCL Art 47).',
        ),
      );
    }
  }
  if (collateral.rightType === 'FARMER_HOUSE' && !has(documents, 'CO_OWNER_CONSENT')) {
    v.push(
      violation(
        'CO_OWNER_CONSENT_REQUIRED',
        'documents',
        'A farmer house is mortgaged with its co-owners’ written consent.',
      ),
    );
  }
  if (facts.collectiveProperty && !has(documents, 'COLLECTIVE_RESOLUTION')) {
    v.push(
      violation(
        'COLLECTIVE_RESOLUTION_REQUIRED',
        'documents',
        'Pledging collective property needs a resolution of the collective’s member (representatives’) meeting.',
      ),
    );
  }
  return v;
}

/**
 * 材料齐全 — what a complete application holds: identity, credit report, loan and mortgage contracts,
 * and for the right itself its certificate (registered here) or the filing with the issuer (LCL Art 47).
 */
export function requiredDocuments(collateral: CollateralRef): DocumentKindName[] {
  const required: DocumentKindName[] = ['IDENTITY', 'CREDIT_REPORT', 'LOAN_CONTRACT', 'MORTGAGE_CONTRACT'];
  if (collateral.rightType === 'LAND_MANAGEMENT') required.push('ISSUER_FILING');
  else if (RIGHT_TYPES[collateral.rightType].owner === 'centre') required.push('RIGHT_CERTIFICATE');
  return required;
}

export function checkCompleteness(
  collateral: CollateralRef,
  documents: readonly DocumentRef[],
): RuleViolation[] {
  const missing = requiredDocuments(collateral).filter((kind) => !has(documents, kind));
  if (missing.length === 0) return [];
  return [violation('APPLICATION_INCOMPLETE', 'documents', `The application lacks: ${missing.join(', ')}.`)];
}
