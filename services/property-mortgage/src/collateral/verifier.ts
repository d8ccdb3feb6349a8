import { RuleRefusedError } from '@pingquan/kit';
import { type LocalDate, violation } from '@pingquan/reference';
import type { CollateralFacts, CollateralRef, RightTypeName } from '../domain/model.js';
import { RIGHT_TYPES } from '../domain/rights.js';

/**
 * Asks the owner of a right what it knows about it on a day. One implementation per owner: land
 * management rights go to land-contract over gRPC; rights registered at the centre are read here;
 * homestead, collective-equity and eco-product rights plug in the same way when those services exist.
 * Every implementation fails closed: when the owner cannot confirm, it throws and nothing is accepted.
 */
export interface CollateralVerifier {
  readonly ownerService: string;
  verify(collateral: CollateralRef, asOf: LocalDate): Promise<CollateralFacts>;
}

/** Looks up the verifier of a right type. */
export type CollateralVerifiers = (rightType: RightTypeName) => CollateralVerifier;

/** The owner of this right type is not on the platform yet: refuse rather than trust an unverified right. */
export function unconnectedVerifier(rightType: RightTypeName): CollateralVerifier {
  const spec = RIGHT_TYPES[rightType];
  return {
    ownerService: spec.owner,
    async verify() {
      throw new RuleRefusedError([
        violation(
          'RIGHT_OWNER_NOT_CONNECTED',
          'collateral.rightType',
          `${spec.chinese} is verified in ${spec.owner}, which is not connected yet; it cannot secure a loan until its owner can confirm it.`,
        ),
      ]);
    },
  };
}

/** Builds the lookup from the verifiers that exist; every other right type is refused. */
export function verifierRegistry(
  byOwner: Partial<Record<(typeof RIGHT_TYPES)[RightTypeName]['owner'], CollateralVerifier>>,
): CollateralVerifiers {
  return (rightType) => byOwner[RIGHT_TYPES[rightType].owner] ?? unconnectedVerifier(rightType);
}
