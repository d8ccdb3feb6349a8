import { createHash } from 'node:crypto';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  ContractAmendment as AmendmentMsg,
  ExtensionBatch as BatchMsg,
  CollectiveResolution,
  ExtensionSkipCount,
  ExtensionSkippedContract,
  PreviewExtensionBatchResponse,
  ExtensionSkipReason as SkipReasonMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import {
  assertCanRead,
  assertCanWrite,
  type CommandContext,
  ConflictError,
  type EntityManager,
  execInTransaction,
  InvalidInputError,
  isUuid,
  NotFoundError,
  newId,
  type Principal,
  ROLES,
  RuleRefusedError,
  recordChanges,
  roleEnum,
  townshipFilter,
} from '@pingquan/kit';
import {
  isLocalDate,
  type LocalDate,
  RESOLUTION_MATTERS,
  type Resolution,
  type ResolutionMatter,
  type RuleViolation,
  todayInShanghai,
  validateIssuerCode,
  validateVillageCode,
  violation,
} from '@pingquan/reference';
import {
  addToExtensionSummary,
  checkBatchStart,
  decideExtension,
  type ExtensionDecision,
  type ExtensionPlanSummary,
  type ExtensionPolicy,
  type ExtensionRow,
  type ExtensionSkipReason,
  emptyExtensionSummary,
} from '../domain/extension.js';
import type { Contract, ContractStatus, Encumbrance, Household, MemberRelation } from '../domain/model.js';
import {
  amendmentsOf,
  type BatchRow,
  type ChunkContractRow,
  countBatches,
  countContractsInScope,
  encumbrancesOf,
  findBatch,
  findBatchByResolution,
  findRunningBatch,
  insertBatch,
  listBatches,
  listSkips,
  selectChunk,
} from '../persistence/extension-sql.js';
import { TRACK } from './context.js';
import { extensionPolicyOn } from './extension-policy.js';

/** Contracts per chunk: one transaction each, so memory stays flat and a crash loses at most one. */
export const EXTENSION_CHUNK_SIZE = 1_000;

// ---------------------------------------------------------------------------------------------
// Edge: proto → domain

export function scopeViolations(scopeCode: string, field = 'scopeCode'): RuleViolation[] {
  if (scopeCode.length === 14) {
    const checked = validateIssuerCode(scopeCode, field);
    return checked.ok ? [] : checked.violations;
  }
  if (scopeCode.length === 12) {
    const checked = validateVillageCode(scopeCode, field);
    return checked.ok ? [] : checked.violations;
  }
  return [
    violation(
      'EXTENSION_SCOPE_FORMAT',
      field,
      `A batch covers a village (12 digits) or an issuer (14 digits), got '${scopeCode}'.`,
    ),
  ];
}

export function resolutionFromMsg(
  msg: CollectiveResolution | undefined,
  field = 'resolution',
): Resolution | undefined {
  if (!msg) return undefined;
  const v: RuleViolation[] = [];
  if (!RESOLUTION_MATTERS.includes(msg.matter as ResolutionMatter)) {
    v.push(
      violation(
        'RESOLUTION_MATTER_UNKNOWN',
        `${field}.matter`,
        `'${msg.matter}' is not a matter a meeting decides (e.g. CONTRACT_EXTENSION).`,
      ),
    );
  }
  if (msg.body === 'COLLECTIVE_RESOLUTION_BODY_UNSPECIFIED') {
    v.push(
      violation(
        'RESOLUTION_BODY_REQUIRED',
        `${field}.body`,
        'Say which meeting decided: the member meeting or the representatives’ meeting.',
      ),
    );
  }
  if (v.length > 0) throw new InvalidInputError(v);
  return {
    body:
      msg.body === 'COLLECTIVE_RESOLUTION_BODY_MEMBER_MEETING' ? 'MEMBER_MEETING' : 'REPRESENTATIVES_MEETING',
    matter: msg.matter as ResolutionMatter,
    meetingDate: msg.meetingDate,
    noticeDate: msg.noticeDate,
    totalMembers: msg.totalMembers,
    attending: msg.attending,
    votesFor: msg.votesFor,
    votesAgainst: msg.votesAgainst,
    documentRef: msg.documentRef.trim(),
  };
}

