import { type Orm, RuleRefusedError } from '@pingquan/kit';
import { compareDates, daysBetween, type LocalDate, violation } from '@pingquan/reference';
import type { CollateralFacts, CollateralRef, RightTypeName } from '../domain/model.js';
import { RegisteredRightEntity } from '../persistence/entities.js';
import type { CollateralVerifier } from './verifier.js';

/** Rights no other service owns are verified in the centre's own register (registered_right). */
export function centreVerifier(orm: Orm): CollateralVerifier {
  return {
    ownerService: 'property-mortgage',
    async verify(ref: CollateralRef, asOf: LocalDate): Promise<CollateralFacts> {
      const row = /^[0-9a-f-]{36}$/i.test(ref.rightId)
        ? await orm.em.fork().findOne(RegisteredRightEntity, { id: ref.rightId })
        : null;
      if (!row || row.rightType !== ref.rightType) {
        throw new RuleRefusedError([
          violation(
            'COLLATERAL_NOT_FOUND',
            'collateral.rightId',
            'No such right is registered at the centre.',
          ),
        ]);
      }
      const ended = row.termEnd !== null && row.termEnd !== undefined && compareDates(row.termEnd, asOf) <= 0;
      return {
        ownerService: 'property-mortgage',
        asOf,
        rightType: row.rightType as RightTypeName,
        rightId: row.id,
        townshipCode: row.townshipCode,
        villageCode: row.villageCode,
        holderHouseholdId: row.holder.householdId,
        holderIdNumber: row.holderIdNumber,
        securableUntil: row.termEnd ?? undefined,
        remainingDays: row.termEnd ? Math.max(0, daysBetween(asOf, row.termEnd)) : 0,
        areaMu4: row.areaMu4,
        eligible: !ended,
        ineligibility: ended
          ? [violation('RIGHT_TERM_ENDED', 'termEndDate', `The right ended on ${row.termEnd}.`)]
          : [],
        // Mortgages on rights registered here are counted from the centre's own mortgages.
        encumbrances: [],
        collectiveProperty: row.collectiveProperty,
        heldByTransferee: false,
        onlyHome: undefined,
      };
    },
  };
}
