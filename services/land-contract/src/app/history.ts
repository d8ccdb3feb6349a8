import type { Role } from '@pingquan/contracts/pingquan/common/v1/types';
import type {
  AggregateHistory,
  GetContractAsOfResponse,
  HistoryEntry,
} from '@pingquan/contracts/pingquan/land_contract/v1/history';
import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { Contract as ContractMessage } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  canRead,
  type EntityManager,
  InvalidInputError,
  isUuid,
  type AuditEntry as KitAuditEntry,
  type Logger,
  NotFoundError,
  type Principal,
  readHistory,
  seesPersonalData,
} from '@pingquan/kit';
import { isLocalDate, type LocalDate, maskResidentId, violation } from '@pingquan/reference';
import {
  type ContractAuditEntry,
  type ContractChangeKind,
  contractAsOf,
  shanghaiDateOf,
  verifyHistory,
} from '../domain/history.js';
import type { Contract, GeoJsonGeometry } from '../domain/model.js';
import { ContractEntity, HouseholdEntity } from '../persistence/entities.js';
import { CERTIFICATION_AGGREGATE, certificationCaseRow } from './certification.js';
import { TRACK } from './context.js';
import {
  landClassFromMsg,
  landClassToMsg,
  modeFromMsg,
  modeToMsg,
  statusFromMsg,
  statusToMsg,
} from './mapping.js';

// History and as-of reads over the audit log (pq_audit_log), which every command writes in its own
// transaction: who (principal and role), when, why, trace, and the aggregate's state after the change.

const scopeOfVillage = (villageCode: string) => ({
  track: TRACK,
  villageCode,
  townshipCode: villageCode.slice(0, 9),
});

/**
 * Every read by an auditor leaves a structured log line with the principal and what was read. The
 * line is written at info whatever the service's log level, because it is itself audit evidence.
 */
export function logAuditorRead(logger: Logger, principal: Principal, read: Record<string, unknown>): void {
  if (principal.role !== 'AUDITOR') return;
  logger
    .child({ component: 'auditor-read' }, { level: 'info' })
    .info(
      { auditor: principal.sub, auditorName: principal.name, role: principal.role, read },
      'auditor read',
    );
}

/** Personal ID numbers anywhere in a recorded state, masked for roles that do not see personal data. */
export function maskPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalData);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === 'residentId' && typeof v === 'string' && v !== '' ? maskResidentId(v) : maskPersonalData(v);
  }
  return out;
}

/** Day a recorded change takes legal effect: the one it states, else the day it was recorded. */
function effectiveDay(entry: KitAuditEntry): LocalDate {
  return entry.effectiveOn ?? shanghaiDateOf(entry.at.toISOString()) ?? entry.at.toISOString().slice(0, 10);
}

function toHistoryEntry(entry: KitAuditEntry, seq: number, unmasked: boolean): HistoryEntry {
  return {
    seq,
    aggregateVersion: entry.aggregateVersion,
    action: entry.action,
    actor: { subject: entry.actorSubject, role: `ROLE_${entry.actorRole}` as Role, displayName: '' },
    at: entry.at,
    effectiveOn: effectiveDay(entry),
    reason: entry.reason,
    documentRef: entry.documentRef,
    traceId: entry.traceId,
    eventId: entry.eventId ?? '',
    stateJson: JSON.stringify(unmasked ? entry.state : maskPersonalData(entry.state)),
  };
}

/**
 * One page of an aggregate's history. Histories are short (one entry per change of one record), so
 * the whole history is read to check its integrity and the page is cut from it by sequence number.
 */
