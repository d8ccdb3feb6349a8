import { type FilterQuery, raw } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  IssuerMeasure as MeasureMsg,
  AbandonmentReport as ReportMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  type CommandContext,
  canWrite,
  type EntityManager,
  isUuid,
  NotFoundError,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import { compareDates, type LocalDate, type Mu4, todayInShanghai, violation } from '@pingquan/reference';
import {
  type AbandonmentReport,
  type IssuerMeasure,
  type IssuerMeasureKind,
  validateAbandonmentReport,
  validateIssuerMeasure,
} from '../domain/abandonment.js';
import { checkInForce } from '../domain/contract-rules.js';
import type { RecordedAct } from '../domain/model.js';
import {
  AbandonmentReportEntity,
  type AbandonmentReportRow,
  IssuerMeasureEntity,
  type IssuerMeasureRow,
} from '../persistence/rights-entities.js';
import { TRACK } from './context.js';
import {
  badInput,
  checkNotFuture,
  loadContract,
  rejectInput,
  rejectRule,
  scopeOfVillage,
  today,
  touch,
} from './rights-common.js';

// 弃耕抛荒 — land left uncultivated: reports, the issuer's corrective measures (LCL Art 64), and the
// record of cultivation resuming. Idle spells of two years end circulations (see circulation.ts).

export function abandonmentReportFromRow(row: AbandonmentReportRow): AbandonmentReport {
  return {
    id: row.id,
    plotCode: row.plotCode,
    contractId: row.contractId,
    areaMu4: row.areaMu4,
    since: row.since,
    reportedOn: row.reportedOn,
    reporter: { principal: row.reporterSubject, role: row.reporterRole },
    ...(row.resumedOn ? { resumedOn: row.resumedOn } : {}),
  };
}

function measureToMsg(row: IssuerMeasureRow): MeasureMsg {
  return {
    id: row.id,
    reportId: row.reportId,
    kind: `ISSUER_MEASURE_KIND_${row.kind}` as MeasureMsg['kind'],
    takenOn: row.takenOn,
    note: row.note,
    act: row.actOn ? { actedOn: row.actOn, reference: row.actRef ?? '', by: row.actBy ?? '' } : undefined,
  };
}

function reportToMsg(row: AbandonmentReportRow, measures: readonly IssuerMeasureRow[]): ReportMsg {
  return {
    id: row.id,
    contractId: row.contractId,
    plotCode: row.plotCode,
    areaMu4: row.areaMu4,
    sinceDate: row.since,
    reportedOn: row.reportedOn,
    resumedOn: row.resumedOn ?? '',
    reporter: {
      subject: row.reporterSubject,
      role: `ROLE_${row.reporterRole}` as NonNullable<ReportMsg['reporter']>['role'],
      displayName: '',
    },
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    measures: measures.filter((m) => m.reportId === row.id).map(measureToMsg),
  };
}

/**
 * Who may report abandoned land: those who write the track's records for the village, and the
 * village task force, whose verification work is exactly this.
 */
function assertMayReport(principal: Principal, villageCode: string): void {
  const scope = scopeOfVillage(villageCode);
  const taskForce =
    principal.role === 'VILLAGE_TASK_FORCE' && (principal.villages ?? []).includes(villageCode);
  if (!taskForce && !canWrite(principal, scope)) throw new PermissionDeniedError();
}

export interface ReportInput {
  contractId: string;
  plotCode: string;
  areaMu4: Mu4;
  since: LocalDate;
  reportedOn: LocalDate;
}

export async function reportAbandonment(
  em: EntityManager,
  ctx: CommandContext,
  input: ReportInput,
): Promise<ReportMsg> {
  const { row: contractRow, contract } = await loadContract(em, input.contractId);
  assertMayReport(ctx.principal, contractRow.villageCode);
  badInput(checkNotFuture(input.reportedOn, today(ctx), 'reportedOn'));
  const report: AbandonmentReport = {
    id: newId(),
    contractId: contractRow.id,
    plotCode: input.plotCode,
    areaMu4: input.areaMu4,
    since: input.since,
    reportedOn: input.reportedOn,
    reporter: { principal: ctx.principal.sub, role: ctx.principal.role },
  };
  const v = [
    ...validateAbandonmentReport(report, contract, 'report').map((x) => ({
      ...x,
      field: x.field.replace(/^report\./, ''),
    })),
    // Land of an ended contract is the issuer's own to farm or contract again, not a contractor's to neglect.
    ...checkInForce(contract, input.reportedOn, 'contract'),
  ];
  if (v.length > 0) rejectRule(v);
  const row = em.create(AbandonmentReportEntity, {
    id: report.id,
    contractId: contractRow.id,
    plotCode: input.plotCode,
    areaMu4: input.areaMu4,
    since: input.since,
    reportedOn: input.reportedOn,
    resumedOn: null,
    reporterSubject: ctx.principal.sub,
    reporterRole: ctx.principal.role,
    villageCode: contractRow.villageCode,
    townshipCode: contractRow.townshipCode,
    version: 1,
  });
  await em.flush();
  const msg = reportToMsg(row, []);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'abandonment',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'abandonment.reported',
      state: msg,
      effectiveOn: row.since,
      event: { type: Events['land-contract'].AbandonmentReported, payload: { report: msg } },
    },
  ]);
  return msg;
}

async function loadReport(em: EntityManager, id: string): Promise<AbandonmentReportRow> {
  if (!isUuid(id)) rejectInput([violation('REPORT_ID_FORMAT', 'reportId', 'Give the report id (UUID).')]);
  const row = await em.findOne(AbandonmentReportEntity, { id });
  if (!row) throw new NotFoundError('abandonment report', id);
  return row;
}