export function batchDate(asOf: string, now: Date, field = 'asOfDate'): LocalDate {
  if (asOf === '') return todayInShanghai(now);
  if (!isLocalDate(asOf))
    throw new InvalidInputError([
      violation('DATE_INVALID', field, `'${asOf}' is not a YYYY-MM-DD calendar date.`),
    ]);
  return asOf;
}

const scopeOf = (scopeCode: string) => ({
  track: TRACK,
  villageCode: scopeCode.slice(0, 12),
  townshipCode: scopeCode.slice(0, 9),
});

// ---------------------------------------------------------------------------------------------
// Deciding a chunk (shared by the preview and the runner)

/**
 * The domain's view of a chunk row. Plots are not read: the extension never touches them, and the
 * contract's stored total area (the sum of its plots' contract areas) is what the batch reports.
 */
export function extensionRowOf(row: ChunkContractRow, encumbrances: readonly Encumbrance[]): ExtensionRow {
  const contract: Contract = {
    id: row.id,
    code: row.code,
    issuerCode: row.issuer_code,
    householdId: row.household_id,
    mode: row.mode as Contract['mode'],
    termStart: row.term_start,
    termEnd: row.term_end,
    status: row.status as ContractStatus,
    plots: [],
    adjustmentForbidden: row.adjustment_forbidden,
    ...(row.second_round_end ? { secondRoundEnd: row.second_round_end } : {}),
  };
  const household: Household | undefined =
    row.household_code === null
      ? undefined
      : {
          id: row.household_id,
          code: row.household_code,
          issuerCode: row.household_issuer_code ?? '',
          members: (row.members ?? []).map((m) => ({
            residentId: m.resident_id,
            name: m.name,
            relation: m.relation as MemberRelation,
            alive: m.alive,
            movedToTown: m.moved_to_town,
            povertyFlags: [],
          })),
        };
  return {
    contract,
    ...(household ? { household } : {}),
    encumbrances: encumbrances.filter((e) => e.contractId === row.id),
  };
}

export function decideChunk(
  rows: readonly ChunkContractRow[],
  encumbrances: readonly Encumbrance[],
  scopeCode: string,
  asOf: LocalDate,
  policy: ExtensionPolicy,
): { row: ChunkContractRow; decision: ExtensionDecision }[] {
  return rows.map((row) => {
    const decision = decideExtension(extensionRowOf(row, encumbrances), { scopeCode, asOf, policy });
    return { row, decision: { ...decision, areaMu4: Number(row.total_area_mu4) } };
  });
}

// ---------------------------------------------------------------------------------------------
// Messages

export const skipReasonToMsg = (r: string) => `EXTENSION_SKIP_REASON_${r}` as SkipReasonMsg;
export const skipReasonFromMsg = (r: SkipReasonMsg): ExtensionSkipReason | undefined =>
  r === 'EXTENSION_SKIP_REASON_UNSPECIFIED'
    ? undefined
    : (r.replace('EXTENSION_SKIP_REASON_', '') as ExtensionSkipReason);

function skipCounts(skipped: Record<string, { count: number; areaMu4: number }>): ExtensionSkipCount[] {
  return Object.entries(skipped)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, c]) => ({ reason: skipReasonToMsg(reason), count: c.count, areaMu4: c.areaMu4 }));
}

