import type { HouseholdRecord } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import { InvalidInputError, isUuid, type Orm, type Principal } from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import { batchGetCertificationCases } from './certification.js';
import { batchGetEncumbrances } from './encumbrance.js';
import { batchGetHouseholds, contractsByHousehold } from './register.js';

/**
 * 一户一档, land-contract's part: each household with its members, contracts and plots, the mortgages
 * on them and its certification case, for many households in one call.
 *
 * Each part is read by the same function its own batch RPC uses, with the same scope rules, so the
 * record shows nothing those calls would not. The four reads are independent and run at once on
 * their own pooled connections: the call costs about the slowest of them, not their sum. A household
 * the caller may not read comes back with its id only, and nothing else of it is included.
 */
export async function batchGetHouseholdRecords(
  orm: Orm,
  principal: Principal,
  householdIds: string[],
): Promise<HouseholdRecord[]> {
  const bad = householdIds.findIndex((id) => !isUuid(id));
  if (bad >= 0) {
    throw new InvalidInputError([
      violation('ID_FORMAT', `householdIds[${bad}]`, 'Each household id is a UUID.'),
    ]);
  }
  const ids = [...new Set(householdIds)];
  if (ids.length === 0) return [];
  const [households, contracts, encumbrances, cases] = await Promise.all([
    batchGetHouseholds(orm.em.fork(), principal, ids),
    contractsByHousehold(orm.em.fork(), principal, ids),
    batchGetEncumbrances(orm.em.fork(), principal, {
      contractIds: [],
      householdIds: ids,
      includeReleased: true,
    }),
    batchGetCertificationCases(orm.em.fork(), principal, ids),
  ]);
  const householdById = new Map(households.map((h) => [h.id, h]));
  const encumbrancesById = new Map(encumbrances.byHousehold.map((e) => [e.householdId, e.encumbrances]));
  const caseById = new Map(cases.map((c) => [c.householdId, c]));
  return ids.map((id) => {
    const household = householdById.get(id);
    if (!household) return { householdId: id, contracts: [], encumbrances: [] };
    const certificationCase = caseById.get(id);
    return {
      householdId: id,
      household,
      contracts: contracts.get(id) ?? [],
      encumbrances: encumbrancesById.get(id) ?? [],
      ...(certificationCase ? { certificationCase } : {}),
    };
  });
}
