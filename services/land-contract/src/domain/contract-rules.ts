import {
  compareDates,
  contractModeFromCode,
  isLocalDate,
  type LocalDate,
  MU4_PER_MU,
  type Mu4,
  type RuleViolation,
  validateContractCode,
  validateIssuerCode,
  validatePlotCode,
  validatePositiveMu4,
  violation,
} from '@pingquan/reference';
import type { Contract, ContractMode, ContractStatus, Household, LandClass } from './model.js';
import type { PolicyVersion } from './policy.js';
import { duplicates } from './term.js';

export const CONTRACT_STATUSES: readonly ContractStatus[] = [
  'ACTIVE',
  'EXTENDED',
  'TRANSFERRED',
  'SURRENDERED',
  'RECLAIMED',
  'TERMINATED',
];

export const CONTRACT_MODES: readonly ContractMode[] = [
  'FAMILY',
  'TENDER',
  'AUCTION',
  'OPEN_NEGOTIATION',
  'OTHER',
];

export const LAND_CLASSES: readonly LandClass[] = ['CULTIVATED', 'GARDEN', 'FOREST', 'GRASS', 'OTHER'];

/**
 * Which status may follow which. A contract ends once (transferred, surrendered, reclaimed or
 * terminated) and a successor is a new contract, so every end status is final; a correction of a
 * wrong status is an audited correction of the record, not a transition.
 */
export const CONTRACT_TRANSITIONS: Readonly<Record<ContractStatus, readonly ContractStatus[]>> = {
  ACTIVE: ['EXTENDED', 'TRANSFERRED', 'SURRENDERED', 'RECLAIMED', 'TERMINATED'],
  EXTENDED: ['TRANSFERRED', 'SURRENDERED', 'RECLAIMED', 'TERMINATED'],
  TRANSFERRED: [],
  SURRENDERED: [],
  RECLAIMED: [],
  TERMINATED: [],
};

export function canTransition(from: ContractStatus, to: ContractStatus): boolean {
  return CONTRACT_TRANSITIONS[from]?.includes(to) ?? false;
}

/** Violations (never a throw) when `from → to` is not in {@link CONTRACT_TRANSITIONS}. */
export function assertTransition(
  from: ContractStatus,
  to: ContractStatus,
  field = 'status',
): RuleViolation[] {
  if (canTransition(from, to)) return [];
  const allowed = CONTRACT_TRANSITIONS[from] ?? [];
  return [
    violation(
      'STATUS_TRANSITION_NOT_ALLOWED',
      field,
      allowed.length === 0
        ? `A ${from} contract is final; it cannot become ${to}.`
        : `A ${from} contract can become ${allowed.join(', ')}, not ${to}.`,
    ),
  ];
}

/** ACTIVE and EXTENDED are the statuses in which the household holds the right. */
export function isInForce(status: ContractStatus): boolean {
  return status === 'ACTIVE' || status === 'EXTENDED';
}

/**
 * The contract is in force on `date`: status ACTIVE/EXTENDED and `date` before the term end. A
 * refusal names the status rule or the term rule so the caller sees which one failed.
 */
export function checkInForce(
  contract: Pick<Contract, 'status' | 'termStart' | 'termEnd'>,
  date: LocalDate,
  field = 'contract',
): RuleViolation[] {
  if (!isInForce(contract.status)) {
    return [
      violation(
        'CONTRACT_NOT_IN_FORCE',
        `${field}.status`,
        `The contract is ${contract.status}; only an ACTIVE or EXTENDED contract carries the right.`,
      ),
    ];
  }
  if (compareDates(date, contract.termEnd) >= 0) {
    return [
      violation(
        'CONTRACT_TERM_ENDED',
        `${field}.termEnd`,
        `The contract term ended on ${contract.termEnd}; nothing can be done under it on ${date}.`,
      ),
    ];
  }
  if (compareDates(date, contract.termStart) < 0) {
    return [
      violation(
        'CONTRACT_TERM_NOT_STARTED',
        `${field}.termStart`,
        `The contract term starts on ${contract.termStart}, after ${date}.`,
      ),
    ];
  }
  return [];
}

