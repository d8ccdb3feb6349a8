import {
  ImportRegisterCsvResponse,
  type RegisterImportServiceDefinition,
} from '@pingquan/contracts/pingquan/land_contract/v1/import';
import { idempotent, inTransaction, type Orm, type ServiceHandlers } from '@pingquan/kit';
import { commandContext } from '../app/context.js';
import { checkImportRequest, ImportRejected, importFingerprint, importRegisterCsv } from '../app/import.js';

/**
 * gRPC ↔ the register import. A rejected file is an answer, not a failure: the per-row report can
 * run to thousands of entries, more than gRPC error details carry, so it comes back in the response
 * with outcome REJECTED — after the transaction rolled back, idempotency record included, so a
 * corrected file may be sent again under the same key.
 */
export function registerImportHandlers(orm: Orm): ServiceHandlers<typeof RegisterImportServiceDefinition> {
  return {
    async importRegisterCsv(request, context) {
      const ctx = commandContext(context.principal, request.context);
      const input = {
        villageCode: request.villageCode,
        csv: request.csv,
        dryRun: request.dryRun,
        fileName: request.fileName,
      };
      checkImportRequest(input);
      // A dry run writes nothing, so there is nothing to replay: it never touches the idempotency key.
      const key = input.dryRun ? '' : (request.context?.idempotencyKey ?? '');
      try {
        return await inTransaction(orm, (em) =>
          idempotent(em, 'ImportRegisterCsv', key, importFingerprint(input), ImportRegisterCsvResponse, () =>
            importRegisterCsv(em, ctx, input),
          ),
        );
      } catch (error) {
        if (error instanceof ImportRejected) return error.response;
        throw error;
      }
    },
  };
}
