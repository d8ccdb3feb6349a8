import type { PageRequest } from '@pingquan/contracts/pingquan/common/v1/types';
import type { LandHistoryServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import { InvalidInputError, type Logger, type Orm, type ServiceHandlers } from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import {
  certificationCaseHistory,
  contractAsOfDate,
  contractHistory,
  type HistoryPage,
  householdHistory,
  logAuditorRead,
} from '../app/history.js';
import { decodeCursor, encodeCursor, pageSize } from './input.js';

function historyPage(page: PageRequest | undefined): HistoryPage {
  const after = decodeCursor(page?.pageToken);
  const afterSeq = after === undefined ? 0 : Number(after);
  if (!Number.isInteger(afterSeq) || afterSeq < 0) {
    throw new InvalidInputError([
      violation('PAGE_TOKEN_INVALID', 'page.pageToken', 'The page token is not one this service issued.'),
    ]);
  }
  return { pageSize: pageSize(page?.pageSize), afterSeq };
}

/** Page tokens leave the service opaque, like every other list's. */
function withToken<T extends { pageInfo?: { nextPageToken: string; totalCount: number } | undefined }>(
  h: T,
): T {
  if (h.pageInfo?.nextPageToken) h.pageInfo.nextPageToken = encodeCursor(h.pageInfo.nextPageToken);
  return h;
}

/** gRPC ↔ history reads. Every read by an auditor is logged with the principal and what was read. */
export function landHistoryHandlers(
  orm: Orm,
  logger: Logger,
): ServiceHandlers<typeof LandHistoryServiceDefinition> {
  const read = () => orm.em.fork();
  return {
    async getContractHistory(request, context) {
      const page = historyPage(request.page);
      logAuditorRead(logger, context.principal, {
        rpc: 'GetContractHistory',
        contract: request.idOrCode,
        page,
      });
      return { history: withToken(await contractHistory(read(), context.principal, request.idOrCode, page)) };
    },
    async getHouseholdHistory(request, context) {
      const page = historyPage(request.page);
      logAuditorRead(logger, context.principal, {
        rpc: 'GetHouseholdHistory',
        household: request.idOrCode,
        page,
      });
      return {
        history: withToken(await householdHistory(read(), context.principal, request.idOrCode, page)),
      };
    },
    async getCertificationCaseHistory(request, context) {
      const page = historyPage(request.page);
      logAuditorRead(logger, context.principal, {
        rpc: 'GetCertificationCaseHistory',
        certificationCase: request.id,
        page,
      });
      return {
        history: withToken(await certificationCaseHistory(read(), context.principal, request.id, page)),
      };
    },
    async getContractAsOf(request, context) {
      logAuditorRead(logger, context.principal, {
        rpc: 'GetContractAsOf',
        contract: request.idOrCode,
        asOfDate: request.asOfDate,
      });
      return contractAsOfDate(read(), context.principal, request.idOrCode, request.asOfDate);
    },
  };
}
