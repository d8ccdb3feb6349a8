import {
  compareDates,
  type Fen,
  isLocalDate,
  type LocalDate,
  type Mu4,
  type RuleViolation,
  violation,
} from '@pingquan/reference';
import { activeCirculationsOn } from './circulation.js';
import { checkInForce } from './contract-rules.js';
import { isHouseholdExtinct } from './household.js';
import type {
  CirculatedPlot,
  Circulation,
  Contract,
  ContractStatus,
  Encumbrance,
  Household,
  Plot,
  RecordedAct,
  Transferee,
} from './model.js';
import { contractAreaMu4, type RemainingTerm, remainingTerm, scopeCoversPlot, sumMu4 } from './term.js';

/** Registered by `asOf` and not released by then. */
export function isEncumbranceInEffect(e: Encumbrance, asOf: LocalDate): boolean {
  return (
    compareDates(e.registeredOn, asOf) <= 0 &&
    (e.releasedOn === undefined || compareDates(e.releasedOn, asOf) > 0)
  );
}

/**
 * Mortgages in effect on `asOf` over the contract, or over any of `plotCodes` when given. Every
 * mortgage counts, the contractor's and a transferee's alike: land given up with a transferee's
 * mortgage on it would leave the bank's security hanging on a right that no longer exists.
 */
export function encumbrancesOn(
  contract: Pick<Contract, 'id'>,
  encumbrances: readonly Encumbrance[],
  asOf: LocalDate,
  plotCodes?: readonly string[],
): Encumbrance[] {
  return encumbrances.filter(
    (e) =>
      e.contractId === contract.id &&
      isEncumbranceInEffect(e, asOf) &&
      (plotCodes === undefined || plotCodes.some((code) => scopeCoversPlot(e.scope, code))),
  );
}

export function isEncumbered(
  contract: Pick<Contract, 'id'>,
  encumbrances: readonly Encumbrance[],
  asOf: LocalDate,
  plotCodes?: readonly string[],
): boolean {
  return encumbrancesOn(contract, encumbrances, asOf, plotCodes).length > 0;
}

/** `RIGHT_ENCUMBERED` while a registered mortgage covers the right; the act waits for its release. */
export function checkNotEncumbered(
  contract: Pick<Contract, 'id'>,
  encumbrances: readonly Encumbrance[],
  asOf: LocalDate,
  field: string,
  plotCodes?: readonly string[],
): RuleViolation[] {
  const found = encumbrancesOn(contract, encumbrances, asOf, plotCodes);
  if (found.length === 0) return [];
  return [
    violation(
      'RIGHT_ENCUMBERED',
      field,
      `The right is under registered mortgage ${found.map((e) => e.mortgageId).join(', ')}; it cannot be given up until released.`,
    ),
  ];
}

export function securedTotalFen(encumbrances: readonly Encumbrance[]): Fen {
  return encumbrances.reduce((sum, e) => sum + e.securedAmountFen, 0);
}

/** A management right a transferee holds by circulation, as the bank sees it. */
export interface CirculatedRightView {
  circulationId: string;
  transferee: Transferee;
  plots: readonly CirculatedPlot[];
  areaMu4: Mu4;
  termStart: LocalDate;
  termEnd: LocalDate;
  remaining: RemainingTerm;
  /** A transferee's mortgage secures only what the circulation term covers (LCL Art 47). */
  securableUntil: LocalDate;
  encumbrances: Encumbrance[];
  securedTotalFen: Fen;
}

export interface CollateralPlotView {
  code: string;
  name: string;
  contractAreaMu4: Mu4;
  landClass: Plot['landClass'];
  basicFarmland: boolean;
  encumbered: boolean;
  /** Area whose management right a transferee holds on `asOf`. */
  circulatedAreaMu4: Mu4;
}