/** Bounds the plan does not fix; the register's own sanity limits. */
export interface ContractPolicy extends PolicyVersion {
  /** Largest contract or surveyed area of one plot; larger is taken for a unit error (m² for mu). */
  maxPlotAreaMu4: Mu4;
  /** Refuse a plot without all four boundaries (四至), which the register and certificate print. */
  requireBoundaries: boolean;
}

export const DEFAULT_CONTRACT_POLICY: ContractPolicy = {
  version: 'contract-default-1',
  effectiveFrom: '2023-06-01',
  maxPlotAreaMu4: 10_000 * MU4_PER_MU,
  requireBoundaries: true,
};

export interface NewContractContext {
  /** The contractor household, when known: its code must begin the contract code. */
  household?: Household;
  /** Plots already held by contracts in force: one plot is contracted once. */
  contractedPlotCodes?: ReadonlySet<string>;
  policy?: ContractPolicy;
}

/**
 * Every reason a contract cannot enter the register as new: codes and their parts agree (contract
 * = issuer + household sequence + mode; plot = issuer + sequence), term ordered, plots present,
 * unique and of this issuer, areas positive and bounded.
 */
export function validateNewContract(contract: Contract, ctx: NewContractContext = {}): RuleViolation[] {
  const policy = ctx.policy ?? DEFAULT_CONTRACT_POLICY;
  const v: RuleViolation[] = [];

  const issuer = validateIssuerCode(contract.issuerCode, 'issuerCode');
  if (!issuer.ok) v.push(...issuer.violations);

  if (!CONTRACT_MODES.includes(contract.mode)) {
    v.push(violation('CONTRACT_MODE_UNKNOWN', 'mode', `Unknown contracting mode '${contract.mode}'.`));
  }
  if (!isInForce(contract.status)) {
    v.push(
      violation(
        'CONTRACT_INITIAL_STATUS',
        'status',
        `A contract enters the register ACTIVE (or EXTENDED when already extended), not ${contract.status}.`,
      ),
    );
  }

  v.push(...checkContractCode(contract, ctx.household));
  v.push(...checkTerm(contract));
  v.push(...checkPlots(contract, policy, ctx.contractedPlotCodes));
  return v;
}

function checkContractCode(contract: Contract, household: Household | undefined): RuleViolation[] {
  const checked = validateContractCode(contract.code, 'code');
  if (!checked.ok) return checked.violations;
  const v: RuleViolation[] = [];
  if (!contract.code.startsWith(contract.issuerCode)) {
    v.push(
      violation(
        'CONTRACT_CODE_ISSUER_MISMATCH',
        'code',
        `Contract code ${contract.code} does not begin with the issuer code ${contract.issuerCode}.`,
      ),
    );
  }
  const modeInCode = contractModeFromCode(contract.code);
  if (modeInCode !== contract.mode) {
    v.push(
      violation(
        'CONTRACT_CODE_MODE_MISMATCH',
        'code',
        `The last digit of contract code ${contract.code} means ${modeInCode ?? 'no mode'}, but the contract's mode is ${contract.mode}.`,
      ),
    );
  }
  if (household !== undefined) {
    if (household.id !== contract.householdId) {
      v.push(
        violation(
          'CONTRACT_HOUSEHOLD_MISMATCH',
          'householdId',
          `The contract names household ${contract.householdId}, but household ${household.id} was given.`,
        ),
      );
    }
    if (contract.code.slice(0, 18) !== household.code) {
      v.push(
        violation(
          'CONTRACT_CODE_HOUSEHOLD_MISMATCH',
          'code',
          `Contract code ${contract.code} does not begin with the household code ${household.code}.`,
        ),
      );
    }
    // Family contracting (家庭承包) is a right of the collective's own members' households.
    if (contract.mode === 'FAMILY' && household.issuerCode !== contract.issuerCode) {
      v.push(
        violation(
          'CONTRACTOR_OUTSIDE_COLLECTIVE',
          'householdId',
          `A family contract of issuer ${contract.issuerCode} can only go to one of its households; this household belongs to ${household.issuerCode}.`,
        ),
      );
    }
  }
  return v;
}