export function batchToMsg(row: BatchRow): BatchMsg {
  const skippedCount = Object.values(row.skipped).reduce((n, c) => n + c.count, 0);
  return {
    id: row.id,
    scopeCode: row.scope_code,
    villageCode: row.village_code,
    townshipCode: row.township_code,
    status:
      row.status === 'COMPLETED' ? 'EXTENSION_BATCH_STATUS_COMPLETED' : 'EXTENSION_BATCH_STATUS_RUNNING',
    asOfDate: row.as_of,
    resolutionRef: row.resolution_ref,
    policyVersion: row.policy_version,
    totalContracts: Number(row.total_contracts),
    processedContracts: Number(row.processed_contracts),
    extendedCount: Number(row.extended_count),
    extendedAreaMu4: Number(row.extended_area_mu4),
    skippedCount,
    skipped: skipCounts(row.skipped),
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at ? new Date(row.finished_at) : undefined,
    startedBy: {
      subject: row.started_by_subject,
      role: roleEnum(principalOfBatch(row)),
      displayName: row.started_by_name,
    },
    encumberedExtendedCount: Number(row.encumbered_extended_count),
  };
}

/** Whoever started the batch: every chunk's audit entries and events are recorded in their name. */
export function principalOfBatch(row: BatchRow): Principal {
  const role = ROLES.find((r) => r === row.started_by_role) ?? 'SERVICE';
  return { sub: row.started_by_subject, role, ...(row.started_by_name ? { name: row.started_by_name } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Use cases

export interface BatchRequest {
  scopeCode: string;
  resolution: Resolution | undefined;
  asOf: LocalDate;
}

/**
 * Dry run: walks the scope in chunks exactly as the batch would (same decisions, no locks, no
 * writes) and reports counts, area, reasons and the first skipped contracts, plus every reason the
 * batch could not start now.
 */
export async function previewExtensionBatch(
  em: EntityManager,
  principal: Principal,
  req: BatchRequest,
  sampleSize: number,
): Promise<PreviewExtensionBatchResponse> {
  const shape = scopeViolations(req.scopeCode);
  if (shape.length > 0) throw new InvalidInputError(shape);
  assertCanRead(principal, scopeOf(req.scopeCode));
  const policy = await extensionPolicyOn(em, req.asOf);
  const refusals = checkBatchStart(req.scopeCode, req.asOf, req.resolution, policy);
  let summary: ExtensionPlanSummary = emptyExtensionSummary();
  const sample: ExtensionSkippedContract[] = [];
  let cursor = '';
  let total = 0;
  for (;;) {
    const rows = await selectChunk(em, req.scopeCode, cursor, EXTENSION_CHUNK_SIZE, false);
    if (rows.length === 0) break;
    const encumbrances = await encumbrancesOf(
      em,
      rows.map((r) => r.id),
    );
    for (const { row, decision } of decideChunk(rows, encumbrances, req.scopeCode, req.asOf, policy)) {
      summary = addToExtensionSummary(summary, decision);
      if (decision.action === 'SKIP' && sample.length < sampleSize) {
        sample.push({
          contractId: row.id,
          contractCode: row.code,
          householdId: row.household_id,
          reason: skipReasonToMsg(decision.reason),
          detail: decision.detail,
          areaMu4: decision.areaMu4,
        });
      }
    }
    total += rows.length;
    cursor = rows[rows.length - 1]?.code ?? cursor;
    if (rows.length < EXTENSION_CHUNK_SIZE) break;
  }
  const skipped = Object.fromEntries(
    Object.entries(summary.skipped).map(([k, c]) => [k, { count: c.count, areaMu4: c.areaMu4 }]),
  );
  return {
    scopeCode: req.scopeCode,
    asOfDate: req.asOf,
    policyVersion: policy.version,
    totalContracts: total,
    extendCount: summary.extend.count,
    extendAreaMu4: summary.extend.areaMu4,
    skippedCount: total - summary.extend.count,
    skipped: skipCounts(skipped),
    skippedSample: sample,
    startRefusals: refusals.map((r) => ({ rule: r.rule, field: r.field, message: r.message })),
  };
}

function resolutionHash(resolution: Resolution): string {
  return createHash('sha256').update(JSON.stringify(resolution)).digest('hex');
}

/**
 * Starts a batch, or returns the one this scope and resolution already started. The batch row, its
 * frozen policy and the ExtensionBatchStarted event commit together; the runner does the rest.
 */
export async function startExtensionBatch(
  em: EntityManager,
  ctx: CommandContext,
  req: BatchRequest,
): Promise<{ batch: BatchMsg; created: boolean }> {
  const shape = scopeViolations(req.scopeCode);
  if (shape.length > 0) throw new InvalidInputError(shape);
  if (!req.resolution) {
    throw new RuleRefusedError([
      violation(
        'RESOLUTION_REQUIRED',
        'resolution',
        'An extension batch needs the member meeting’s resolution on CONTRACT_EXTENSION.',
      ),
    ]);
  }
  const scope = scopeOf(req.scopeCode);
  assertCanWrite(ctx.principal, scope);
  // Two identical starts at once: the second waits here and then finds the first's batch.
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [
    `extension-batch:${req.scopeCode}`,
  ]);
  const hash = resolutionHash(req.resolution);
  const existing = await findBatchByResolution(em, req.scopeCode, req.resolution.documentRef);
  if (existing) {
    if (existing.resolution_hash !== hash) {
      throw new ConflictError(
        `resolution ${req.resolution.documentRef} already started batch ${existing.id} for ${req.scopeCode} with other figures; a resolution is recorded once`,
      );
    }
    return { batch: batchToMsg(existing), created: false };
  }
  const policy = await extensionPolicyOn(em, req.asOf);
  const refusals = checkBatchStart(req.scopeCode, req.asOf, req.resolution, policy);
  if (req.scopeCode.length === 14) {
    const [issuer] = await execInTransaction<{ code: string }>(em, 'SELECT code FROM issuer WHERE code = ?', [
      req.scopeCode,
    ]);
    if (!issuer)
      refusals.push(
        violation('ISSUER_NOT_REGISTERED', 'scopeCode', `No issuer ${req.scopeCode} is registered.`),
      );
  }
  const running = await findRunningBatch(em, req.scopeCode);
  if (running) {
    refusals.push(
      violation(
        'EXTENSION_BATCH_ALREADY_RUNNING',
        'scopeCode',
        `Batch ${running.id} (resolution ${running.resolution_ref}) is still running for ${req.scopeCode}; wait for it to finish.`,
      ),
    );
  }
  if (refusals.length > 0) throw new RuleRefusedError(refusals);

  const id = newId();
  await insertBatch(
    em,
    {
      id,
      scope_code: req.scopeCode,
      village_code: scope.villageCode,
      township_code: scope.townshipCode,
      as_of: req.asOf,
      resolution: req.resolution,
      resolution_ref: req.resolution.documentRef,
      resolution_hash: hash,
      policy,
      policy_version: policy.version,
      total_contracts: await countContractsInScope(em, req.scopeCode),
      started_by_subject: ctx.principal.sub,
      started_by_role: ctx.principal.role,
      started_by_name: ctx.principal.name ?? '',
      reason: ctx.reason,
      document_ref: ctx.documentRef || req.resolution.documentRef,
      trace_id: ctx.traceId,
    },
    ctx.now,
  );
  const row = await findBatch(em, id);
  if (!row) throw new Error(`extension batch ${id} vanished inside its own transaction`);
  const batch = batchToMsg(row);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'extension-batch',
      aggregateId: id,
      aggregateVersion: 1,
      townshipCode: scope.townshipCode,
      action: 'extension-batch.started',
      state: batch,
      effectiveOn: req.asOf,
      event: { type: Events['land-contract'].ExtensionBatchStarted, payload: { batch } },
    },
  ]);
  return { batch, created: true };
}