/** Answer to a collateral check (`VerifyCollateral`): who holds what, for how long, under what. */
export interface CollateralView {
  asOf: LocalDate;
  contractId: string;
  contractCode: string;
  issuerCode: string;
  holderHouseholdId: string;
  status: ContractStatus;
  /** The contractor's own right can secure a loan: in force, term left, household not extinct. */
  eligible: boolean;
  ineligibility: RuleViolation[];
  termEnd: LocalDate;
  remaining: RemainingTerm;
  areaMu4: Mu4;
  plots: CollateralPlotView[];
  encumbrances: Encumbrance[];
  securedTotalFen: Fen;
  circulatedRights: CirculatedRightView[];
}

export interface CollateralInput {
  contract: Contract;
  household?: Household;
  encumbrances: readonly Encumbrance[];
  circulations: readonly Circulation[];
  asOf: LocalDate;
}

export function collateralView(input: CollateralInput): CollateralView {
  const { contract, asOf } = input;
  const ineligibility = checkInForce(contract, asOf, 'contract');
  if (input.household !== undefined && isHouseholdExtinct(input.household)) {
    ineligibility.push(
      violation(
        'HOUSEHOLD_EXTINCT',
        'household',
        'Every member of the contracting household has died; the issuer is to reclaim the land.',
      ),
    );
  }
  const encumbrances = encumbrancesOn(contract, input.encumbrances, asOf);
  const circulations = activeCirculationsOn(
    input.circulations.filter((c) => c.contractId === contract.id),
    asOf,
  );

  const plots: CollateralPlotView[] = contract.plots.map((p) => ({
    code: p.code,
    name: p.name,
    contractAreaMu4: p.contractAreaMu4,
    landClass: p.landClass,
    basicFarmland: p.basicFarmland,
    encumbered: encumbrances.some((e) => scopeCoversPlot(e.scope, p.code)),
    // Re-circulations pass on what a first circulation already took, so counting them would double it.
    circulatedAreaMu4: sumMu4(
      circulations
        .filter((c) => c.parentCirculationId === undefined)
        .flatMap((c) => c.plots)
        .filter((cp) => cp.plotCode === p.code)
        .map((cp) => cp.areaMu4),
    ),
  }));

  const circulatedRights = circulations.map((c): CirculatedRightView => {
    const own = encumbrances.filter((e) => e.circulationId === c.id);
    return {
      circulationId: c.id,
      transferee: c.transferee,
      plots: c.plots,
      areaMu4: sumMu4(c.plots.map((p) => p.areaMu4)),
      termStart: c.termStart,
      termEnd: c.termEnd,
      remaining: remainingTerm(asOf, c.termEnd),
      securableUntil: c.termEnd,
      encumbrances: own,
      securedTotalFen: securedTotalFen(own),
    };
  });

  return {
    asOf,
    contractId: contract.id,
    contractCode: contract.code,
    issuerCode: contract.issuerCode,
    holderHouseholdId: contract.householdId,
    status: contract.status,
    eligible: ineligibility.length === 0,
    ineligibility,
    termEnd: contract.termEnd,
    remaining: remainingTerm(asOf, contract.termEnd),
    areaMu4: contractAreaMu4(contract),
    plots,
    encumbrances,
    securedTotalFen: securedTotalFen(encumbrances),
    circulatedRights,
  };
}

/** Who offers a management right as security: the contractor, or a transferee through its circulation. */
export type Mortgagor =
  | { kind: 'CONTRACTOR' }
  | { kind: 'TRANSFEREE'; circulation: Circulation; contractorConsent?: RecordedAct };

export interface ManagementRightMortgageRequest {
  contract: Contract;
  mortgagor: Mortgagor;
  plotCodes: readonly string[];
  /** Last day the mortgage is to secure. */
  securedUntil: LocalDate;
  /** Filing (备案) with the issuer. */
  filing?: RecordedAct;
  /** Circulations of the contract, to see what the contractor has already let go of. */
  circulations: readonly Circulation[];
  asOf: LocalDate;
}