export async function recordCultivationResumed(
  em: EntityManager,
  ctx: CommandContext,
  input: { reportId: string; resumedOn: LocalDate },
): Promise<ReportMsg> {
  const row = await loadReport(em, input.reportId);
  assertMayReport(ctx.principal, row.villageCode);
  badInput(checkNotFuture(input.resumedOn, today(ctx), 'resumedOn'));
  if (row.resumedOn) {
    rejectRule([
      violation(
        'CULTIVATION_ALREADY_RESUMED',
        'reportId',
        `Cultivation was recorded as resumed on ${row.resumedOn}.`,
      ),
    ]);
  }
  if (compareDates(input.resumedOn, row.since) <= 0) {
    rejectRule([
      violation(
        'ABANDONMENT_RESUMED_BEFORE_SINCE',
        'resumedOn',
        `The land was idle from ${row.since}; cultivation cannot resume on or before that.`,
      ),
    ]);
  }
  row.resumedOn = input.resumedOn;
  touch(row, ctx.now);
  await em.flush();
  const msg = reportToMsg(row, await em.find(IssuerMeasureEntity, { reportId: row.id }));
  await recordChanges(em, ctx, [
    {
      aggregateType: 'abandonment',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'abandonment.resumed',
      state: msg,
      effectiveOn: input.resumedOn,
      event: { type: Events['land-contract'].CultivationResumed, payload: { report: msg } },
    },
  ]);
  return msg;
}

export interface MeasureInput {
  reportId: string;
  kind: IssuerMeasureKind;
  takenOn: LocalDate;
  note: string;
  act?: RecordedAct;
}

/** 发包方措施 — the issuer's measure is recorded by those who write the village's records. */
export async function recordIssuerMeasure(
  em: EntityManager,
  ctx: CommandContext,
  input: MeasureInput,
): Promise<MeasureMsg> {
  const row = await loadReport(em, input.reportId);
  if (!canWrite(ctx.principal, scopeOfVillage(row.villageCode))) throw new PermissionDeniedError();
  badInput(checkNotFuture(input.takenOn, today(ctx), 'takenOn'));
  const measure: IssuerMeasure = {
    reportId: row.id,
    kind: input.kind,
    date: input.takenOn,
    note: input.note,
    ...(input.act ? { act: input.act } : {}),
  };
  const v = validateIssuerMeasure(measure, abandonmentReportFromRow(row), 'measure').map((x) => ({
    ...x,
    field: x.field.replace(/^measure\.date$/, 'takenOn').replace(/^measure\./, ''),
  }));
  if (v.length > 0) rejectRule(v);
  const measureRow = em.create(IssuerMeasureEntity, {
    id: newId(),
    reportId: row.id,
    kind: input.kind,
    takenOn: input.takenOn,
    note: input.note.trim(),
    actOn: input.act?.date ?? null,
    actRef: input.act?.reference ?? null,
    actBy: input.act?.by ?? null,
  });
  touch(row, ctx.now);
  await em.flush();
  const msg = measureToMsg(measureRow);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'abandonment',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'abandonment.measure-recorded',
      state: reportToMsg(row, await em.find(IssuerMeasureEntity, { reportId: row.id })),
      effectiveOn: input.takenOn,
      event: {
        type: Events['land-contract'].IssuerMeasureRecorded,
        payload: { measure: msg, contractId: row.contractId },
      },
    },
  ]);
  return msg;
}

export interface ReportFilter {
  townshipCode?: string;
  contractId?: string;
  openOnly: boolean;
  asOf?: LocalDate;
}

export async function listAbandonmentReports(
  em: EntityManager,
  principal: Principal,
  filter: ReportFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ reports: ReportMsg[]; nextCursor: string | undefined; total: number; totalAreaMu4: Mu4 }> {
  const where: FilterQuery<AbandonmentReportRow> = {};
  if (filter.townshipCode) where.townshipCode = filter.townshipCode;
  if (filter.contractId) {
    if (!isUuid(filter.contractId)) return { reports: [], nextCursor: undefined, total: 0, totalAreaMu4: 0 };
    where.contractId = filter.contractId;
  }
  if (filter.openOnly) {
    const asOf = filter.asOf ?? todayInShanghai();
    where.since = { $lte: asOf };
    where.$or = [{ resumedOn: null }, { resumedOn: { $gt: asOf } }];
  }
  const allowed = townshipFilter(principal, TRACK);
  if (allowed) {
    where.townshipCode =
      filter.townshipCode && allowed.includes(filter.townshipCode) ? filter.townshipCode : { $in: allowed };
  }
  if (principal.role === 'VILLAGE_TASK_FORCE') where.villageCode = { $in: principal.villages ?? [] };
  const total = await em.count(AbandonmentReportEntity, where);
  const sum = await em
    .createQueryBuilder(AbandonmentReportEntity)
    .select(raw('coalesce(sum(area_mu4), 0) as area'))
    .where(where)
    .execute<{ area: string | number } | undefined>('get');
  const rows = await em.find(
    AbandonmentReportEntity,
    after ? { $and: [where, { id: { $gt: after } }] } : where,
    {
      orderBy: { id: 'asc' },
      limit: pageSize + 1,
    },
  );
  const page = rows.slice(0, pageSize);
  const measures = page.length
    ? await em.find(IssuerMeasureEntity, { reportId: { $in: page.map((r) => r.id) } })
    : [];
  return {
    reports: page.map((r) => reportToMsg(r, measures)),
    nextCursor: rows.length > pageSize ? page[page.length - 1]?.id : undefined,
    total,
    totalAreaMu4: Number(sum?.area ?? 0),
  };
}
