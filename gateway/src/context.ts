import type { CertificationCase } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import type { Contract, Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { Encumbrance } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type { Loan } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import type { Mortgage } from '@pingquan/contracts/pingquan/property_mortgage/v1/mortgage';
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
  /** Mortgages where the household is mortgagor or debtor (property-mortgage), by household id. */
  mortgagesByHousehold: DataLoader<string, Mortgage[]>;
  /** The household's loans (property-mortgage), by household id. */
  loansByHousehold: DataLoader<string, Loan[]>;
}

/**
 * One loader set per request: the household view costs one batched call per service however many
 * households or contracts a query touches, never one call per record. Loaders made with
 * `tracedLoader` show each batch as a span (name, batch size) in the request's trace.
 */
export function createLoaders(principal: Principal, downstream: Downstream, deadlineMs: number): Loaders {
  const opts = { principal, deadline: deadlineMs };
  return {
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
    mortgagesByHousehold: tracedLoader('mortgagesByHousehold', async (ids) => {
      try {
        const { results } = await downstream.propertyMortgage.batchGetMortgagesByHousehold(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(results.map((r) => [r.householdId, r.mortgages]));
        return ids.map((id) => byId.get(id) ?? []);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    loansByHousehold: tracedLoader('loansByHousehold', async (ids) => {
      try {
        const { results } = await downstream.propertyMortgage.batchGetLoansByHousehold(
          { householdIds: [...ids] },
          opts,
        );
        const byId = new Map(results.map((r) => [r.householdId, r.loans]));
        return ids.map((id) => byId.get(id) ?? []);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
  };
}
