import { type FilterQuery, LockMode, raw } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  Circulation as CirculationMsg,
  CirculationReview as CirculationReviewMsg,
  Transferee as TransfereeMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  assertCanRead,
  assertCanWrite,
  type Change,
  type CommandContext,
  type EntityManager,
  isUuid,
  NotFoundError,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import {
  type Fen,
  type LocalDate,
  type Mu4,
  maskResidentId,
  type RuleViolation,
  validateCreditCode,
  validateResidentId,
  violation,
} from '@pingquan/reference';
import { shouldTerminateCirculationForIdleness } from '../domain/abandonment.js';
import {
  type EarlyTerminationGround,
  isCirculationExpired,
  terminateCirculationEarly,
  validateCirculation,
} from '../domain/circulation.js';
import type {
  CirculatedPlot,
  Circulation,
  CirculationMode,
  CirculationReview,
  LandUse,
  RecordedAct,
  ReviewLevel,
  Transferee,
} from '../domain/model.js';
import {
  AbandonmentReportEntity,
  CirculationEntity,
  CirculationPlotEntity,
  type CirculationPlotRow,
  CirculationReviewEntity,
  type CirculationReviewRow,
  type CirculationRow,
} from '../persistence/rights-entities.js';
import { abandonmentReportFromRow } from './abandonment.js';
import { TRACK } from './context.js';
import {
  badInput,
  checkNotFuture,
  circulationFromRow,
  loadCirculationsWhere,
  loadContract,
  loadHousehold,
  recordedActToMsg,
  rejectInput,
  rejectRule,
  scopeOfVillage,
  today,
  touch,
  unmaskedFor,
} from './rights-common.js';
import { circulationPolicyOn } from './rights-policies.js';

// 土地经营权流转 (LCL Arts 36–47; MOA Order 2021 No. 1): circulations filed with the issuer and kept in
// the township's ledger (台账), the tiered review of social capital, early termination and the
// termination of circulations left idle two years.

/** Credit code for organisations, resident ID for people: how a transferee is recognised again. */
export function transfereeKey(t: Pick<Transferee, 'creditCode' | 'residentId'>): string {
  return (t.creditCode ?? t.residentId ?? '').toUpperCase();
}

function transfereeToMsg(t: Transferee, unmasked: boolean): TransfereeMsg {
  return {
    kind: `TRANSFEREE_KIND_${t.kind}` as TransfereeMsg['kind'],
    name: t.name,
    creditCode: t.creditCode ?? '',
    residentId: t.residentId ? (unmasked ? t.residentId : maskResidentId(t.residentId)) : '',
    householdId: t.householdId ?? '',
    memberOfCollective: t.memberOfCollective,
  };
}

function reviewFromRow(row: CirculationReviewRow): CirculationReview {
  return {
    level: row.level as ReviewLevel,
    kind: row.kind as CirculationReview['kind'],
    approved: row.approved,
    act: { date: row.actOn, reference: row.actRef, by: row.actBy },
  };
}

function reviewTransferee(row: CirculationReviewRow): Transferee {
  return {
    kind: row.transfereeKind as Transferee['kind'],
    name: row.transfereeName,
    memberOfCollective: false,
    ...(row.transfereeCreditCode ? { creditCode: row.transfereeCreditCode } : {}),
    ...(row.transfereeResidentId ? { residentId: row.transfereeResidentId } : {}),
  };
}

export function reviewToMsg(row: CirculationReviewRow, unmasked: boolean): CirculationReviewMsg {
  return {
    id: row.id,
    level: `REVIEW_LEVEL_${row.level}` as CirculationReviewMsg['level'],
    kind: `REVIEW_KIND_${row.kind}` as CirculationReviewMsg['kind'],
    approved: row.approved,
    act: { actedOn: row.actOn, reference: row.actRef, by: row.actBy },
    transferee: transfereeToMsg(reviewTransferee(row), unmasked),
    areaMu4: row.areaMu4,
    project: row.project,
    townshipCode: row.townshipCode,
  };
}

