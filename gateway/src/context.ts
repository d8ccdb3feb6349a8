import type { CertificationCase } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import type { HouseholdRecord } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { Contract, Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { Encumbrance } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type { HouseholdFinance } from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import type { Logger, Principal } from '@pingquan/kit';
import type DataLoader from 'dataloader';
import type { Downstream } from './downstream.js';
import { fromDownstream } from './errors.js';
import { tracedLoader } from './views-loaders.js';

/** Per-request state: who is asking, and DataLoaders that batch every downstream read. */
export interface GatewayContext {
  principal: Principal;
  downstream: Downstream;
  logger: Logger;
  deadlineMs: number;
  loaders: Loaders;
}

export interface Loaders {
  household: DataLoader<string, Household | null>;
  contractsByHousehold: DataLoader<string, Contract[]>;
  /** Mortgages (in effect and released) on a contract, by contract id. */
  encumbrancesByContract: DataLoader<string, Encumbrance[]>;
  /** Mortgages (in effect and released) on a household's contracts, by household id. */
  encumbrancesByHousehold: DataLoader<string, Encumbrance[]>;
  /** A household's certification case (确权登记颁证), by household id; null when it has none. */
  certificationCaseByHousehold: DataLoader<string, CertificationCase | null>;
  /**
   * Everything land-contract holds on a household (household, contracts, encumbrances, case) in one
   * call; loading it primes the household, contract, encumbrance and case loaders above.
   */
  householdRecord: DataLoader<string, HouseholdRecord>;
  /** Mortgages where the household is mortgagor or debtor, and its loans (property-mortgage). */
  financeByHousehold: DataLoader<string, HouseholdFinance>;
}

/**
 * One loader set per request: the household view costs one batched call per service however many
 * households or contracts a query touches, never one call per record. Loaders made with
 * `tracedLoader` show each batch as a span (name, batch size) in the request's trace.
 */
export function createLoaders(principal: Principal, downstream: Downstream, deadlineMs: number): Loaders {
  const opts = { principal, deadline: deadlineMs };
  const loaders: Loaders = {
    household: tracedLoader('household', async (ids) => {
      try {
        const { households } = await downstream.landContract.batchGetHouseholds({ ids: [...ids] }, opts);
        const byId = new Map(households.map((h) => [h.id, h]));
        return ids.map((id) => byId.get(id) ?? null);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    contractsByHousehold: tracedLoader('contractsByHousehold', async (ids) => {
      try {
        const { results } = await downstream.landContract.batchGetContractsByHousehold(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(results.map((r) => [r.householdId, r.contracts]));
        return ids.map((id) => byId.get(id) ?? []);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    encumbrancesByContract: tracedLoader('encumbrancesByContract', async (ids) => {
      try {
        const { byContract } = await downstream.landRights.batchGetEncumbrances(
          { contractIds: [...ids], householdIds: [], includeReleased: true },
          opts,
        );
        const byId = new Map(byContract.map((r) => [r.contractId, r.encumbrances]));
        return ids.map((id) => byId.get(id) ?? []);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    encumbrancesByHousehold: tracedLoader('encumbrancesByHousehold', async (ids) => {
      try {
        const { byHousehold } = await downstream.landRights.batchGetEncumbrances(
          { contractIds: [], householdIds: [...ids], includeReleased: true },
          opts,
        );
        const byId = new Map(byHousehold.map((r) => [r.householdId, r.encumbrances]));
        return ids.map((id) => byId.get(id) ?? []);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    certificationCaseByHousehold: tracedLoader('certificationCaseByHousehold', async (ids) => {
      try {
        const { cases } = await downstream.certification.batchGetCertificationCases(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(cases.map((c) => [c.householdId, c]));
        return ids.map((id) => byId.get(id) ?? null);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    householdRecord: tracedLoader('householdRecord', async (ids) => {
      try {
        const { records } = await downstream.landContract.batchGetHouseholdRecords(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(records.map((r) => [r.householdId, r]));
        return ids.map((id) => {
          const record = byId.get(id) ?? { householdId: id, contracts: [], encumbrances: [] };
          // The other fields of this household then cost no call of their own.
          loaders.household.prime(id, record.household ?? null);
          if (record.household) {
            loaders.contractsByHousehold.prime(id, record.contracts);
            loaders.encumbrancesByHousehold.prime(id, record.encumbrances);
            loaders.certificationCaseByHousehold.prime(id, record.certificationCase ?? null);
          }
          return record;
        });
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    financeByHousehold: tracedLoader('financeByHousehold', async (ids) => {
      try {
        const { results } = await downstream.propertyMortgage.batchGetHouseholdFinances(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(results.map((r) => [r.householdId, r]));
        return ids.map((id) => byId.get(id) ?? { householdId: id, mortgages: [], loans: [] });
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
  };
  return loaders;
}