function checkTerm(contract: Contract): RuleViolation[] {
  const v: RuleViolation[] = [];
  for (const key of ['termStart', 'termEnd'] as const) {
    if (!isLocalDate(contract[key])) {
      v.push(violation('DATE_INVALID', key, `'${contract[key]}' is not a YYYY-MM-DD calendar date.`));
    }
  }
  if (contract.secondRoundEnd !== undefined && !isLocalDate(contract.secondRoundEnd)) {
    v.push(
      violation(
        'DATE_INVALID',
        'secondRoundEnd',
        `'${contract.secondRoundEnd}' is not a YYYY-MM-DD calendar date.`,
      ),
    );
  }
  if (v.length > 0) return v;
  if (compareDates(contract.termStart, contract.termEnd) >= 0) {
    v.push(
      violation(
        'CONTRACT_TERM_ORDER',
        'termEnd',
        `The term must end after it starts; ${contract.termStart} to ${contract.termEnd} is empty.`,
      ),
    );
  }
  if (contract.secondRoundEnd !== undefined && compareDates(contract.secondRoundEnd, contract.termEnd) > 0) {
    v.push(
      violation(
        'SECOND_ROUND_END_AFTER_TERM_END',
        'secondRoundEnd',
        `The second round cannot expire (${contract.secondRoundEnd}) after the contract's own term end (${contract.termEnd}).`,
      ),
    );
  }
  return v;
}

function checkPlots(
  contract: Contract,
  policy: ContractPolicy,
  contractedPlotCodes: ReadonlySet<string> | undefined,
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (contract.plots.length === 0) {
    v.push(violation('CONTRACT_HAS_NO_PLOTS', 'plots', 'A contract covers at least one plot.'));
  }
  contract.plots.forEach((plot, i) => {
    const path = `plots[${i}]`;
    const code = validatePlotCode(plot.code, `${path}.code`);
    if (!code.ok) v.push(...code.violations);
    else if (!plot.code.startsWith(contract.issuerCode)) {
      v.push(
        violation(
          'PLOT_OUTSIDE_ISSUER',
          `${path}.code`,
          `Plot ${plot.code} does not belong to issuer ${contract.issuerCode}: its code must begin with the issuer code.`,
        ),
      );
    }
    if (contractedPlotCodes?.has(plot.code)) {
      v.push(
        violation(
          'PLOT_ALREADY_CONTRACTED',
          `${path}.code`,
          `Plot ${plot.code} is already held under another contract in force.`,
        ),
      );
    }
    if (plot.name.trim() === '') {
      v.push(violation('PLOT_NAME_REQUIRED', `${path}.name`, 'A plot is recorded with its local name.'));
    }
    if (!LAND_CLASSES.includes(plot.landClass)) {
      v.push(
        violation('PLOT_LAND_CLASS_UNKNOWN', `${path}.landClass`, `Unknown land class '${plot.landClass}'.`),
      );
    }
    const contractArea = validatePositiveMu4(
      plot.contractAreaMu4,
      policy.maxPlotAreaMu4,
      `${path}.contractAreaMu4`,
    );
    if (!contractArea.ok) v.push(...contractArea.violations);
    const surveyedArea = validatePositiveMu4(
      plot.surveyedAreaMu4,
      policy.maxPlotAreaMu4,
      `${path}.surveyedAreaMu4`,
    );
    if (!surveyedArea.ok) v.push(...surveyedArea.violations);
    if (policy.requireBoundaries) {
      for (const side of ['east', 'south', 'west', 'north'] as const) {
        if (plot.boundaries[side].trim() === '') {
          v.push(
            violation(
              'PLOT_BOUNDARY_REQUIRED',
              `${path}.boundaries.${side}`,
              `The ${side} boundary (四至) of plot ${plot.code} is missing.`,
            ),
          );
        }
      }
    }
  });
  for (const code of duplicates(contract.plots.map((p) => p.code))) {
    v.push(violation('PLOT_CODE_DUPLICATE', 'plots', `Plot ${code} is listed more than once.`));
  }
  return v;
}