export function circulationToMsg(
  row: CirculationRow,
  plots: readonly CirculationPlotRow[],
  reviews: readonly CirculationReviewRow[],
  unmasked: boolean,
): CirculationMsg {
  const c = circulationFromRow(row, plots);
  return {
    id: row.id,
    contractId: row.contractId,
    contractCode: row.contractCode,
    contractorHouseholdId: row.contractorHouseholdId,
    issuerCode: row.issuerCode,
    villageCode: row.villageCode,
    townshipCode: row.townshipCode,
    mode: `CIRCULATION_MODE_${row.mode}` as CirculationMsg['mode'],
    transferee: transfereeToMsg(c.transferee, unmasked),
    plots: c.plots.map((p) => ({ plotCode: p.plotCode, areaMu4: p.areaMu4 })),
    areaMu4: row.areaMu4,
    termStartDate: row.termStart,
    termEndDate: row.termEnd,
    use: `LAND_USE_${row.landUse}` as CirculationMsg['use'],
    written: row.written,
    filing: recordedActToMsg(c.filing),
    status: `CIRCULATION_STATUS_${row.status}` as CirculationMsg['status'],
    terminatedOn: row.terminatedOn ?? '',
    terminationGround: row.terminationGround
      ? (`TERMINATION_GROUND_${row.terminationGround}` as CirculationMsg['terminationGround'])
      : 'TERMINATION_GROUND_UNSPECIFIED',
    terminatedBy: row.terminatedBy
      ? (`TERMINATING_PARTY_${row.terminatedBy}` as CirculationMsg['terminatedBy'])
      : 'TERMINATING_PARTY_UNSPECIFIED',
    ...(typeof row.annualPricePerMuFen === 'number' ? { annualPricePerMuFen: row.annualPricePerMuFen } : {}),
    parentCirculationId: row.parentCirculationId ?? '',
    contractorConsent: recordedActToMsg(c.contractorConsent),
    reviews: reviews.filter((r) => row.reviewIds.includes(r.id)).map((r) => reviewToMsg(r, unmasked)),
    riskDepositPaidFen: row.riskDepositPaidFen,
    requiredRiskDepositFen: row.requiredRiskDepositFen,
    requiredReviewLevel: row.requiredReviewLevel
      ? (`REVIEW_LEVEL_${row.requiredReviewLevel}` as CirculationMsg['requiredReviewLevel'])
      : 'REVIEW_LEVEL_UNSPECIFIED',
    socialCapital: row.socialCapital,
    registrable: row.registrable,
    policyVersion: row.policyVersion,
    version: row.version,
    terminationEvidenceRef: row.terminationEvidenceRef ?? '',
    transactionCertificateNo: row.certificateNo ?? '',
    certifiedOn: row.certifiedOn ?? '',
    dealId: row.dealId ?? '',
    disposalId: row.disposalId ?? '',
  };
}

export async function reviewsFor(
  em: EntityManager,
  rows: readonly CirculationRow[],
): Promise<CirculationReviewRow[]> {
  const ids = [...new Set(rows.flatMap((r) => r.reviewIds))];
  return ids.length ? em.find(CirculationReviewEntity, { id: { $in: ids } }) : [];
}

