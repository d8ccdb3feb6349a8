import type { ChangeContext } from '@pingquan/contracts/pingquan/common/v1/types';
import {
  AdvanceCertificationStageResponse,
  type CertificationServiceDefinition,
  LinkRealEstateRegisterResponse,
  OpenLegacyCaseResponse,
  RaiseCertificationObjectionResponse,
  ResolveCertificationObjectionResponse,
  UpdateLegacyCaseResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import {
  type CommandContext,
  type EntityManager,
  InvalidInputError,
  idempotent,
  inTransaction,
  type Logger,
  type Orm,
  type ResponseCodec,
  type ServiceHandlers,
} from '@pingquan/kit';
import { violation } from '@pingquan/reference';
import {
  advanceCertificationStage,
  batchGetCertificationCases,
  getCertificationCase,
  legacyKindFromMsg,
  legacyStateFromMsg,
  linkCertificationRealEstate,
  listCertificationCases,
  openCertificationLegacyCase,
  raiseCertificationObjection,
  resolveCertificationObjection,
  stageFromMsg,
  updateCertificationLegacyCase,
} from '../app/certification.js';
import { commandContext } from '../app/context.js';
import { logAuditorRead } from '../app/history.js';
import { decodeCursor, encodeCursor, pageSize } from './input.js';

const MAX_BATCH = 500;

/** gRPC ↔ certification use cases. Each command: one transaction with its audit entry and event. */
export function certificationHandlers(
  orm: Orm,
  logger: Logger,
): ServiceHandlers<typeof CertificationServiceDefinition> {
  const read = () => orm.em.fork();
  /** Runs a command once per idempotency key, in one transaction. */
  const command = <T>(
    rpc: string,
    request: { context?: ChangeContext | undefined },
    principal: CommandContext['principal'],
    codec: ResponseCodec<T>,
    run: (em: EntityManager, ctx: CommandContext) => Promise<T>,
  ): Promise<T> => {
    const ctx = commandContext(principal, request.context);
    return inTransaction(orm, (em) =>
      idempotent(em, rpc, request.context?.idempotencyKey ?? '', request, codec, () => run(em, ctx)),
    );
  };
  return {
    advanceCertificationStage(request, context) {
      return command(
        'AdvanceCertificationStage',
        request,
        context.principal,
        AdvanceCertificationStageResponse,
        async (em, ctx) => ({
          certificationCase: await advanceCertificationStage(em, ctx, {
            householdId: request.householdId,
            stage: stageFromMsg(request.stage),
            date: request.date,
            certificateNo: request.certificateNo,
            registerBookNo: request.registerBookNo,
          }),
        }),
      );
    },
    raiseCertificationObjection(request, context) {
      return command(
        'RaiseCertificationObjection',
        request,
        context.principal,
        RaiseCertificationObjectionResponse,
        (em, ctx) =>
          raiseCertificationObjection(em, ctx, {
            householdId: request.householdId,
            raisedOn: request.raisedOn,
            raisedBy: request.raisedBy,
            subject: request.subject,
          }),
      );
    },
    resolveCertificationObjection(request, context) {
      return command(
        'ResolveCertificationObjection',
        request,
        context.principal,
        ResolveCertificationObjectionResponse,
        async (em, ctx) => ({
          certificationCase: await resolveCertificationObjection(em, ctx, {
            householdId: request.householdId,
            objectionId: request.objectionId,
            resolvedOn: request.resolvedOn,
            resolution: request.resolution,
          }),
        }),
      );
    },
    openLegacyCase(request, context) {
      return command('OpenLegacyCase', request, context.principal, OpenLegacyCaseResponse, (em, ctx) =>
        openCertificationLegacyCase(em, ctx, {
          householdId: request.householdId,
          kind: legacyKindFromMsg(request.kind),
          owner: request.owner,
          openedOn: request.openedOn,
          note: request.note,
        }),
      );
    },
    updateLegacyCase(request, context) {
      return command(
        'UpdateLegacyCase',
        request,
        context.principal,
        UpdateLegacyCaseResponse,
        async (em, ctx) => ({
          certificationCase: await updateCertificationLegacyCase(em, ctx, {
            householdId: request.householdId,
            legacyCaseId: request.legacyCaseId,
            state: legacyStateFromMsg(request.state),
            date: request.date,
            note: request.note,
          }),
        }),
      );
    },
    linkRealEstateRegister(request, context) {
      return command(
        'LinkRealEstateRegister',
        request,
        context.principal,
        LinkRealEstateRegisterResponse,
        async (em, ctx) => ({
          certificationCase: await linkCertificationRealEstate(em, ctx, {
            householdId: request.householdId,
            registerNo: request.realEstateRegisterNo,
            date: request.date,
          }),
        }),
      );
    },
    async getCertificationCase(request, context) {
      logAuditorRead(logger, context.principal, {
        rpc: 'GetCertificationCase',
        certificationCase: request.id,
      });
      return { certificationCase: await getCertificationCase(read(), context.principal, request.id) };
    },
    async batchGetCertificationCases(request, context) {
      if (request.householdIds.length > MAX_BATCH) {
        throw new InvalidInputError([
          violation('BATCH_TOO_LARGE', 'householdIds', `At most ${MAX_BATCH} ids per call.`),
        ]);
      }
      logAuditorRead(logger, context.principal, {
        rpc: 'BatchGetCertificationCases',
        households: request.householdIds,
      });
      return { cases: await batchGetCertificationCases(read(), context.principal, request.householdIds) };
    },
    async listCertificationCases(request, context) {
      const v = [];
      if (request.townshipCode && !/^\d{9}$/.test(request.townshipCode)) {
        v.push(violation('CODE_FORMAT', 'townshipCode', 'A township code is 9 digits.'));
      }
      if (request.villageCode && !/^\d{12}$/.test(request.villageCode)) {
        v.push(violation('CODE_FORMAT', 'villageCode', 'A village code is 12 digits.'));
      }
      if (v.length) throw new InvalidInputError(v);
      const stage = stageFromMsg(request.stage);
      const filter = {
        ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
        ...(request.villageCode ? { villageCode: request.villageCode } : {}),
        ...(stage ? { stage } : {}),
        ...(request.blockedOnly ? { blockedOnly: true } : {}),
      };
      logAuditorRead(logger, context.principal, { rpc: 'ListCertificationCases', filter });
      const result = await listCertificationCases(
        read(),
        context.principal,
        filter,
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        cases: result.cases,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },
  };
}
