import type { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import {
  DependencyUnavailableError,
  describeClientError,
  type InternalCallOptions,
  InvalidInputError,
  type Principal,
  RuleRefusedError,
} from '@pingquan/kit';
import { daysBetween, type LocalDate, violation } from '@pingquan/reference';
import type { Client } from 'nice-grpc';
import { Status } from 'nice-grpc-common';
import type { CollateralFacts, CollateralRef } from '../domain/model.js';
import type { CollateralVerifier } from './verifier.js';

export interface LandContractVerifierOptions {
  client: Client<typeof CollateralServiceDefinition, InternalCallOptions>;
  deadlineMs: number;
  /** The centre asks as itself: it has already checked the caller's own scope. */
  principal: Principal;
}

/**
 * Land management rights (土地经营权) are verified in land-contract (CollateralService.VerifyCollateral)
 * with a deadline. Fails closed: an owner that does not answer in time, or answers with an error, means
 * UNAVAILABLE here and nothing is accepted or registered.
 */
export function landContractVerifier(options: LandContractVerifierOptions): CollateralVerifier {
  return {
    ownerService: 'land-contract',
    async verify(ref: CollateralRef, asOf: LocalDate): Promise<CollateralFacts> {
      let collateral: Awaited<ReturnType<typeof options.client.verifyCollateral>>['collateral'];
      try {
        ({ collateral } = await options.client.verifyCollateral(
          {
            contractId: ref.rightId,
            plotCodes: ref.plotCodes,
            circulationId: ref.circulationId,
            asOfDate: asOf,
          },
          { principal: options.principal, deadline: options.deadlineMs },
        ));
      } catch (error) {
        const failure = describeClientError(error);
        if (failure?.code === Status.NOT_FOUND) {
          throw new RuleRefusedError([
            violation(
              'COLLATERAL_NOT_FOUND',
              'collateral.rightId',
              'land-contract has no such contract (or circulation).',
            ),
          ]);
        }
        if (failure?.code === Status.INVALID_ARGUMENT) {
          throw new InvalidInputError(
            failure.violations.length
              ? failure.violations.map((v) => ({ ...v, field: `collateral.${v.field}` }))
              : [violation('COLLATERAL_INVALID', 'collateral', failure.message)],
          );
        }
        if (failure?.code === Status.FAILED_PRECONDITION && failure.violations.length) {
          throw new RuleRefusedError(
            failure.violations.map((v) => ({ ...v, field: `collateral.${v.field}` })),
          );
        }
        throw new DependencyUnavailableError(
          `COLLATERAL_OWNER_UNAVAILABLE: land-contract could not confirm the collateral (${failure ? Status[failure.code] : (error as Error).message}); nothing was changed`,
        );
      }
      if (!collateral?.requested) {
        throw new DependencyUnavailableError(
          'COLLATERAL_OWNER_UNAVAILABLE: land-contract answered without the requested scope',
        );
      }
      const scope = collateral.requested;
      const circulation = ref.circulationId
        ? collateral.circulatedRights.find((c) => c.circulationId === ref.circulationId)
        : undefined;
      const securableUntil = scope.securableUntilDate || collateral.termEndDate;
      const findings = [...collateral.ineligibility, ...scope.ineligibility];
      const seen = new Set<string>();
      return {
        ownerService: 'land-contract',
        asOf,
        rightType: 'LAND_MANAGEMENT',
        rightId: collateral.contractId,
        townshipCode: collateral.townshipCode,
        villageCode: collateral.issuerCode.slice(0, 12),
        holderHouseholdId: circulation
          ? (circulation.transferee?.householdId ?? '')
          : collateral.holderHouseholdId,
        holderIdNumber: circulation
          ? circulation.transferee?.creditCode || circulation.transferee?.residentId || ''
          : '',
        securableUntil,
        remainingDays: securableUntil ? Math.max(0, daysBetween(asOf, securableUntil)) : 0,
        areaMu4: scope.areaMu4 || collateral.areaMu4,
        eligible: collateral.eligible && scope.eligible,
        ineligibility: findings
          .filter((f) => {
            const key = `${f.rule}|${f.field}`;
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
          })
          .map((f) => ({ rule: f.rule, field: f.field, message: f.message })),
        encumbrances: scope.encumbrances
          .filter((e) => e.inEffect)
          .map((e) => ({ mortgageId: e.mortgageId, securedAmountFen: e.securedAmountFen })),
        collectiveProperty: false,
        heldByTransferee: Boolean(ref.circulationId),
        onlyHome: undefined,
      };
    },
  };
}
