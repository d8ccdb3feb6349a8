import type { Contract, Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { Logger, Principal } from '@pingquan/kit';
import DataLoader from 'dataloader';
import type { Downstream } from './downstream.js';
import { fromDownstream } from './errors.js';

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
}

/**
 * One loader set per request: the household view costs one batched call per service however many
 * households or contracts a query touches, never one call per record.
 */
export function createLoaders(principal: Principal, downstream: Downstream, deadlineMs: number): Loaders {
  const opts = { principal, deadline: deadlineMs };
  return {
    household: new DataLoader(async (ids) => {
      try {
        const { households } = await downstream.landContract.batchGetHouseholds({ ids: [...ids] }, opts);
        const byId = new Map(households.map((h) => [h.id, h]));
        return ids.map((id) => byId.get(id) ?? null);
      } catch (error) {
        throw fromDownstream(error);
      }
    }),
    contractsByHousehold: new DataLoader(async (ids) => {
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
  };
}
