import {
  AdjustPlotsResponse,
  type ExtensionServiceDefinition,
  type OfficialApproval,
  StartExtensionBatchResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import { InvalidInputError, idempotent, inTransaction, type Orm, type ServiceHandlers } from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import { commandContext } from '../app/context.js';
import {
  batchDate,
  getExtensionBatch,
  listContractAmendments,
  listExtensionBatches,
  previewExtensionBatch,
  resolutionFromMsg,
  skipReasonFromMsg,
  startExtensionBatch,
} from '../app/extension.js';
import { type AdjustPlotsInput, adjustPlots } from '../app/extension-adjust.js';
import type { ExtensionRunner } from '../app/extension-runner.js';
import type { AdjustmentReason, AdjustmentSource } from '../domain/adjustment.js';
import type { RecordedAct } from '../domain/model.js';
import { decodeCursor, encodeCursor, pageSize, plotsFromMsg } from './input.js';

function actOf(msg: OfficialApproval | undefined): RecordedAct | undefined {
  return msg && (msg.date || msg.reference)
    ? { date: msg.date, reference: msg.reference.trim(), by: msg.by.trim() }
    : undefined;
}

/** gRPC ↔ the extension use cases. A started batch wakes the runner, which does the work in chunks. */
export function extensionHandlers(
  orm: Orm,
  runner: Pick<ExtensionRunner, 'notify'>,
): ServiceHandlers<typeof ExtensionServiceDefinition> {
  const read = () => orm.em.fork();
  return {
    async previewExtensionBatch(request, context) {
      const asOf = batchDate(request.asOfDate, new Date());
      const resolution = resolutionFromMsg(request.resolution);
      return previewExtensionBatch(
        read(),
        context.principal,
        { scopeCode: request.scopeCode, resolution, asOf },
        pageSize(request.skippedSampleSize),
      );
    },
    async startExtensionBatch(request, context) {
      const ctx = commandContext(context.principal, request.context);
      const asOf = batchDate(request.asOfDate, ctx.now);
      const resolution = resolutionFromMsg(request.resolution);
      const result = await inTransaction(orm, (em) =>
        idempotent(
          em,
          'StartExtensionBatch',
          request.context?.idempotencyKey ?? '',
          request,
          StartExtensionBatchResponse,
          () => startExtensionBatch(em, ctx, { scopeCode: request.scopeCode, resolution, asOf }),
        ),
      );
      runner.notify();
      return result;
    },
    async getExtensionBatch(request, context) {
      const size = pageSize(request.skippedPage?.pageSize);
      const result = await getExtensionBatch(read(), context.principal, request.batchId, {
        reason: skipReasonFromMsg(request.skippedReason),
        after: decodeCursor(request.skippedPage?.pageToken),
        size,
      });
      return {
        batch: result.batch,
        skipped: result.skipped,
        skippedPageInfo: { nextPageToken: encodeCursor(result.nextAfter), totalCount: result.total },
      };
    },
    async listExtensionBatches(request, context) {
      const size = pageSize(request.page?.pageSize);
      const result = await listExtensionBatches(
        read(),
        context.principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.scopeCode ? { scopeCode: request.scopeCode } : {}),
        },
        size,
        decodeCursor(request.page?.pageToken),
      );
      return {
        batches: result.batches,
        pageInfo: { nextPageToken: encodeCursor(result.nextBefore), totalCount: result.total },
      };
    },
    async adjustPlots(request, context) {
      const ctx = commandContext(context.principal, request.context);
      if (request.reason === 'ADJUSTMENT_REASON_UNSPECIFIED') {
        throw new InvalidInputError([
          violation('ADJUSTMENT_REASON_REQUIRED', 'reason', 'Give the special ground of the adjustment.'),
        ]);
      }
      const items = request.items.map((item, i) => {
        const plots = plotsFromMsg(
          item.addPlots.map(
            (a) =>
              a.plot ?? {
                code: '',
                name: '',
                contractAreaMu4: 0,
                surveyedAreaMu4: 0,
                landClass: 'LAND_CLASS_UNSPECIFIED',
                basicFarmland: false,
                boundaries: undefined,
                geometryGeojson: '',
              },
          ),
          `items[${i}].addPlots`,
        );
        return {
          contractCode: item.contractCode,
          removePlotCodes: item.removePlotCodes,
          addPlots: item.addPlots.map((a, j) => {
            if (a.source === 'ADJUSTMENT_SOURCE_UNSPECIFIED') {
              throw new InvalidInputError([
                violation(
                  'ADJUSTMENT_SOURCE_REQUIRED',
                  `items[${i}].addPlots[${j}].source`,
                  'Say where the added land comes from.',
                ),
              ]);
            }
            return {
              plot: plots[j] as AdjustPlotsInput['items'][number]['addPlots'][number]['plot'],
              source: a.source.replace('ADJUSTMENT_SOURCE_', '') as AdjustmentSource,
            };
          }),
        };
      });
      const input: AdjustPlotsInput = {
        issuerCode: request.issuerCode,
        reason: request.reason.replace('ADJUSTMENT_REASON_', '') as AdjustmentReason,
        reasonNote: request.reasonNote,
        date: request.date,
        items,
        resolution: resolutionFromMsg(request.resolution),
        townshipApproval: actOf(request.townshipApproval),
        cityApproval: actOf(request.cityApproval),
        prioritySourceAvailableMu4: request.prioritySourceAvailableMu4,
      };
      return inTransaction(orm, (em) =>
        idempotent(
          em,
          'AdjustPlots',
          request.context?.idempotencyKey ?? '',
          request,
          AdjustPlotsResponse,
          () => adjustPlots(em, ctx, input),
        ),
      );
    },
    async listContractAmendments(request, context) {
      return {
        amendments: await listContractAmendments(read(), context.principal, request.contractIdOrCode),
      };
    },
  };
}