/**
 * 土地经营权融资担保 (LCL Art 47): the contractor files with the issuer; a transferee also needs the
 * contractor's written consent, and secures nothing beyond its circulation's term.
 */
export function checkManagementRightMortgage(req: ManagementRightMortgageRequest): RuleViolation[] {
  const { contract, mortgagor, asOf } = req;
  const v: RuleViolation[] = checkInForce(contract, asOf, 'contract');
  if (req.filing === undefined) {
    v.push(
      violation(
        'MORTGAGE_FILING_REQUIRED',
        'filing',
        'A mortgage of a management right is filed (备案) with the issuer.',
      ),
    );
  }
  if (req.plotCodes.length === 0) {
    v.push(violation('MORTGAGE_HAS_NO_PLOTS', 'plotCodes', 'A mortgage covers at least one plot.'));
  }
  req.plotCodes.forEach((code, i) => {
    if (!contract.plots.some((p) => p.code === code)) {
      v.push(
        violation('PLOT_NOT_IN_CONTRACT', `plotCodes[${i}]`, `Plot ${code} is not a plot of this contract.`),
      );
    }
  });
  if (!isLocalDate(req.securedUntil)) {
    v.push(violation('DATE_INVALID', 'securedUntil', `'${req.securedUntil}' is not a YYYY-MM-DD date.`));
    return v;
  }
  if (compareDates(req.securedUntil, asOf) <= 0) {
    v.push(
      violation('MORTGAGE_TERM_ORDER', 'securedUntil', 'A mortgage secures until a day after it is made.'),
    );
  }
  if (compareDates(req.securedUntil, contract.termEnd) > 0) {
    v.push(
      violation(
        'MORTGAGE_BEYOND_CONTRACT_TERM',
        'securedUntil',
        `The contract ends ${contract.termEnd}; the management right cannot secure a loan beyond it.`,
      ),
    );
  }

  if (mortgagor.kind === 'CONTRACTOR') {
    const circulated = new Set(
      activeCirculationsOn(
        req.circulations.filter((c) => c.contractId === contract.id && c.parentCirculationId === undefined),
        asOf,
      ).flatMap((c) => c.plots.map((p) => p.plotCode)),
    );
    req.plotCodes.forEach((code, i) => {
      if (circulated.has(code)) {
        v.push(
          violation(
            'MANAGEMENT_RIGHT_CIRCULATED',
            `plotCodes[${i}]`,
            `The management right of plot ${code} is held by a transferee now; the transferee may mortgage it with consent.`,
          ),
        );
      }
    });
    return v;
  }

  const c = mortgagor.circulation;
  if (c.contractId !== contract.id || c.status !== 'ACTIVE') {
    v.push(
      violation(
        'CIRCULATION_NOT_ACTIVE',
        'mortgagor.circulation',
        'The transferee must hold an active circulation of this contract.',
      ),
    );
  }
  if (mortgagor.contractorConsent === undefined) {
    v.push(
      violation(
        'MORTGAGE_CONTRACTOR_CONSENT_REQUIRED',
        'mortgagor.contractorConsent',
        "A transferee mortgages a circulated management right only with the contractor's written consent.",
      ),
    );
  }
  if (compareDates(req.securedUntil, c.termEnd) > 0) {
    v.push(
      violation(
        'MORTGAGE_BEYOND_CIRCULATION_TERM',
        'securedUntil',
        `The circulation ends ${c.termEnd}; the transferee's right secures nothing beyond it.`,
      ),
    );
  }
  req.plotCodes.forEach((code, i) => {
    if (!c.plots.some((p) => p.plotCode === code)) {
      v.push(
        violation(
          'PLOT_NOT_IN_CIRCULATION',
          `plotCodes[${i}]`,
          `Plot ${code} is not part of the transferee's circulation.`,
        ),
      );
    }
  });
  return v;
}
