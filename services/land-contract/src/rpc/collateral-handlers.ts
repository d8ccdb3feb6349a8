import { IsolationLevel } from '@mikro-orm/core';
import type { CollateralServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import { type EntityManager, inTransaction, type Orm, type ServiceHandlers } from '@pingquan/kit';
import { batchVerifyCollateral, verifyCollateral } from '../app/collateral.js';
import { Edge } from './rights-input.js';

/** gRPC ↔ collateral checks. Reads only; every call sees one consistent snapshot of the right. */
export function collateralHandlers(orm: Orm): ServiceHandlers<typeof CollateralServiceDefinition> {
  // One repeatable-read transaction per call: contract, plots, mortgages and circulations agree.
  const snapshot = <T>(fn: (em: EntityManager) => Promise<T>) =>
    inTransaction(orm, fn, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  return {
    async verifyCollateral(request, { principal }) {
      const edge = new Edge();
      edge.optionalDate(request.asOfDate, 'asOfDate');
      edge.codes(request.plotCodes, 19, 'plotCodes');
      if (request.circulationId) edge.uuid(request.circulationId, 'circulationId');
      edge.done();
      return { collateral: await snapshot((em) => verifyCollateral(em, principal, request)) };
    },
    async batchVerifyCollateral(request, { principal }) {
      const edge = new Edge();
      for (const [i, r] of request.requests.entries())
        edge.optionalDate(r.asOfDate, `requests[${i}].asOfDate`);
      edge.done();
      return { results: await snapshot((em) => batchVerifyCollateral(em, principal, request.requests)) };
    },
  };
}