/** Shape of a transferee as given: the identifier its kind needs, with a valid check character. */
export function checkTransfereeIdentity(t: Transferee, todayDate: LocalDate, field: string): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (t.name.trim() === '')
    v.push(violation('TRANSFEREE_NAME_REQUIRED', `${field}.name`, 'The transferee is recorded by name.'));
  if (t.creditCode !== undefined) {
    const checked = validateCreditCode(t.creditCode, `${field}.creditCode`);
    if (!checked.ok) v.push(...checked.violations);
  }
  if (t.residentId !== undefined) {
    const checked = validateResidentId(t.residentId, `${field}.residentId`, todayDate);
    if (!checked.ok) v.push(...checked.violations);
  }
  if (transfereeKey(t) === '') {
    v.push(
      violation(
        'TRANSFEREE_IDENTIFIER_REQUIRED',
        field,
        'Identify the transferee by unified social credit code or resident ID.',
      ),
    );
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Reviews

export interface ReviewInput {
  level: ReviewLevel;
  kind: CirculationReview['kind'];
  approved: boolean;
  act: RecordedAct;
  transferee: Transferee;
  areaMu4: Mu4;
  project: string;
  townshipCode: string;
}

/**
 * 分级资格审查和项目审核: a township may record township-level reviews of its own land; a city-level
 * review is the city's (the track's lead unit) to record.
 */
export async function recordCirculationReview(
  em: EntityManager,
  ctx: CommandContext,
  input: ReviewInput,
): Promise<CirculationReviewMsg> {
  assertCanWrite(ctx.principal, { track: TRACK, townshipCode: input.townshipCode });
  if (input.level === 'CITY' && ctx.principal.role === 'TOWNSHIP_OFFICIAL') {
    throw new PermissionDeniedError('a city-level review is recorded by the city, not a township');
  }
  badInput([
    ...checkTransfereeIdentity(input.transferee, today(ctx), 'transferee'),
    ...checkNotFuture(input.act.date, today(ctx), 'act.actedOn'),
  ]);
  const row = em.create(CirculationReviewEntity, {
    id: newId(),
    level: input.level,
    kind: input.kind,
    approved: input.approved,
    actOn: input.act.date,
    actRef: input.act.reference,
    actBy: input.act.by,
    transfereeKind: input.transferee.kind,
    transfereeName: input.transferee.name.trim(),
    transfereeCreditCode: input.transferee.creditCode?.toUpperCase() ?? null,
    transfereeResidentId: input.transferee.residentId?.toUpperCase() ?? null,
    transfereeKey: transfereeKey(input.transferee),
    areaMu4: input.areaMu4,
    project: input.project.trim(),
    townshipCode: input.townshipCode,
  });
  await em.flush();
  await recordChanges(em, ctx, [
    {
      aggregateType: 'circulation-review',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'circulation-review.recorded',
      state: reviewToMsg(row, true),
      effectiveOn: row.actOn,
      event: {
        type: Events['land-contract'].CirculationReviewRecorded,
        payload: { review: reviewToMsg(row, false) },
      },
    },
  ]);
  return reviewToMsg(row, true);
}

// ---------------------------------------------------------------------------------------------
// Recording a circulation

export interface CirculationInput {
  contractId: string;
  mode: CirculationMode;
  transferee: Transferee;
  plots: CirculatedPlot[];
  termStart: LocalDate;
  termEnd: LocalDate;
  use: LandUse;
  written: boolean;
  filing?: RecordedAct;
  annualPricePerMuFen?: Fen;
  parentCirculationId?: string;
  contractorConsent?: RecordedAct;
  reviewIds: string[];
  riskDepositPaidFen: Fen;
}

export async function recordCirculation(
  em: EntityManager,
  ctx: CommandContext,
  input: CirculationInput,
): Promise<CirculationMsg> {
  const { row: contractRow, contract } = await loadContract(em, input.contractId, { lock: true });
  assertCanWrite(ctx.principal, scopeOfVillage(contractRow.villageCode));
  const todayDate = today(ctx);
  let transferee = input.transferee;
  if (transferee.householdId !== undefined) {
    // A household of the register is known by its head, and its membership of the collective is a
    // fact of the register, not the caller's say-so.
    const { household } = await loadHousehold(em, transferee.householdId, {
      field: 'transferee.householdId',
    });
    const head = household.members.find((m) => m.relation === 'HEAD') ?? household.members[0];
    transferee = {
      ...transferee,
      memberOfCollective: household.issuerCode === contract.issuerCode,
      ...(transferee.residentId === undefined && head ? { residentId: head.residentId } : {}),
      ...(transferee.name === '' && head ? { name: head.name } : {}),
    };
  }
  badInput([
    ...checkTransfereeIdentity(transferee, todayDate, 'transferee'),
    ...(input.filing ? checkNotFuture(input.filing.date, todayDate, 'filing.actedOn') : []),
  ]);
  const v: RuleViolation[] = [];

  const existing = await loadCirculationsWhere(em, { contractId: contractRow.id });
  let parent: Circulation | undefined;
  if (input.parentCirculationId !== undefined) {
    parent = existing.find((c) => c.row.id === input.parentCirculationId)?.circulation;
    if (!parent) {
      v.push(
        violation(
          'PARENT_CIRCULATION_NOT_FOUND',
          'parentCirculationId',
          `No circulation ${input.parentCirculationId} of contract ${contract.code} exists to re-circulate.`,
        ),
      );
    }
  }

  const reviewRows = input.reviewIds.length
    ? await em.find(CirculationReviewEntity, { id: { $in: input.reviewIds } })
    : [];
  const key = transfereeKey(transferee);
  input.reviewIds.forEach((id, i) => {
    const review = reviewRows.find((r) => r.id === id);
    if (!review) {
      v.push(violation('REVIEW_NOT_FOUND', `reviewIds[${i}]`, `No review ${id} is recorded.`));
    } else if (review.transfereeKey !== key) {
      v.push(
        violation(
          'REVIEW_TRANSFEREE_MISMATCH',
          `reviewIds[${i}]`,
          `Review ${id} is of ${review.transfereeName}, not of this transferee.`,
        ),
      );
    }
  });

  // What the transferee already holds by first circulations still running, so that a large holding
  // cannot be split into leases each below the review threshold.
  const held = await em.getConnection().execute<{ area: string | null }[]>(
    `SELECT sum(area_mu4) AS area FROM circulation
     WHERE transferee_key = ? AND status = 'ACTIVE' AND parent_circulation_id IS NULL AND term_end > ?`,
    [key, input.termStart],
  );
  const transfereeHeldAreaMu4 = Number(held[0]?.area ?? 0);
  const policy = await circulationPolicyOn(em, input.termStart);

  const circulation: Circulation = {
    id: newId(),
    contractId: contractRow.id,
    contractorHouseholdId: contract.householdId,
    mode: input.mode,
    transferee,
    plots: input.plots,
    termStart: input.termStart,
    termEnd: input.termEnd,
    use: input.use,
    written: input.written,
    status: 'ACTIVE',
    reviews: reviewRows.filter((r) => r.transfereeKey === key).map(reviewFromRow),
    riskDepositPaidFen: input.riskDepositPaidFen,
    ...(input.filing ? { filing: input.filing } : {}),
    ...(input.annualPricePerMuFen !== undefined ? { annualPricePerMuFen: input.annualPricePerMuFen } : {}),
    ...(input.parentCirculationId !== undefined ? { parentCirculationId: input.parentCirculationId } : {}),
    ...(input.contractorConsent ? { contractorConsent: input.contractorConsent } : {}),
  };
  const checked = validateCirculation(circulation, {
    contract,
    existing: existing.map((e) => e.circulation),
    transfereeHeldAreaMu4,
    policy,
    today: todayDate,
    ...(parent ? { parent } : {}),
  });
  if (checked.ok) {
    const area = checked.value.areaMu4;
    reviewRows.forEach((r) => {
      // A review covers the project it approved; a larger area is another project.
      if (r.transfereeKey === key && r.approved && r.areaMu4 < area) {
        v.push(
          violation(
            'REVIEW_AREA_INSUFFICIENT',
            `reviewIds[${input.reviewIds.indexOf(r.id)}]`,
            `Review ${r.id} approved ${r.areaMu4 / 10_000} mu; this circulation covers ${area / 10_000} mu.`,
          ),
        );
      }
    });
  }
  if (!checked.ok || v.length > 0) rejectRule([...(checked.ok ? [] : checked.violations), ...v]);
  const assessment = checked.value;
  const filing = input.filing as RecordedAct;

  const row = em.create(CirculationEntity, {
    id: circulation.id,
    contractId: contractRow.id,
    contractCode: contractRow.code,
    contractorHouseholdId: contract.householdId,
    issuerCode: contractRow.issuerCode,
    villageCode: contractRow.villageCode,
    townshipCode: contractRow.townshipCode,
    mode: input.mode,
    transfereeKind: transferee.kind,
    transfereeName: transferee.name.trim(),
    transfereeCreditCode: transferee.creditCode?.toUpperCase() ?? null,
    transfereeResidentId: transferee.residentId?.toUpperCase() ?? null,
    transfereeHouseholdId: transferee.householdId ?? null,
    transfereeMember: transferee.memberOfCollective,
    transfereeKey: key,
    areaMu4: assessment.areaMu4,
    termStart: input.termStart,
    termEnd: input.termEnd,
    landUse: input.use,
    written: input.written,
    filingOn: filing.date,
    filingRef: filing.reference,
    filingBy: filing.by,
    status: 'ACTIVE',
    terminatedOn: null,
    terminationGround: null,
    terminatedBy: null,
    terminationEvidenceRef: null,
    annualPricePerMuFen: input.annualPricePerMuFen ?? null,
    parentCirculationId: input.parentCirculationId ?? null,
    consentOn: input.contractorConsent?.date ?? null,
    consentRef: input.contractorConsent?.reference ?? null,
    consentBy: input.contractorConsent?.by ?? null,
    reviewIds: [...input.reviewIds],
    riskDepositPaidFen: input.riskDepositPaidFen,
    requiredRiskDepositFen: assessment.requiredRiskDepositFen,
    requiredReviewLevel: assessment.requiredReviewLevel ?? null,
    socialCapital: assessment.socialCapital,
    registrable: assessment.registrable,
    policyVersion: assessment.policyVersion,
    version: 1,
  });
  const plots = input.plots.map((p) =>
    em.create(CirculationPlotEntity, { circulationId: row.id, plotCode: p.plotCode, areaMu4: p.areaMu4 }),
  );
  await em.flush();
  await recordChanges(em, ctx, [
    {
      aggregateType: 'circulation',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'circulation.recorded',
      state: circulationToMsg(row, plots, reviewRows, true),
      effectiveOn: row.termStart,
      event: {
        type: Events['land-contract'].CirculationRecorded,
        payload: { circulation: circulationToMsg(row, plots, reviewRows, false) },
      },
    },
  ]);
  return circulationToMsg(row, plots, reviewRows, unmaskedFor(ctx.principal, row.villageCode));
}

// ---------------------------------------------------------------------------------------------
// Reading: one circulation, the township ledger

export async function getCirculation(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<CirculationMsg> {
  if (!isUuid(id)) throw new NotFoundError('circulation', id);
  const [found] = await loadCirculationsWhere(em, { id });
  if (!found) throw new NotFoundError('circulation', id);
  assertCanRead(principal, scopeOfVillage(found.row.villageCode));
  return circulationToMsg(
    found.row,
    found.plots,
    await reviewsFor(em, [found.row]),
    unmaskedFor(principal, found.row.villageCode),
  );
}

export interface CirculationFilter {
  townshipCode?: string;
  villageCode?: string;
  contractId?: string;
  householdId?: string;
  status?: Circulation['status'];
  transfereeKind?: Transferee['kind'];
}

/** 流转台账 — the township's ledger, in recording order (UUIDv7 ids), keyset pages. */
export async function listCirculations(
  em: EntityManager,
  principal: Principal,
  filter: CirculationFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{
  circulations: CirculationMsg[];
  nextCursor: string | undefined;
  total: number;
  totalAreaMu4: Mu4;
}> {
  const where: FilterQuery<CirculationRow> = {};
  if (filter.townshipCode) where.townshipCode = filter.townshipCode;
  if (filter.villageCode) where.villageCode = filter.villageCode;
  if (filter.contractId) where.contractId = filter.contractId;
  if (filter.householdId) where.contractorHouseholdId = filter.householdId;
  if (filter.status) where.status = filter.status;
  if (filter.transfereeKind) where.transfereeKind = filter.transfereeKind;
  const allowed = townshipFilter(principal, TRACK);
  if (allowed) {
    where.townshipCode =
      filter.townshipCode && allowed.includes(filter.townshipCode) ? filter.townshipCode : { $in: allowed };
  }
  if (principal.role === 'VILLAGE_TASK_FORCE') where.villageCode = { $in: principal.villages ?? [] };
  const total = await em.count(CirculationEntity, where);
  // Re-circulations pass on area a first circulation already counted.
  const sum = await em
    .createQueryBuilder(CirculationEntity)
    .select(raw('coalesce(sum(area_mu4), 0) as area'))
    .where({ $and: [where, { parentCirculationId: null }] })
    .execute<{ area: string | number } | undefined>('get');
  const page = await loadCirculationsWhere(
    em,
    after ? { $and: [where, { id: { $gt: after } }] } : where,
    pageSize + 1,
  );
  const slice = page.slice(0, pageSize);
  const reviews = await reviewsFor(
    em,
    slice.map((c) => c.row),
  );
  return {
    circulations: slice.map((c) =>
      circulationToMsg(c.row, c.plots, reviews, unmaskedFor(principal, c.row.villageCode)),
    ),
    nextCursor: page.length > pageSize ? slice[slice.length - 1]?.row.id : undefined,
    total,
    totalAreaMu4: Number(sum?.area ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Ending circulations

export interface TerminationInput {
  circulationId: string;
  ground: EarlyTerminationGround;
  by: 'CONTRACTOR' | 'ISSUER';
  date: LocalDate;
  evidenceRef: string;
}

/**
 * Ends `row` and, with it, the re-circulations derived from it: a transferee cannot pass on a right
 * it no longer holds. Returns the changes to record.
 */
async function endCirculation(
  em: EntityManager,
  ctx: CommandContext,
  row: CirculationRow,
  input: Omit<TerminationInput, 'circulationId'>,
): Promise<CirculationRow[]> {
  const ended: CirculationRow[] = [];
  const queue: CirculationRow[] = [row];
  while (queue.length > 0) {
    const next = queue.shift() as CirculationRow;
    next.status = 'TERMINATED';
    next.terminatedOn = input.date;
    next.terminationGround = input.ground;
    next.terminatedBy = input.by;
    next.terminationEvidenceRef = input.evidenceRef;
    touch(next, ctx.now);
    ended.push(next);
    queue.push(...(await em.find(CirculationEntity, { parentCirculationId: next.id, status: 'ACTIVE' })));
  }
  return ended;
}

/**
 * The audit entries and events of circulations that just ended (terminated or expired): the state
 * unmasked for the audit, masked in the event.
 */
async function endingChanges(
  em: EntityManager,
  ended: readonly CirculationRow[],
  how: 'terminated' | 'expired',
): Promise<Change[]> {
  const plots = await em.find(CirculationPlotEntity, { circulationId: { $in: ended.map((r) => r.id) } });
  const reviews = await reviewsFor(em, ended);
  const type =
    how === 'terminated'
      ? Events['land-contract'].CirculationTerminated
      : Events['land-contract'].CirculationExpired;
  return ended.map((r) => {
    const own = plots.filter((p) => p.circulationId === r.id);
    return {
      aggregateType: 'circulation',
      aggregateId: r.id,
      aggregateVersion: r.version,
      townshipCode: r.townshipCode,
      action: `circulation.${how}`,
      state: circulationToMsg(r, own, reviews, true),
      effectiveOn: (how === 'terminated' ? r.terminatedOn : String(r.termEnd)) ?? undefined,
      event: { type, payload: { circulation: circulationToMsg(r, own, reviews, false) } },
    } satisfies Change;
  });
}

export async function terminateCirculation(
  em: EntityManager,
  ctx: CommandContext,
  input: TerminationInput,
): Promise<CirculationMsg> {
  if (!isUuid(input.circulationId))
    rejectInput([violation('CIRCULATION_ID_FORMAT', 'circulationId', 'Give the circulation id (UUID).')]);
  const [found] = await loadCirculationsWhere(em, { id: input.circulationId });
  if (!found) throw new NotFoundError('circulation', input.circulationId);
  // Lock the contract: terminations and new circulations of one contract run one after another.
  await loadContract(em, found.row.contractId, { lock: true });
  await em.refresh(found.row);
  assertCanWrite(ctx.principal, scopeOfVillage(found.row.villageCode));
  badInput(checkNotFuture(input.date, today(ctx), 'terminationDate'));
  const reports = (await em.find(AbandonmentReportEntity, { contractId: found.row.contractId })).map(
    abandonmentReportFromRow,
  );
  const outcome = terminateCirculationEarly({
    circulation: circulationFromRow(found.row, found.plots),
    ground: input.ground,
    by: input.by,
    date: input.date,
    evidenceRef: input.evidenceRef,
    abandonmentReports: reports,
  });
  if (!outcome.ok) rejectRule(outcome.violations);
  const ended = await endCirculation(em, ctx, found.row, input);
  await em.flush();
  await recordChanges(em, ctx, await endingChanges(em, ended, 'terminated'));
  return circulationToMsg(
    found.row,
    found.plots,
    await reviewsFor(em, [found.row]),
    unmaskedFor(ctx.principal, found.row.villageCode),
  );
}

/**
 * Every circulation of a township whose plots the abandonment reports show idle two consecutive
 * years or more by `asOf` is ended, by the issuer (LCL Art 64), citing the reports.
 */
export async function terminateIdleCirculations(
  em: EntityManager,
  ctx: CommandContext,
  input: { townshipCode: string; asOf: LocalDate },
): Promise<CirculationMsg[]> {
  assertCanWrite(ctx.principal, { track: TRACK, townshipCode: input.townshipCode });
  badInput(checkNotFuture(input.asOf, today(ctx), 'asOfDate'));
  const active = await loadCirculationsWhere(em, {
    townshipCode: input.townshipCode,
    status: 'ACTIVE',
    parentCirculationId: null,
  });
  if (active.length === 0) return [];
  const contractIds = [...new Set(active.map((c) => c.row.contractId))];
  const reportRows = await em.find(AbandonmentReportEntity, { contractId: { $in: contractIds } });
  const reports = reportRows.map(abandonmentReportFromRow);
  const ended: CirculationRow[] = [];
  for (const { row, circulation } of active) {
    const finding = shouldTerminateCirculationForIdleness(reports, circulation, input.asOf);
    if (!finding.terminate) continue;
    const cited = reportRows
      .filter((r) => r.contractId === row.contractId && finding.plotCodes.includes(r.plotCode))
      .map((r) => r.id);
    ended.push(
      ...(await endCirculation(em, ctx, row, {
        ground: 'IDLE_TWO_YEARS',
        by: 'ISSUER',
        date: input.asOf,
        evidenceRef: `abandonment reports ${cited.join(', ')}`.slice(0, 255),
      })),
    );
  }
  if (ended.length === 0) return [];
  await em.flush();
  await recordChanges(em, ctx, await endingChanges(em, ended, 'terminated'));
  const plots = await em.find(CirculationPlotEntity, { circulationId: { $in: ended.map((r) => r.id) } });
  const reviews = await reviewsFor(em, ended);
  return ended.map((r) =>
    circulationToMsg(
      r,
      plots.filter((p) => p.circulationId === r.id),
      reviews,
      unmaskedFor(ctx.principal, r.villageCode),
    ),
  );
}

/**
 * 到期: marks up to `limit` circulations whose term has run out by `asOf` as EXPIRED, oldest term end
 * first, each with its audit entry and one CirculationExpired event. Rows another transaction holds
 * (a termination in progress, a second replica's expiry run) are skipped and picked up next time.
 * Returns how many expired; 0 means none is left as of `asOf`.
 */
export async function expireCirculations(
  em: EntityManager,
  ctx: CommandContext,
  asOf: LocalDate,
  limit: number,
): Promise<number> {
  const due = (
    await em.find(
      CirculationEntity,
      { status: 'ACTIVE', termEnd: { $lte: asOf } },
      { orderBy: { termEnd: 'asc', id: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE },
    )
  ).filter((row) => isCirculationExpired(circulationFromRow(row, []), asOf));
  if (due.length === 0) return 0;
  for (const row of due) {
    row.status = 'EXPIRED';
    touch(row, ctx.now);
  }
  await em.flush();
  await recordChanges(em, ctx, await endingChanges(em, due, 'expired'));
  return due.length;
}
