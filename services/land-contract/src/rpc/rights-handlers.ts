import type { ChangeContext } from '@pingquan/contracts/pingquan/common/v1/types';
import type { ContractMode } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  ExchangePlotsResponse,
  type LandRightsServiceDefinition,
  ReclaimContractResponse,
  RecontractPlotsResponse,
  RecordCirculationResponse,
  RecordCirculationReviewResponse,
  RecordCultivationResumedResponse,
  RecordIssuerMeasureResponse,
  RecordMemberDeathResponse,
  ReportAbandonmentResponse,
  SettleExchangeReviewItemResponse,
  SurrenderContractResponse,
  TerminateCirculationResponse,
  TerminateIdleCirculationsResponse,
  TransferContractRightResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  type EntityManager,
  InvalidInputError,
  idempotent,
  inTransaction,
  type Orm,
  PermissionDeniedError,
  type Principal,
  type ResponseCodec,
  type ServiceHandlers,
} from '@pingquan/kit';
import { todayInShanghai, validateResidentId, violation } from '@pingquan/reference';
import {
  listAbandonmentReports,
  recordCultivationResumed,
  recordIssuerMeasure,
  reportAbandonment,
} from '../app/abandonment.js';
import {
  getCirculation,
  listCirculations,
  recordCirculation,
  recordCirculationReview,
  terminateCirculation,
  terminateIdleCirculations,
} from '../app/circulation.js';
import { commandContext } from '../app/context.js';
import { batchGetEncumbrances } from '../app/encumbrance.js';
import {
  listExchangeReviewItems,
  type ReviewItemKind,
  settleExchangeReviewItem,
} from '../app/exchange-review.js';
import { listExtinctHouseholds, reclaimContract, recordMemberDeath } from '../app/extinction.js';
import { modeFromMsg } from '../app/mapping.js';
import { listReturnedPlots, recontractPlots } from '../app/rights-pool.js';
import { previewSurrenderCompensation, surrenderContract } from '../app/surrender.js';
import { exchangePlots, transferContractRight } from '../app/transfer.js';
import type { IssuerMeasureKind } from '../domain/abandonment.js';
import type { EarlyTerminationGround } from '../domain/circulation.js';
import type {
  CirculationMode,
  CirculationStatus,
  LandUse,
  ReviewLevel,
  TransfereeKind,
} from '../domain/model.js';
import { decodeCursor, encodeCursor, pageSize } from './input.js';
import { Edge } from './rights-input.js';

const MAX_BATCH = 500;

/**
 * Banks check collateral (CollateralService) and county systems read events; nothing of this
 * service is theirs, whatever the record.
 */
function refuseOutsiders(principal: Principal): void {
  if (principal.role === 'COOPERATING_BANK' || principal.role === 'COUNTY_SYSTEM')
    throw new PermissionDeniedError();
}

function checkTownship(code: string, field: string, required: boolean): void {
  if ((required || code) && !/^\d{9}$/.test(code)) {
    throw new InvalidInputError([violation('CODE_FORMAT', field, `${field} is a 9-digit township code.`)]);
  }
}