function pageOf(
  aggregateType: string,
  aggregateId: string,
  entries: KitAuditEntry[],
  unmasked: boolean,
  pageSize: number,
  afterSeq: number,
): AggregateHistory {
  // The version sequence must run 1…n without gaps, each entry starting where the previous one ended.
  const findings = verifyHistory(
    entries.map((e, i) => ({
      id: String(e.id),
      aggregateId: e.aggregateId,
      seq: e.aggregateVersion,
      at: e.at.toISOString(),
      effectiveOn: effectiveDay(e),
      actor: { principal: e.actorSubject, role: e.actorRole },
      reason: e.reason,
      documentRef: e.documentRef,
      traceId: e.traceId,
      kind: e.action,
      before: i === 0 ? null : entries[i - 1]?.state,
      after: e.state,
    })),
  );
  const page = entries.slice(afterSeq, afterSeq + pageSize);
  const hasMore = afterSeq + pageSize < entries.length;
  return {
    aggregateType,
    aggregateId,
    entries: page.map((e, i) => toHistoryEntry(e, afterSeq + i + 1, unmasked)),
    pageInfo: { nextPageToken: hasMore ? String(afterSeq + page.length) : '', totalCount: entries.length },
    findings,
    personalDataUnmasked: unmasked,
  };
}

export interface HistoryPage {
  pageSize: number;
  /** Sequence number of the last entry of the previous page (0 for the first page). */
  afterSeq: number;
}

async function contractRow(em: EntityManager, principal: Principal, idOrCode: string) {
  const byCode = /^\d{19}$/.test(idOrCode);
  if (!byCode && !isUuid(idOrCode)) {
    throw new InvalidInputError([
      violation('CONTRACT_ID_FORMAT', 'idOrCode', 'Give a contract id or a 19-digit contract code.'),
    ]);
  }
  const row = await em.findOne(ContractEntity, byCode ? { code: idOrCode } : { id: idOrCode });
  if (!row || !canRead(principal, scopeOfVillage(row.villageCode)))
    throw new NotFoundError('contract', idOrCode);
  return row;
}

export async function contractHistory(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
  page: HistoryPage,
): Promise<AggregateHistory> {
  const row = await contractRow(em, principal, idOrCode);
  const unmasked = seesPersonalData(principal, scopeOfVillage(row.villageCode));
  const entries = await readHistory(em, 'contract', row.id);
  return pageOf('contract', row.id, entries, unmasked, page.pageSize, page.afterSeq);
}

export async function householdHistory(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
  page: HistoryPage,
): Promise<AggregateHistory> {
  const byCode = /^\d{18}$/.test(idOrCode);
  if (!byCode && !isUuid(idOrCode)) {
    throw new InvalidInputError([
      violation('HOUSEHOLD_ID_FORMAT', 'idOrCode', 'Give a household id or an 18-digit contractor code.'),
    ]);
  }
  const row = await em.findOne(HouseholdEntity, byCode ? { code: idOrCode } : { id: idOrCode });
  if (!row || !canRead(principal, scopeOfVillage(row.villageCode)))
    throw new NotFoundError('household', idOrCode);
  const unmasked = seesPersonalData(principal, scopeOfVillage(row.villageCode));
  const entries = await readHistory(em, 'household', row.id);
  return pageOf('household', row.id, entries, unmasked, page.pageSize, page.afterSeq);
}

export async function certificationCaseHistory(
  em: EntityManager,
  principal: Principal,
  id: string,
  page: HistoryPage,
): Promise<AggregateHistory> {
  const row = await certificationCaseRow(em, principal, id);
  const unmasked = seesPersonalData(principal, scopeOfVillage(row.villageCode));
  const entries = await readHistory(em, CERTIFICATION_AGGREGATE, row.id);
  return pageOf(CERTIFICATION_AGGREGATE, row.id, entries, unmasked, page.pageSize, page.afterSeq);
}

// A contract's recorded state is its gRPC message; the domain replays changes on its own Contract.

function contractFromState(state: unknown): Contract {
  const msg = ContractMessage.fromJSON(state);
  return {
    id: msg.id,
    code: msg.code,
    issuerCode: msg.issuerCode,
    householdId: msg.householdId,
    mode: modeFromMsg(msg.mode) ?? 'OTHER',
    termStart: msg.termStartDate,
    termEnd: msg.termEndDate,
    status: statusFromMsg(msg.status) ?? 'ACTIVE',
    adjustmentForbidden: msg.adjustmentForbidden,
    ...(msg.secondRoundEndDate ? { secondRoundEnd: msg.secondRoundEndDate } : {}),
    plots: msg.plots.map((p) => ({
      code: p.code,
      name: p.name,
      contractAreaMu4: p.contractAreaMu4,
      surveyedAreaMu4: p.surveyedAreaMu4,
      landClass: landClassFromMsg(p.landClass) ?? 'OTHER',
      basicFarmland: p.basicFarmland,
      boundaries: p.boundaries ?? { east: '', south: '', west: '', north: '' },
      ...(p.geometryGeojson ? { geometry: JSON.parse(p.geometryGeojson) as GeoJsonGeometry } : {}),
    })),
  };
}

