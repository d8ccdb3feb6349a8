import { describe, expect, it } from 'vitest';
import { isHouseholdExtinct, validateHousehold } from './household.js';
import { household, ISSUER, member, OTHER_ISSUER, residentId, rules, TODAY } from './test-fixtures.js';

describe('households', () => {
  it('accepts a household with one head and valid resident IDs', () => {
    expect(validateHousehold(household(1), TODAY)).toEqual([]);
  });

  it('HOUSEHOLD_NO_MEMBERS: an empty household is invalid', () => {
    expect(rules(validateHousehold(household(1, { members: [] }), TODAY))).toEqual(['HOUSEHOLD_NO_MEMBERS']);
  });

  it('HOUSEHOLD_HEAD_COUNT: exactly one head, even when deceased', () => {
    const twoHeads = household(1, { members: [member(11), member(12)] });
    expect(rules(validateHousehold(twoHeads, TODAY))).toEqual(['HOUSEHOLD_HEAD_COUNT']);
    const deadHead = household(1, { members: [member(11, { alive: false, deceasedOn: '2020-01-01' })] });
    expect(validateHousehold(deadHead, TODAY)).toEqual([]);
  });

  it('RESIDENT_ID_CHECK_CHARACTER: member IDs carry their check character', () => {
    const id = residentId(11);
    const wrong = `${id.slice(0, 17)}${id.endsWith('0') ? '1' : '0'}`;
    const result = validateHousehold(household(1, { members: [member(11, { residentId: wrong })] }), TODAY);
    expect(rules(result)).toEqual(['RESIDENT_ID_CHECK_CHARACTER']);
    expect(result[0]?.field).toBe('household.members[0].residentId');
  });

  it('MEMBER_RESIDENT_ID_DUPLICATE: a person appears once in a household', () => {
    const h = household(1, { members: [member(11), member(11, { relation: 'CHILD' })] });
    expect(rules(validateHousehold(h, TODAY))).toEqual(['MEMBER_RESIDENT_ID_DUPLICATE']);
  });

  it('MEMBER_DEATH_DATE_WHILE_ALIVE / MEMBER_DEATH_DATE_INVALID', () => {
    const alive = household(1, { members: [member(11, { deceasedOn: '2020-01-01' })] });
    expect(rules(validateHousehold(alive, TODAY))).toEqual(['MEMBER_DEATH_DATE_WHILE_ALIVE']);
    const future = household(1, { members: [member(11, { alive: false, deceasedOn: '2030-01-01' })] });
    expect(rules(validateHousehold(future, TODAY))).toEqual(['MEMBER_DEATH_DATE_INVALID']);
  });

  it('HOUSEHOLD_CODE_ISSUER_MISMATCH: the household code begins with its issuer code', () => {
    expect(rules(validateHousehold({ ...household(1), code: `${OTHER_ISSUER}0001` }, TODAY))).toEqual([
      'HOUSEHOLD_CODE_ISSUER_MISMATCH',
    ]);
    expect(validateHousehold({ ...household(1), code: `${ISSUER}0001` }, TODAY)).toEqual([]);
  });

  it('HOUSEHOLD_EXTINCT: extinct only when every member has died; an empty household is not extinct', () => {
    expect(isHouseholdExtinct(household(1))).toBe(false);
    const oneAlive = household(1, {
      members: [member(11, { alive: false }), member(12, { relation: 'SPOUSE' })],
    });
    expect(isHouseholdExtinct(oneAlive)).toBe(false);
    const allDead = household(1, {
      members: [member(11, { alive: false }), member(12, { relation: 'SPOUSE', alive: false })],
    });
    expect(isHouseholdExtinct(allDead)).toBe(true);
    expect(isHouseholdExtinct(household(1, { members: [] }))).toBe(false);
  });
});