/** gRPC ↔ rights use cases. Each command: one transaction, audit + events, idempotency key honoured. */
export function landRightsHandlers(orm: Orm): ServiceHandlers<typeof LandRightsServiceDefinition> {
  const read = () => orm.em.fork();
  const command = <T>(
    scope: string,
    change: ChangeContext | undefined,
    request: unknown,
    codec: ResponseCodec<T>,
    run: (em: EntityManager) => Promise<T>,
  ): Promise<T> =>
    inTransaction(orm, (em) =>
      idempotent(em, scope, change?.idempotencyKey ?? '', request, codec, () => run(em)),
    );

  return {
    async recordMemberDeath(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      edge.uuid(request.householdId, 'householdId');
      const deceasedOn = edge.date(request.deceasedOn, 'deceasedOn');
      const id = validateResidentId(request.residentId.trim().toUpperCase(), 'residentId', todayInShanghai());
      if (!id.ok) edge.violations.push(...id.violations);
      edge.done();
      return command('RecordMemberDeath', request.context, request, RecordMemberDeathResponse, (em) =>
        recordMemberDeath(em, ctx, {
          householdId: request.householdId,
          residentId: request.residentId.trim().toUpperCase(),
          deceasedOn,
        }),
      );
    },

    async listExtinctHouseholds(request, { principal }) {
      refuseOutsiders(principal);
      checkTownship(request.townshipCode, 'townshipCode', false);
      const result = await listExtinctHouseholds(
        read(),
        principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.issuerCode ? { issuerCode: request.issuerCode } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        households: result.households,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },

    async reclaimContract(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const decidedOn = edge.date(request.decidedOn, 'decidedOn');
      const earnedIncome = request.earnedIncome.map((e, i) => ({
        description: e.description.trim(),
        amountFen: e.amountFen,
        earnedOn: edge.date(e.earnedOn, `earnedIncome[${i}].earnedOn`),
      }));
      const heirs = request.heirs.map((h, i) => {
        const residentId = h.residentId.trim().toUpperCase();
        if (residentId) {
          const checked = validateResidentId(residentId, `heirs[${i}].residentId`, todayInShanghai());
          if (!checked.ok) edge.violations.push(...checked.violations);
        }
        return {
          name: h.name.trim(),
          relation: edge.text(
            h.relation,
            `heirs[${i}].relation`,
            'HEIR_RELATION_REQUIRED',
            "Give the heir's relation to the deceased.",
          ),
          amountFen: h.amountFen,
          ...(residentId ? { residentId } : {}),
        };
      });
      edge.done();
      return command('ReclaimContract', request.context, request, ReclaimContractResponse, (em) =>
        reclaimContract(em, ctx, {
          contractId: request.contractId,
          decidedOn,
          decisionRef: request.decisionRef,
          earnedIncome,
          heirs,
        }),
      );
    },

    async listReturnedPlots(request, { principal }) {
      refuseOutsiders(principal);
      checkTownship(request.townshipCode, 'townshipCode', false);
      const result = await listReturnedPlots(
        read(),
        principal,
        {
          ...(request.issuerCode ? { issuerCode: request.issuerCode } : {}),
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        plots: result.plots,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },

    async recontractPlots(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      edge.uuid(request.householdId, 'householdId');
      const mode = modeFromMsg(request.mode as ContractMode);
      if (!mode)
        edge.violations.push(violation('CONTRACT_MODE_REQUIRED', 'mode', 'Choose the contracting mode.'));
      const termStart = edge.date(request.termStartDate, 'termStartDate');
      const termEnd = edge.date(request.termEndDate, 'termEndDate');
      const secondRoundEnd = edge.optionalDate(request.secondRoundEndDate, 'secondRoundEndDate');
      const plotCodes = edge.codes(request.plotCodes, 19, 'plotCodes');
      if (plotCodes.length === 0)
        edge.violations.push(violation('PLOTS_REQUIRED', 'plotCodes', 'Name at least one plot.'));
      edge.done();
      return command('RecontractPlots', request.context, request, RecontractPlotsResponse, (em) =>
        recontractPlots(em, ctx, {
          householdId: request.householdId,
          mode: mode ?? 'FAMILY',
          termStart,
          termEnd,
          plotCodes,
          adjustmentForbidden: request.adjustmentForbidden,
          ...(secondRoundEnd ? { secondRoundEnd } : {}),
        }),
      );
    },

    async transferContractRight(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      edge.uuid(request.toHouseholdId, 'toHouseholdId');
      const transferDate = edge.date(request.transferDate, 'transferDate');
      const plotCodes = edge.codes(request.plotCodes, 19, 'plotCodes');
      const issuerConsent = edge.act(request.issuerConsent, 'issuerConsent');
      const priceFen = request.priceFen === undefined ? undefined : edge.fen(request.priceFen, 'priceFen');
      edge.done();
      return command('TransferContractRight', request.context, request, TransferContractRightResponse, (em) =>
        transferContractRight(em, ctx, {
          contractId: request.contractId,
          toHouseholdId: request.toHouseholdId,
          plotCodes,
          transferDate,
          ...(issuerConsent ? { issuerConsent } : {}),
          ...(priceFen !== undefined ? { priceFen } : {}),
        }),
      );
    },

    async exchangePlots(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const date = edge.date(request.exchangeDate, 'exchangeDate');
      const a = {
        contractId: request.a?.contractId ?? '',
        plotCodes: edge.codes(request.a?.plotCodes ?? [], 19, 'a.plotCodes'),
      };
      const b = {
        contractId: request.b?.contractId ?? '',
        plotCodes: edge.codes(request.b?.plotCodes ?? [], 19, 'b.plotCodes'),
      };
      const filing = edge.act(request.filing, 'filing');
      edge.done();
      return command('ExchangePlots', request.context, request, ExchangePlotsResponse, (em) =>
        exchangePlots(em, ctx, { a, b, date, ...(filing ? { filing } : {}) }),
      );
    },

    async previewSurrenderCompensation(request, { principal }) {
      refuseOutsiders(principal);
      const edge = new Edge();
      const surrenderDate = edge.optionalDate(request.surrenderDate, 'surrenderDate');
      const soilImprovementFen = edge.fen(request.soilImprovementFen, 'soilImprovementFen');
      edge.done();
      return previewSurrenderCompensation(read(), principal, {
        contractId: request.contractId,
        soilImprovementFen,
        ...(surrenderDate ? { surrenderDate } : {}),
      });
    },

    async surrenderContract(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const surrenderDate = edge.date(request.surrenderDate, 'surrenderDate');
      const notice = {
        givenOn: edge.date(request.notice?.givenOn ?? '', 'notice.givenOn'),
        written: request.notice?.written ?? false,
        reference: (request.notice?.reference ?? '').trim(),
      };
      const soilImprovementFen = edge.fen(request.soilImprovementFen, 'soilImprovementFen');
      const issuerAcceptance = edge.act(request.issuerAcceptance, 'issuerAcceptance');
      edge.done();
      return command('SurrenderContract', request.context, request, SurrenderContractResponse, (em) =>
        surrenderContract(em, ctx, {
          contractId: request.contractId,
          surrenderDate,
          notice,
          voluntary: request.voluntary,
          hukouCondition: request.hukouCondition,
          compensationAgreed: request.compensationAgreed,
          soilImprovementFen,
          ...(issuerAcceptance ? { issuerAcceptance } : {}),
        }),
      );
    },

    async recordCirculationReview(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const level = edge.enumOf<ReviewLevel>(request.level, 'REVIEW_LEVEL_', 'level');
      const kind = edge.enumOf<'QUALIFICATION' | 'PROJECT'>(request.kind, 'REVIEW_KIND_', 'kind');
      const act = edge.act(request.act, 'act');
      if (!act)
        edge.violations.push(
          violation('REVIEW_ACT_REQUIRED', 'act', 'Cite the review decision: date and reference.'),
        );
      const transferee = edge.transferee(request.transferee, 'transferee');
      const areaMu4 = edge.positiveMu4(request.areaMu4, 'areaMu4');
      const project = edge.text(
        request.project,
        'project',
        'REVIEW_PROJECT_REQUIRED',
        'Name the project reviewed.',
      );
      checkTownship(request.townshipCode, 'townshipCode', true);
      edge.done();
      return command(
        'RecordCirculationReview',
        request.context,
        request,
        RecordCirculationReviewResponse,
        async (em) => ({
          review: await recordCirculationReview(em, ctx, {
            level,
            kind,
            approved: request.approved,
            act: act ?? { date: '', reference: '', by: '' },
            transferee,
            areaMu4,
            project,
            townshipCode: request.townshipCode,
          }),
        }),
      );
    },

    async recordCirculation(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const mode = edge.enumOf<CirculationMode>(request.mode, 'CIRCULATION_MODE_', 'mode');
      const use = edge.enumOf<LandUse>(request.use, 'LAND_USE_', 'use');
      const transferee = edge.transferee(request.transferee, 'transferee');
      const plots = edge.circulatedPlots(request.plots, 'plots');
      const termStart = edge.date(request.termStartDate, 'termStartDate');
      const termEnd = edge.date(request.termEndDate, 'termEndDate');
      const filing = edge.act(request.filing, 'filing');
      const contractorConsent = edge.act(request.contractorConsent, 'contractorConsent');
      const parentCirculationId = edge.optionalUuid(request.parentCirculationId, 'parentCirculationId');
      for (const [i, id] of request.reviewIds.entries()) edge.uuid(id, `reviewIds[${i}]`);
      const riskDepositPaidFen = edge.fen(request.riskDepositPaidFen, 'riskDepositPaidFen');
      const annualPricePerMuFen =
        request.annualPricePerMuFen === undefined
          ? undefined
          : edge.fen(request.annualPricePerMuFen, 'annualPricePerMuFen');
      edge.done();
      return command(
        'RecordCirculation',
        request.context,
        request,
        RecordCirculationResponse,
        async (em) => ({
          circulation: await recordCirculation(em, ctx, {
            contractId: request.contractId,
            mode,
            transferee,
            plots,
            termStart,
            termEnd,
            use,
            written: request.written,
            reviewIds: [...request.reviewIds],
            riskDepositPaidFen,
            ...(filing ? { filing } : {}),
            ...(contractorConsent ? { contractorConsent } : {}),
            ...(parentCirculationId ? { parentCirculationId } : {}),
            ...(annualPricePerMuFen !== undefined ? { annualPricePerMuFen } : {}),
          }),
        }),
      );
    },

    async getCirculation(request, { principal }) {
      refuseOutsiders(principal);
      return { circulation: await getCirculation(read(), principal, request.id) };
    },

    async listCirculations(request, { principal }) {
      refuseOutsiders(principal);
      checkTownship(request.townshipCode, 'townshipCode', false);
      const edge = new Edge();
      if (request.villageCode) edge.code(request.villageCode, 12, 'villageCode');
      if (request.contractId) edge.uuid(request.contractId, 'contractId');
      if (request.householdId) edge.uuid(request.householdId, 'householdId');
      edge.done();
      const status = edge.optionalEnum<CirculationStatus>(request.status, 'CIRCULATION_STATUS_');
      const transfereeKind = edge.optionalEnum<TransfereeKind>(request.transfereeKind, 'TRANSFEREE_KIND_');
      const result = await listCirculations(
        read(),
        principal,
        {
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.villageCode ? { villageCode: request.villageCode } : {}),
          ...(request.contractId ? { contractId: request.contractId } : {}),
          ...(request.householdId ? { householdId: request.householdId } : {}),
          ...(status ? { status } : {}),
          ...(transfereeKind ? { transfereeKind } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        circulations: result.circulations,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
        totalAreaMu4: result.totalAreaMu4,
      };
    },

    async terminateCirculation(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const ground = edge.enumOf<EarlyTerminationGround>(request.ground, 'TERMINATION_GROUND_', 'ground');
      const by = edge.enumOf<'CONTRACTOR' | 'ISSUER'>(request.by, 'TERMINATING_PARTY_', 'by');
      const date = edge.date(request.terminationDate, 'terminationDate');
      edge.done();
      return command(
        'TerminateCirculation',
        request.context,
        request,
        TerminateCirculationResponse,
        async (em) => ({
          circulation: await terminateCirculation(em, ctx, {
            circulationId: request.circulationId,
            ground,
            by,
            date,
            evidenceRef: request.evidenceRef,
          }),
        }),
      );
    },

    async terminateIdleCirculations(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      checkTownship(request.townshipCode, 'townshipCode', true);
      const edge = new Edge();
      const asOf = edge.optionalDate(request.asOfDate, 'asOfDate') ?? todayInShanghai(ctx.now);
      edge.done();
      return command(
        'TerminateIdleCirculations',
        request.context,
        request,
        TerminateIdleCirculationsResponse,
        async (em) => ({
          terminated: await terminateIdleCirculations(em, ctx, { townshipCode: request.townshipCode, asOf }),
        }),
      );
    },

    async reportAbandonment(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const plotCode = edge.code(request.plotCode, 19, 'plotCode');
      const areaMu4 = edge.positiveMu4(request.areaMu4, 'areaMu4');
      const since = edge.date(request.sinceDate, 'sinceDate');
      const reportedOn = edge.date(request.reportedOn, 'reportedOn');
      edge.done();
      return command(
        'ReportAbandonment',
        request.context,
        request,
        ReportAbandonmentResponse,
        async (em) => ({
          report: await reportAbandonment(em, ctx, {
            contractId: request.contractId,
            plotCode,
            areaMu4,
            since,
            reportedOn,
          }),
        }),
      );
    },

    async recordCultivationResumed(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const resumedOn = edge.date(request.resumedOn, 'resumedOn');
      edge.done();
      return command(
        'RecordCultivationResumed',
        request.context,
        request,
        RecordCultivationResumedResponse,
        async (em) => ({
          report: await recordCultivationResumed(em, ctx, { reportId: request.reportId, resumedOn }),
        }),
      );
    },

    async recordIssuerMeasure(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const kind = edge.enumOf<IssuerMeasureKind>(request.kind, 'ISSUER_MEASURE_KIND_', 'kind');
      const takenOn = edge.date(request.takenOn, 'takenOn');
      const act = edge.act(request.act, 'act');
      edge.done();
      return command(
        'RecordIssuerMeasure',
        request.context,
        request,
        RecordIssuerMeasureResponse,
        async (em) => ({
          measure: await recordIssuerMeasure(em, ctx, {
            reportId: request.reportId,
            kind,
            takenOn,
            note: request.note,
            ...(act ? { act } : {}),
          }),
        }),
      );
    },

    async listAbandonmentReports(request, { principal }) {
      refuseOutsiders(principal);
      checkTownship(request.townshipCode, 'townshipCode', false);
      const edge = new Edge();
      const asOf = edge.optionalDate(request.asOfDate, 'asOfDate');
      edge.done();
      const result = await listAbandonmentReports(
        read(),
        principal,
        {
          openOnly: request.openOnly,
          ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
          ...(request.contractId ? { contractId: request.contractId } : {}),
          ...(asOf ? { asOf } : {}),
        },
        pageSize(request.page?.pageSize),
        decodeCursor(request.page?.pageToken),
      );
      return {
        reports: result.reports,
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
        totalAreaMu4: result.totalAreaMu4,
      };
    },

    async listExchangeReviewItems(request, { principal }) {
      checkTownship(request.townshipCode, 'townshipCode', false);
      const after = decodeCursor(request.page?.pageToken);
      const result = await listExchangeReviewItems(read(), principal, {
        ...(request.townshipCode ? { townshipCode: request.townshipCode } : {}),
        pageSize: pageSize(request.page?.pageSize),
        ...(after ? { after } : {}),
      });
      return {
        items: result.items.map((item) => ({ ...item, cursor: encodeCursor(item.cursor) })),
        pageInfo: { nextPageToken: encodeCursor(result.nextCursor), totalCount: result.total },
      };
    },
    async settleExchangeReviewItem(request, { principal }) {
      refuseOutsiders(principal);
      const ctx = commandContext(principal, request.context);
      const edge = new Edge();
      const kind = edge.enumOf<ReviewItemKind>(request.kind, 'EXCHANGE_REVIEW_ITEM_KIND_', 'kind');
      edge.done();
      return command(
        'SettleExchangeReviewItem',
        request.context,
        request,
        SettleExchangeReviewItemResponse,
        async (em) => ({
          item: await settleExchangeReviewItem(em, ctx, {
            kind,
            id: request.id,
            settlement: request.settlement,
          }),
        }),
      );
    },
    async batchGetEncumbrances(request, { principal }) {
      refuseOutsiders(principal);
      if (request.contractIds.length > MAX_BATCH || request.householdIds.length > MAX_BATCH) {
        throw new InvalidInputError([
          violation('BATCH_TOO_LARGE', 'contractIds', `At most ${MAX_BATCH} ids of each kind per call.`),
        ]);
      }
      return batchGetEncumbrances(read(), principal, {
        contractIds: request.contractIds,
        householdIds: request.householdIds,
        includeReleased: request.includeReleased,
      });
    },
  };
}