function contractToState(c: Contract, version: number): ContractMsg {
  return {
    id: c.id,
    code: c.code,
    issuerCode: c.issuerCode,
    householdId: c.householdId,
    mode: modeToMsg(c.mode),
    termStartDate: c.termStart,
    termEndDate: c.termEnd,
    status: statusToMsg(c.status),
    villageCode: c.issuerCode.slice(0, 12),
    townshipCode: c.issuerCode.slice(0, 9),
    totalAreaMu4: c.plots.reduce((sum, p) => sum + p.contractAreaMu4, 0),
    version,
    secondRoundEndDate: c.secondRoundEnd ?? '',
    adjustmentForbidden: c.adjustmentForbidden,
    plots: [...c.plots]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((p) => ({
        code: p.code,
        name: p.name,
        contractAreaMu4: p.contractAreaMu4,
        surveyedAreaMu4: p.surveyedAreaMu4,
        landClass: landClassToMsg(p.landClass),
        basicFarmland: p.basicFarmland,
        boundaries: p.boundaries,
        geometryGeojson: p.geometry ? JSON.stringify(p.geometry) : '',
      })),
  };
}

const KIND_OF_ACTION: readonly [RegExp, ContractChangeKind][] = [
  [/registered$|imported$/, 'CREATED'],
  [/extended$/, 'TERM_EXTENDED'],
  [/adjusted$/, 'PLOTS_ADJUSTED'],
  [/exchanged$/, 'PLOTS_EXCHANGED'],
  [/transfer_received$|received$/, 'TRANSFER_RECEIVED'],
  [/transferred$/, 'TRANSFERRED'],
  [/surrendered$/, 'SURRENDERED'],
  [/reclaimed$/, 'RECLAIMED'],
  [/terminated$/, 'TERMINATED'],
];

/** The contract as it stood on `date`, replayed from its recorded changes by the domain's `contractAsOf`. */
export async function contractAsOfDate(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
  date: string,
): Promise<GetContractAsOfResponse> {
  if (!isLocalDate(date)) {
    throw new InvalidInputError([
      violation('DATE_INVALID', 'asOfDate', `'${date}' is not a YYYY-MM-DD date.`),
    ]);
  }
  const row = await contractRow(em, principal, idOrCode);
  const recorded = (await readHistory(em, 'contract', row.id)).filter((e) => e.state !== null);
  const history: ContractAuditEntry[] = recorded.map((e, i) => ({
    id: String(e.id),
    aggregateId: e.aggregateId,
    seq: i + 1,
    at: e.at.toISOString(),
    effectiveOn: effectiveDay(e),
    actor: { principal: e.actorSubject, role: e.actorRole },
    reason: e.reason,
    documentRef: e.documentRef,
    traceId: e.traceId,
    kind:
      KIND_OF_ACTION.find(([pattern]) => pattern.test(e.action))?.[1] ?? (i === 0 ? 'CREATED' : 'CORRECTED'),
    before: i === 0 ? null : contractFromState(recorded[i - 1]?.state),
    after: contractFromState(e.state),
  }));
  const state = contractAsOf(history, date);
  const applied = recorded.filter((e) => effectiveDay(e) <= date);
  if (state === undefined) {
    return { existed: false, contract: undefined, changesApplied: 0, lastChangeEffectiveOn: '' };
  }
  const version = Math.max(...applied.map((e) => e.aggregateVersion));
  return {
    existed: true,
    contract: contractToState(state, version),
    changesApplied: applied.length,
    lastChangeEffectiveOn: applied.map(effectiveDay).sort().at(-1) ?? '',
  };
}