export async function getExtensionBatch(
  em: EntityManager,
  principal: Principal,
  batchId: string,
  page: { reason: ExtensionSkipReason | undefined; after: string | undefined; size: number },
): Promise<{
  batch: BatchMsg;
  skipped: ExtensionSkippedContract[];
  nextAfter: string | undefined;
  total: number;
}> {
  const row = isUuid(batchId) ? await findBatch(em, batchId) : undefined;
  if (!row) throw new NotFoundError('extension batch', batchId);
  assertCanRead(principal, scopeOf(row.scope_code));
  const { rows, total } = await listSkips(em, row.id, page.reason, page.after, page.size + 1);
  const shown = rows.slice(0, page.size);
  return {
    batch: batchToMsg(row),
    skipped: shown.map((s) => ({
      contractId: s.contract_id,
      contractCode: s.contract_code,
      householdId: s.household_id,
      reason: skipReasonToMsg(s.reason),
      detail: s.detail,
      areaMu4: Number(s.area_mu4),
    })),
    nextAfter: rows.length > page.size ? shown[shown.length - 1]?.contract_code : undefined,
    total,
  };
}

export async function listExtensionBatches(
  em: EntityManager,
  principal: Principal,
  filter: { townshipCode?: string; scopeCode?: string },
  size: number,
  before: string | undefined,
): Promise<{ batches: BatchMsg[]; nextBefore: string | undefined; total: number }> {
  const allowed = townshipFilter(principal, TRACK);
  let townshipCodes: string[] | undefined = filter.townshipCode ? [filter.townshipCode] : undefined;
  if (allowed) townshipCodes = (townshipCodes ?? allowed).filter((t) => allowed.includes(t));
  const where = {
    ...(townshipCodes ? { townshipCodes } : {}),
    ...(filter.scopeCode ? { scopeCode: filter.scopeCode } : {}),
  };
  const rows = await listBatches(em, { ...where, ...(before ? { before } : {}) }, size + 1);
  // A village task force sees its villages' batches only; the count is of its townships' (an upper bound).
  const visible = rows.filter(
    (r) => principal.role !== 'VILLAGE_TASK_FORCE' || (principal.villages ?? []).includes(r.village_code),
  );
  const shown = visible.slice(0, size);
  return {
    batches: shown.map(batchToMsg),
    nextBefore: rows.length > size ? shown[shown.length - 1]?.id : undefined,
    total: await countBatches(em, where),
  };
}

