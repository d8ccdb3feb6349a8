import {
  type LandContractServiceDefinition,
  RegisterContractResponse,
  RegisterHouseholdResponse,
  RegisterIssuerResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import {
  type EntityManager,
  type HandlerContext,
  InvalidInputError,
  idempotent,
  inTransaction,
  type Logger,
  type Orm,
  PermissionDeniedError,
  type ServiceHandlers,
} from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import { commandContext } from '../app/context.js';
import { logAuditorRead } from '../app/history.js';
import { batchGetHouseholdRecords } from '../app/household-record.js';
import { modeFromMsg, statusFromMsg } from '../app/mapping.js';
import {
  batchGetHouseholds,
  contractsByHousehold,
  getContract,
  getIssuer,
  listContracts,
  registerContract,
  registerHousehold,
  registerIssuer,
} from '../app/register.js';
import { decodeCursor, encodeCursor, membersFromMsg, pageSize, plotsFromMsg } from './input.js';

const MAX_BATCH = 500;

function batchLimit(count: number, field: string): void {
  if (count > MAX_BATCH) {
    throw new InvalidInputError([violation('BATCH_TOO_LARGE', field, `At most ${MAX_BATCH} ids per call.`)]);
  }
}

/** gRPC ↔ use cases. Each command runs in one transaction with its audit entries and events. */
export function landContractHandlers(
  orm: Orm,
  logger: Logger,
): ServiceHandlers<typeof LandContractServiceDefinition> {
  const tx = <T>(fn: (em: EntityManager) => Promise<T>) => inTransaction(orm, fn);
  const read = () => orm.em.fork();
  return {
    async registerIssuer(request, context: HandlerContext) {
      const ctx = commandContext(context.principal, request.context);
      return tx((em) =>
        idempotent(
          em,
          'RegisterIssuer',
          request.context?.idempotencyKey ?? '',
          request,
          RegisterIssuerResponse,
          async () => ({
            issuer: await registerIssuer(em, ctx, {
              code: request.code,
              creditCode: request.creditCode,
              name: request.name,
            }),
          }),
        ),
      );
    },
    async getIssuer(request, context) {
      return { issuer: await getIssuer(read(), context.principal, request.idOrCode) };
    },
    async registerHousehold(request, context) {
      const ctx = commandContext(context.principal, request.context);
      const members = membersFromMsg(request.members);
      return tx((em) =>
        idempotent(
          em,
          'RegisterHousehold',
          request.context?.idempotencyKey ?? '',
          request,
          RegisterHouseholdResponse,
          async () => ({
            household: await registerHousehold(em, ctx, {
              code: request.code,
              address: request.address,
              members,
            }),
          }),
        ),
      );
    },
    async batchGetHouseholds(request, context) {
      batchLimit(request.ids.length, 'ids');
      return { households: await batchGetHouseholds(read(), context.principal, request.ids) };
    },
    async registerContract(request, context) {
      const ctx = commandContext(context.principal, request.context);
      const mode = modeFromMsg(request.mode);
      if (!mode)
        throw new InvalidInputError([
          violation('CONTRACT_MODE_REQUIRED', 'mode', 'Choose the contracting mode.'),
        ]);
      const plots = plotsFromMsg(request.plots);
      return tx((em) =>
        idempotent(
          em,
          'RegisterContract',
          request.context?.idempotencyKey ?? '',
          request,
          RegisterContractResponse,
          async () => ({
            contract: await registerContract(em, ctx, {
              code: request.code,
              householdId: request.householdId,
              mode,
              termStart: request.termStartDate,
              termEnd: request.termEndDate,
              adjustmentForbidden: request.adjustmentForbidden,
              plots,
              ...(request.secondRoundEndDate ? { secondRoundEnd: request.secondRoundEndDate } : {}),
            }),
          }),
        ),
      );
    },
    async getContract(request, context) {
      return { contract: await getContract(read(), context.principal, request.idOrCode) };
    },
    async batchGetContractsByHousehold(request, context) {
      batchLimit(request.householdIds.length, 'householdIds');
      const byHousehold = await contractsByHousehold(read(), context.principal, request.householdIds);
      return { results: [...byHousehold].map(([householdId, contracts]) => ({ householdId, contracts })) };
    },
    async batchGetHouseholdRecords(request, context) {
      batchLimit(request.householdIds.length, 'householdIds');
      // Banks and county systems read mortgages through property-mortgage, not the register's record.
      const { principal } = context;
      if (principal.role === 'COOPERATING_BANK' || principal.role === 'COUNTY_SYSTEM') {
        throw new PermissionDeniedError();
      }
      logAuditorRead(logger, principal, {
        rpc: 'BatchGetHouseholdRecords',
        households: request.householdIds,
      });
      return { records: await batchGetHouseholdRecords(orm, principal, request.householdIds) };
    },
    async listContracts(request, context) {
      const size = pageSize(request.page?.pageSize);
      const status =
        request.status === 'CONTRACT_STATUS_UNSPECIFIED' ? undefined : statusFromMsg(request.status);
      const result = await listContracts(
        read(),
        context.principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.villageCode ? { villageCode: request.villageCode } : {}),
          ...(request.issuerCode ? { issuerCode: request.issuerCode } : {}),
          ...(status ? { status } : {}),
        },
        size,
        decodeCursor(request.page?.pageToken),
      );
      return {
        contracts: result.contracts,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },
  };
}
