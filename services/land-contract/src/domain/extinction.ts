import {
  type Checked,
  collect,
  compareDates,
  type Fen,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  validateResidentId,
  violation,
} from '@pingquan/reference';
import { activeCirculationsOn } from './circulation.js';
import { assertTransition } from './contract-rules.js';
import { checkNotEncumbered } from './encumbrance.js';
import { isHouseholdExtinct } from './household.js';
import type { Circulation, Contract, Encumbrance, Household, Plot } from './model.js';

/** 承包收益 — contract income the household had earned (crop subsidy, rent, compensation share…). */
export interface IncomeEntry {
  description: string;
  amountFen: Fen;
  earnedOn: LocalDate;
}

/** 继承人 — a named heir and the part of the income passed to them. */
export interface Heir {
  name: string;
  residentId?: string;
  relation: string;
  amountFen: Fen;
}

export interface ReclaimRequest {
  contract: Contract;
  household: Household;
  /** Day the issuer decides to reclaim (收回). */
  decidedOn: LocalDate;
  /** The issuer's decision document. */
  decisionRef: string;
  earnedIncome: readonly IncomeEntry[];
  heirs: readonly Heir[];
  encumbrances: readonly Encumbrance[];
  circulations?: readonly Circulation[];
  /** Bounds birth dates in heirs' resident IDs. */
  today: LocalDate;
}

export interface ReclaimOutcome {
  contract: Contract;
  /** Back with the issuer, free to be contracted anew (另行发包). */
  returnedPlots: readonly Plot[];
  inheritance: readonly Heir[];
  totalIncomeFen: Fen;
  /**
   * Circulations still running on the land. A transferee's management right is not lost because the
   * contractor household died out; the issuer stands in the contractor's place until they end.
   */
  continuingCirculations: Circulation[];
}

/**
 * The issuer reclaims a family contract whose household has died out (承包方消亡: every member
 * deceased), and the income already earned passes to named heirs in full — no more, no less.
 */
export function reclaimExtinctHousehold(req: ReclaimRequest): Checked<ReclaimOutcome> {
  const { contract, household } = req;
  const v: RuleViolation[] = [];

  if (contract.householdId !== household.id) {
    v.push(
      violation(
        'CONTRACT_HOUSEHOLD_MISMATCH',
        'household',
        'The household given does not hold this contract.',
      ),
    );
  }
  if (household.members.length === 0) {
    v.push(
      violation(
        'HOUSEHOLD_NO_MEMBERS',
        'household.members',
        'A household with no members recorded is a register error, not an extinct household; correct it first.',
      ),
    );
  } else if (!isHouseholdExtinct(household)) {
    const alive = household.members.filter((m) => m.alive).length;
    v.push(
      violation(
        'HOUSEHOLD_NOT_EXTINCT',
        'household.members',
        `${alive} member(s) of the household are alive; the land is reclaimed only when every member has died.`,
      ),
    );
  }
  // For tender, auction or negotiation contracts the heirs may continue the contract (LCL Art 54).
  if (contract.mode !== 'FAMILY') {
    v.push(
      violation(
        'RECLAIM_FAMILY_CONTRACT_ONLY',
        'contract.mode',
        `A ${contract.mode} contract passes to the heirs for the rest of its term; it is not reclaimed.`,
      ),
    );
  }
  v.push(...assertTransition(contract.status, 'RECLAIMED', 'contract.status'));
  if (req.decisionRef.trim() === '') {
    v.push(
      violation(
        'RECLAIM_DECISION_REF_REQUIRED',
        'decisionRef',
        "The issuer's decision document must be cited.",
      ),
    );
  }
  if (isLocalDate(req.decidedOn))
    v.push(...checkNotEncumbered(contract, req.encumbrances, req.decidedOn, 'contract'));

  const totalIncomeFen = checkIncome(req, v);
  checkHeirs(req, totalIncomeFen, v);

  return collect(v, {
    contract: { ...contract, status: 'RECLAIMED' },
    returnedPlots: contract.plots,
    inheritance: req.heirs,
    totalIncomeFen,
    continuingCirculations: activeCirculationsOn(
      (req.circulations ?? []).filter((c) => c.contractId === contract.id),
      req.decidedOn,
    ),
  });
}

function checkIncome(req: ReclaimRequest, v: RuleViolation[]): Fen {
  let total = 0;
  req.earnedIncome.forEach((entry, i) => {
    const path = `earnedIncome[${i}]`;
    if (!Number.isSafeInteger(entry.amountFen) || entry.amountFen <= 0) {
      v.push(
        violation(
          'INCOME_AMOUNT_NOT_POSITIVE',
          `${path}.amountFen`,
          'An income entry is a whole number of fen above zero.',
        ),
      );
      return;
    }
    if (
      isLocalDate(entry.earnedOn) &&
      isLocalDate(req.decidedOn) &&
      compareDates(entry.earnedOn, req.decidedOn) > 0
    ) {
      v.push(
        violation(
          'INCOME_AFTER_RECLAIM',
          `${path}.earnedOn`,
          'Only income earned before the land was reclaimed is inherited; later income belongs to the collective.',
        ),
      );
    }
    total += entry.amountFen;
  });
  return total;
}

function checkHeirs(req: ReclaimRequest, totalIncomeFen: Fen, v: RuleViolation[]): void {
  if (totalIncomeFen > 0 && req.heirs.length === 0) {
    v.push(
      violation(
        'HEIRS_REQUIRED',
        'heirs',
        `${totalIncomeFen} fen of earned income passes by inheritance; the heirs must be named.`,
      ),
    );
  }
  const memberIds = new Set(req.household.members.map((m) => m.residentId.toUpperCase()));
  let passed = 0;
  req.heirs.forEach((heir, i) => {
    const path = `heirs[${i}]`;
    if (heir.name.trim() === '') {
      v.push(violation('HEIR_NAME_REQUIRED', `${path}.name`, 'An heir is named.'));
    }
    if (heir.residentId !== undefined) {
      const checked = validateResidentId(heir.residentId, `${path}.residentId`, req.today);
      if (!checked.ok) v.push(...checked.violations);
      else if (memberIds.has(checked.value)) {
        v.push(
          violation(
            'HEIR_IS_DECEASED_MEMBER',
            `${path}.residentId`,
            'Every member of the household has died; a member cannot be an heir here.',
          ),
        );
      }
    }
    if (!Number.isSafeInteger(heir.amountFen) || heir.amountFen < 0) {
      v.push(
        violation('HEIR_AMOUNT_NEGATIVE', `${path}.amountFen`, "An heir's part is whole fen, zero or more."),
      );
      return;
    }
    passed += heir.amountFen;
  });
  if (req.heirs.length > 0 && passed !== totalIncomeFen) {
    v.push(
      violation(
        'INHERITANCE_SUM_MISMATCH',
        'heirs',
        `The heirs' parts add up to ${passed} fen; the household earned ${totalIncomeFen} fen, and all of it passes.`,
      ),
    );
  }
}