export async function listContractAmendments(
  em: EntityManager,
  principal: Principal,
  idOrCode: string,
): Promise<AmendmentMsg[]> {
  const byCode = /^\d{19}$/.test(idOrCode);
  if (!byCode && !isUuid(idOrCode)) throw new NotFoundError('contract', idOrCode);
  const [contract] = await execInTransaction<{ id: string; village_code: string }>(
    em,
    `SELECT id, village_code FROM contract WHERE ${byCode ? 'code' : 'id'} = ?`,
    [idOrCode],
  );
  if (!contract) throw new NotFoundError('contract', idOrCode);
  assertCanRead(principal, scopeOf(contract.village_code));
  const rows = await amendmentsOf(em, contract.id);
  return rows.map((r) => ({
    id: r.id,
    contractId: r.contract_id,
    kind: r.kind === 'TERM_EXTENSION' ? 'AMENDMENT_KIND_TERM_EXTENSION' : 'AMENDMENT_KIND_PLOT_ADJUSTMENT',
    batchId: r.batch_id ?? '',
    oldTermEndDate: r.old_term_end ?? '',
    newTermStartDate: r.new_term_start ?? '',
    newTermEndDate: r.new_term_end ?? '',
    resolutionRef: r.resolution_ref,
    certificateReissued: r.certificate_reissued,
    detailJson: JSON.stringify(r.detail),
    recordedAt: new Date(r.recorded_at),
  }));
}
