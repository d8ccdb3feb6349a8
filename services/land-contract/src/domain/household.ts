import {
  compareDates,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  validateContractorCode,
  validateResidentId,
  violation,
} from '@pingquan/reference';
import type { Household } from './model.js';
import { duplicates } from './term.js';

/**
 * Every reason a household record can't enter the register. `today` bounds birth dates in resident
 * IDs and dates of death; pass it so the check is deterministic.
 */
export function validateHousehold(
  household: Household,
  today: LocalDate,
  field = 'household',
): RuleViolation[] {
  const v: RuleViolation[] = [];
  const code = validateContractorCode(household.code, `${field}.code`);
  if (!code.ok) v.push(...code.violations);
  else if (!household.code.startsWith(household.issuerCode)) {
    v.push(
      violation(
        'HOUSEHOLD_CODE_ISSUER_MISMATCH',
        `${field}.code`,
        `Household code ${household.code} does not begin with its collective's issuer code ${household.issuerCode}.`,
      ),
    );
  }

  // An empty household is a data error, not an extinct one: nobody's death has been recorded.
  if (household.members.length === 0) {
    v.push(
      violation('HOUSEHOLD_NO_MEMBERS', `${field}.members`, 'A household must list at least one member.'),
    );
  }
  const heads = household.members.filter((m) => m.relation === 'HEAD').length;
  if (household.members.length > 0 && heads !== 1) {
    v.push(
      violation(
        'HOUSEHOLD_HEAD_COUNT',
        `${field}.members`,
        `A household has exactly one head (户主), even if deceased; found ${heads}.`,
      ),
    );
  }

  household.members.forEach((member, i) => {
    const path = `${field}.members[${i}]`;
    const id = validateResidentId(member.residentId, `${path}.residentId`, today);
    if (!id.ok) v.push(...id.violations);
    if (member.name.trim() === '') {
      v.push(violation('MEMBER_NAME_REQUIRED', `${path}.name`, 'Every member is recorded by name.'));
    }
    if (member.alive && member.deceasedOn !== undefined) {
      v.push(
        violation(
          'MEMBER_DEATH_DATE_WHILE_ALIVE',
          `${path}.deceasedOn`,
          'A living member cannot have a date of death.',
        ),
      );
    }
    if (
      member.deceasedOn !== undefined &&
      (!isLocalDate(member.deceasedOn) || compareDates(member.deceasedOn, today) > 0)
    ) {
      v.push(
        violation(
          'MEMBER_DEATH_DATE_INVALID',
          `${path}.deceasedOn`,
          `'${member.deceasedOn}' is not a past calendar date.`,
        ),
      );
    }
  });

  for (const id of duplicates(household.members.map((m) => m.residentId.toUpperCase()))) {
    v.push(
      violation(
        'MEMBER_RESIDENT_ID_DUPLICATE',
        `${field}.members`,
        `Resident ID ending ${id.slice(-4)} appears more than once in the household.`,
      ),
    );
  }
  return v;
}

/**
 * 承包方消亡 — every member has died. A household with no members at all is not extinct but an
 * invalid record ({@link validateHousehold} refuses it), so it answers false here.
 */
export function isHouseholdExtinct(household: Pick<Household, 'members'>): boolean {
  return household.members.length > 0 && household.members.every((m) => !m.alive);
}
