import { Events } from '@pingquan/contracts/catalogue';
import type {
  CertificationCase as CaseMsg,
  RegisterEntryKind as EntryKindMsg,
  LegacyCaseKind as LegacyKindMsg,
  LegacyCaseState as LegacyStateMsg,
  CertificationStage as StageMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import {
  assertCanWrite,
  type CommandContext,
  canRead,
  type EntityManager,
  execInTransaction,
  groupBy,
  InvalidInputError,
  isUuid,
  NotFoundError,
  newId,
  type Principal,
  policyOn,
  RuleRefusedError,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import {
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  todayInShanghai,
  violation,
} from '@pingquan/reference';
import {
  advanceCertification,
  CERTIFICATION_STAGES,
  type CertificationCase,
  type CertificationPolicy,
  type CertificationStage,
  type LegacyCase,
  type LegacyCaseKind,
  type LegacyCaseState,
  linkRealEstateRegister,
  noticeWindowEnd,
  openLegacyCase,
  raiseObjection,
  resolveObjection,
  updateLegacyCase,
} from '../domain/certification.js';
import { isInForce } from '../domain/contract-rules.js';
import type { ContractStatus } from '../domain/model.js';
import {
  CertificationCaseEntity,
  type CertificationCaseRow,
  CertificationLegacyCaseEntity,
  type CertificationLegacyCaseRow,
  CertificationObjectionEntity,
  type CertificationObjectionRow,
  CertificationRegisterEntryEntity,
  type CertificationRegisterEntryRow,
} from '../persistence/certification.js';
import { ContractEntity, HouseholdEntity, type HouseholdRow } from '../persistence/entities.js';
import { certificationNoticePolicy } from '../policies.js';
import { TRACK } from './context.js';

// The certification campaign (确权登记颁证) as use cases: each command loads the household's whole
// case under a per-household lock, lets the domain rule on it, writes the rows, and records one audit
// entry and one event in the same transaction. A refusal throws before anything is written.

export const CERTIFICATION_AGGREGATE = 'certification-case';

const scopeOf = (row: { villageCode: string }) => ({
  track: TRACK,
  villageCode: row.villageCode,
  townshipCode: row.villageCode.slice(0, 9),
});

/** Rules about the shape of an input: bad input (INVALID_ARGUMENT), not a refusal by a business rule. */
const SHAPE_RULES = new Set([
  'DATE_INVALID',
  'OBJECTION_UNKNOWN',
  'OBJECTION_INCOMPLETE',
  'OBJECTION_RESOLUTION_REQUIRED',
  'LEGACY_CASE_UNKNOWN',
  'LEGACY_CASE_OWNER_REQUIRED',
  'LEGACY_CASE_CLOSING_NOTE_REQUIRED',
  'CERTIFICATE_NUMBER_REQUIRED',
  'REAL_ESTATE_REGISTER_NO_FORMAT',
]);

function refuse(violations: RuleViolation[]): never {
  if (violations.every((v) => SHAPE_RULES.has(v.rule))) throw new InvalidInputError(violations);
  throw new RuleRefusedError(violations);
}

// Proto enums carry a prefix (CERTIFICATION_STAGE_SURVEYED); the domain and the tables use the bare name.
export const stageToMsg = (s: CertificationStage | undefined): StageMsg =>
  s === undefined ? 'CERTIFICATION_STAGE_UNSPECIFIED' : (`CERTIFICATION_STAGE_${s}` as StageMsg);
export const stageFromMsg = (s: StageMsg): CertificationStage | undefined => {
  const bare = s.replace('CERTIFICATION_STAGE_', '');
  return (CERTIFICATION_STAGES as readonly string[]).includes(bare)
    ? (bare as CertificationStage)
    : undefined;
};
const LEGACY_KINDS: readonly LegacyCaseKind[] = ['BOUNDARY_DISPUTE', 'PETITION', 'OTHER'];
const LEGACY_STATES: readonly LegacyCaseState[] = ['OPEN', 'IN_PROGRESS', 'CLOSED'];
export const legacyKindFromMsg = (k: LegacyKindMsg): LegacyCaseKind | undefined => {
  const bare = k.replace('LEGACY_CASE_KIND_', '');
  return (LEGACY_KINDS as readonly string[]).includes(bare) ? (bare as LegacyCaseKind) : undefined;
};
export const legacyStateFromMsg = (s: LegacyStateMsg): LegacyCaseState | undefined => {
  const bare = s.replace('LEGACY_CASE_STATE_', '');
  return (LEGACY_STATES as readonly string[]).includes(bare) ? (bare as LegacyCaseState) : undefined;
};

const STAGE_COLUMN = {
  SURVEYED: 'surveyedOn',
  PUBLICLY_NOTICED: 'publiclyNoticedOn',
  SIGNED: 'signedOn',
  REGISTERED: 'registeredOn',
  CERTIFIED: 'certifiedOn',
} as const satisfies Record<CertificationStage, keyof CertificationCaseRow>;

/** A case as stored: the row and its children. */
interface CaseBundle {
  row: CertificationCaseRow;
  objections: CertificationObjectionRow[];
  legacyCases: CertificationLegacyCaseRow[];
  entries: CertificationRegisterEntryRow[];
}

function toDomain(b: CaseBundle): CertificationCase {
  const stageDates: CertificationCase['stageDates'] = {};
  for (const stage of CERTIFICATION_STAGES) {
    const date = b.row[STAGE_COLUMN[stage]];
    if (date) stageDates[stage] = date;
  }
  return {
    householdId: b.row.householdId,
    issuerCode: b.row.issuerCode,
    ...(b.row.stage ? { stage: b.row.stage as CertificationStage } : {}),
    stageDates,
    objections: [...b.objections]
      .sort((a, c) => a.seq - c.seq)
      .map((o) => ({
        id: o.id,
        raisedOn: o.raisedOn,
        raisedBy: o.raisedBy,
        subject: o.subject,
        ...(o.resolvedOn ? { resolvedOn: o.resolvedOn } : {}),
        ...(o.resolution ? { resolution: o.resolution } : {}),
      })),
    legacyCases: [...b.legacyCases]
      .sort((a, c) => a.seq - c.seq)
      .map(
        (lc): LegacyCase => ({
          id: lc.id,
          kind: lc.kind as LegacyCaseKind,
          owner: lc.owner,
          state: lc.state as LegacyCaseState,
          openedOn: lc.openedOn,
          note: lc.note,
          ...(lc.closedOn ? { closedOn: lc.closedOn } : {}),
        }),
      ),
    ...(b.row.certificateNo ? { certificateNo: b.row.certificateNo } : {}),
    ...(b.row.realEstateRegisterNo ? { realEstateRegisterNo: b.row.realEstateRegisterNo } : {}),
  };
}

/** The notice window this case runs under: the one fixed on its notice date. */
function policyOfCase(row: CertificationCaseRow): CertificationPolicy | undefined {
  if (row.noticeWindowDays === null || row.noticeWindowDays === undefined) return undefined;
  return {
    version: `${certificationNoticePolicy.name}@${row.noticePolicyVersion ?? 0}`,
    effectiveFrom: row.publiclyNoticedOn ?? '1970-01-01',
    noticeWindowDays: row.noticeWindowDays,
  };
}

/** What would stop the next stage on `today`: the rules that hold the household back, not missing input. */
function blockersOf(b: CaseBundle, today: LocalDate) {
  const c = toDomain(b);
  const next = CERTIFICATION_STAGES[c.stage === undefined ? 0 : CERTIFICATION_STAGES.indexOf(c.stage) + 1];
  if (next === undefined) return { next, blockers: [] };
  const policy = policyOfCase(b.row);
  const result = advanceCertification(c, next, today, {
    certificateNo: 'probe',
    ...(policy ? { policy } : {}),
  });
  const holding = new Set(['NOTICE_WINDOW_OPEN', 'OBJECTION_UNRESOLVED', 'LEGACY_CASE_OPEN']);
  return {
    next,
    blockers: result.ok
      ? []
      : result.violations
          .filter((v) => holding.has(v.rule))
          .map((v) => ({ rule: v.rule, field: v.field, message: v.message })),
  };
}

export function caseToMsg(b: CaseBundle, now: Date): CaseMsg {
  const c = toDomain(b);
  const policy = policyOfCase(b.row);
  const { next, blockers } = blockersOf(b, todayInShanghai(now));
  return {
    id: b.row.id,
    householdId: b.row.householdId,
    householdCode: b.row.householdCode,
    issuerCode: b.row.issuerCode,
    villageCode: b.row.villageCode,
    townshipCode: b.row.townshipCode,
    stage: stageToMsg(c.stage),
    stageDates: {
      surveyedOn: b.row.surveyedOn ?? '',
      publiclyNoticedOn: b.row.publiclyNoticedOn ?? '',
      signedOn: b.row.signedOn ?? '',
      registeredOn: b.row.registeredOn ?? '',
      certifiedOn: b.row.certifiedOn ?? '',
    },
    noticeWindowDays: b.row.noticeWindowDays ?? 0,
    noticeWindowEndDate: (policy && noticeWindowEnd(c, policy)) ?? '',
    objections: c.objections.map((o) => ({
      id: o.id,
      raisedOn: o.raisedOn,
      raisedBy: o.raisedBy,
      subject: o.subject,
      resolvedOn: o.resolvedOn ?? '',
      resolution: o.resolution ?? '',
    })),
    legacyCases: c.legacyCases.map((lc) => ({
      id: lc.id,
      kind: `LEGACY_CASE_KIND_${lc.kind}` as LegacyKindMsg,
      owner: lc.owner,
      state: `LEGACY_CASE_STATE_${lc.state}` as LegacyStateMsg,
      openedOn: lc.openedOn,
      closedOn: lc.closedOn ?? '',
      note: lc.note,
    })),
    certificate:
      b.row.certificateNo && b.row.certifiedOn
        ? { number: b.row.certificateNo, issuedOn: b.row.certifiedOn }
        : undefined,
    registerEntries: [...b.entries]
      .sort((a, e) => a.seq - e.seq)
      .map((e) => ({
        seq: e.seq,
        kind: `REGISTER_ENTRY_KIND_${e.kind}` as EntryKindMsg,
        recordedOn: e.recordedOn,
        registerBookNo: e.registerBookNo,
        contractCodes: [...e.contractCodes],
        totalAreaMu4: e.totalAreaMu4,
        certificateNo: e.certificateNo,
        realEstateRegisterNo: e.realEstateRegisterNo,
      })),
    realEstateRegisterNo: b.row.realEstateRegisterNo ?? '',
    nextStage: stageToMsg(next),
    blockers,
    version: b.row.version,
  };
}

async function loadBundles(em: EntityManager, rows: CertificationCaseRow[]): Promise<CaseBundle[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [objections, legacyCases, entries] = await Promise.all([
    em.find(CertificationObjectionEntity, { caseId: { $in: ids } }),
    em.find(CertificationLegacyCaseEntity, { caseId: { $in: ids } }),
    em.find(CertificationRegisterEntryEntity, { caseId: { $in: ids } }),
  ]);
  const o = groupBy(objections, (x) => x.caseId);
  const l = groupBy(legacyCases, (x) => x.caseId);
  const e = groupBy(entries, (x) => x.caseId);
  return rows.map((row) => ({
    row,
    objections: o.get(row.id) ?? [],
    legacyCases: l.get(row.id) ?? [],
    entries: e.get(row.id) ?? [],
  }));
}

function requireHouseholdId(householdId: string): void {
  if (!isUuid(householdId)) {
    throw new InvalidInputError([
      violation('HOUSEHOLD_ID_FORMAT', 'householdId', 'Give the household id (a UUID).'),
    ]);
  }
}

function requireDate(date: string, field: string): void {
  if (!isLocalDate(date)) {
    throw new InvalidInputError([violation('DATE_INVALID', field, `'${date}' is not a YYYY-MM-DD date.`)]);
  }
}

function requireText(value: string, field: string, max: number, rule: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > max) {
    throw new InvalidInputError([violation(rule, field, `${what} is required, at most ${max} characters.`)]);
  }
  return trimmed;
}

/**
 * The household's case for a command: locked against concurrent commands on the same household (an
 * advisory lock also covers the case not existing yet), created in memory when it does not exist.
 */
async function caseForCommand(
  em: EntityManager,
  ctx: CommandContext,
  householdId: string,
): Promise<{ household: HouseholdRow; bundle: CaseBundle }> {
  requireHouseholdId(householdId);
  const household = await em.findOne(HouseholdEntity, { id: householdId });
  if (!household) {
    throw new InvalidInputError([
      violation('HOUSEHOLD_NOT_FOUND', 'householdId', `No household ${householdId} is registered.`),
    ]);
  }
  assertCanWrite(ctx.principal, scopeOf(household));
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [`certification:${householdId}`]);
  const row = await em.findOne(CertificationCaseEntity, { householdId }, { refresh: true });
  if (row) {
    const [bundle] = await loadBundles(em, [row]);
    return { household, bundle: bundle! };
  }
  const created = em.create(CertificationCaseEntity, {
    id: newId(),
    householdId,
    householdCode: household.code,
    issuerCode: household.issuerCode,
    villageCode: household.villageCode,
    townshipCode: household.townshipCode,
    stage: null,
    version: 1,
  });
  return { household, bundle: { row: created, objections: [], legacyCases: [], entries: [] } };
}

type CaseEvent =
  | { kind: 'StageAdvanced'; stage: CertificationStage; date: LocalDate }
  | { kind: 'ObjectionRaised'; objectionId: string }
  | { kind: 'ObjectionResolved'; objectionId: string }
  | { kind: 'LegacyCaseOpened'; legacyCaseId: string }
  | { kind: 'LegacyCaseUpdated'; legacyCaseId: string; state: LegacyCaseState }
  | { kind: 'RealEstateLinked'; registerNo: string };

const ACTIONS: Record<CaseEvent['kind'], string> = {
  StageAdvanced: 'certification-case.stage-advanced',
  ObjectionRaised: 'certification-case.objection-raised',
  ObjectionResolved: 'certification-case.objection-resolved',
  LegacyCaseOpened: 'certification-case.legacy-case-opened',
  LegacyCaseUpdated: 'certification-case.legacy-case-updated',
  RealEstateLinked: 'certification-case.real-estate-linked',
};

/** Flushes the case, then records its audit entry (state after the change) and its event. */
async function commit(
  em: EntityManager,
  ctx: CommandContext,
  bundle: CaseBundle,
  event: CaseEvent,
  effectiveOn: LocalDate,
): Promise<CaseMsg> {
  await em.flush();
  const msg = caseToMsg(bundle, ctx.now);
  const ce = Events['land-contract'];
  const eventOf = () => {
    switch (event.kind) {
      case 'StageAdvanced':
        return {
          type: ce.CertificationStageAdvanced,
          payload: { certificationCase: msg, stage: stageToMsg(event.stage), date: event.date },
        };
      case 'ObjectionRaised':
        return {
          type: ce.CertificationObjectionRaised,
          payload: { certificationCase: msg, objectionId: event.objectionId },
        };
      case 'ObjectionResolved':
        return {
          type: ce.CertificationObjectionResolved,
          payload: { certificationCase: msg, objectionId: event.objectionId },
        };
      case 'LegacyCaseOpened':
        return {
          type: ce.LegacyCaseOpened,
          payload: { certificationCase: msg, legacyCaseId: event.legacyCaseId },
        };
      case 'LegacyCaseUpdated':
        return {
          type: ce.LegacyCaseUpdated,
          payload: {
            certificationCase: msg,
            legacyCaseId: event.legacyCaseId,
            state: `LEGACY_CASE_STATE_${event.state}` as LegacyStateMsg,
          },
        };
      case 'RealEstateLinked':
        return {
          type: ce.RealEstateRegisterLinked,
          payload: { certificationCase: msg, realEstateRegisterNo: event.registerNo },
        };
    }
  };
  await recordChanges(em, ctx, [
    {
      aggregateType: CERTIFICATION_AGGREGATE,
      aggregateId: bundle.row.id,
      aggregateVersion: bundle.row.version,
      townshipCode: bundle.row.townshipCode,
      action: ACTIONS[event.kind],
      state: msg,
      effectiveOn,
      event: eventOf(),
    },
  ]);
  return msg;
}

function addEntry(
  em: EntityManager,
  bundle: CaseBundle,
  fields: Omit<CertificationRegisterEntryRow, 'id' | 'caseId' | 'seq'>,
): void {
  const entry = em.create(CertificationRegisterEntryEntity, {
    id: newId(),
    caseId: bundle.row.id,
    seq: bundle.entries.length + 1,
    ...fields,
  });
  bundle.entries.push(entry);
}

export interface AdvanceInput {
  householdId: string;
  stage: CertificationStage | undefined;
  date: string;
  certificateNo: string;
  registerBookNo: string;
}

export async function advanceCertificationStage(
  em: EntityManager,
  ctx: CommandContext,
  input: AdvanceInput,
): Promise<CaseMsg> {
  const to = input.stage;
  if (to === undefined) {
    throw new InvalidInputError([
      violation('CERTIFICATION_STAGE_REQUIRED', 'stage', 'Choose the stage to move to.'),
    ]);
  }
  requireDate(input.date, 'date');
  const certificateNo = input.certificateNo.trim();
  if (to === 'CERTIFIED') {
    requireText(
      input.certificateNo,
      'certificateNo',
      64,
      'CERTIFICATE_NUMBER_REQUIRED',
      'The certificate number',
    );
  }
  const registerBookNo = input.registerBookNo.trim();
  if (registerBookNo.length > 64) {
    throw new InvalidInputError([
      violation(
        'REGISTER_BOOK_NO_FORMAT',
        'registerBookNo',
        'A register book number is at most 64 characters.',
      ),
    ]);
  }
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const row = bundle.row;

  // The window is fixed when the notice is posted, by the policy in effect that day.
  let policy = policyOfCase(row);
  let noticePolicy: { days: number; version: number } | undefined;
  if (to === 'PUBLICLY_NOTICED') {
    const effective = await policyOn(em, certificationNoticePolicy, input.date);
    noticePolicy = { days: effective.value.noticeWindowDays, version: effective.version };
    policy = {
      version: `${certificationNoticePolicy.name}@${effective.version}`,
      effectiveFrom: effective.effectiveFrom,
      noticeWindowDays: effective.value.noticeWindowDays,
    };
  }
  const result = advanceCertification(toDomain(bundle), to, input.date, {
    ...(to === 'CERTIFIED' ? { certificateNo } : {}),
    ...(policy ? { policy } : {}),
  });
  if (!result.ok) refuse(result.violations);

  const v: RuleViolation[] = [];
  let contracts: { code: string; totalAreaMu4: number }[] = [];
  if (to === 'REGISTERED') {
    const held = await em.find(
      ContractEntity,
      { householdId: row.householdId },
      { orderBy: { code: 'asc' } },
    );
    contracts = held.filter((c) => isInForce(c.status as ContractStatus));
    if (contracts.length === 0) {
      v.push(
        violation(
          'CONTRACT_REQUIRED',
          'householdId',
          'The household holds no contract in force; register its contract before entering it in the register.',
        ),
      );
    }
  }
  if (to === 'CERTIFIED') {
    const taken = await em.findOne(CertificationCaseEntity, { certificateNo, id: { $ne: row.id } });
    if (taken) {
      v.push(
        violation(
          'CERTIFICATE_NUMBER_TAKEN',
          'certificateNo',
          `Certificate ${certificateNo} was already issued to household ${taken.householdCode}.`,
        ),
      );
    }
  }
  if (v.length) throw new RuleRefusedError(v);

  row.stage = to;
  row[STAGE_COLUMN[to]] = input.date;
  if (noticePolicy) {
    row.noticeWindowDays = noticePolicy.days;
    row.noticePolicyVersion = noticePolicy.version;
  }
  if (to === 'REGISTERED') {
    addEntry(em, bundle, {
      kind: 'INITIAL_REGISTRATION',
      recordedOn: input.date,
      registerBookNo,
      contractCodes: contracts.map((c) => c.code),
      totalAreaMu4: contracts.reduce((sum, c) => sum + c.totalAreaMu4, 0),
      certificateNo: '',
      realEstateRegisterNo: '',
    });
  }
  if (to === 'CERTIFIED') {
    row.certificateNo = certificateNo;
    const registered = bundle.entries.find((e) => e.kind === 'INITIAL_REGISTRATION');
    addEntry(em, bundle, {
      kind: 'CERTIFICATE_ISSUED',
      recordedOn: input.date,
      registerBookNo: registered?.registerBookNo ?? '',
      contractCodes: [...(registered?.contractCodes ?? [])],
      totalAreaMu4: registered?.totalAreaMu4 ?? 0,
      certificateNo,
      realEstateRegisterNo: row.realEstateRegisterNo ?? '',
    });
  }
  return commit(em, ctx, bundle, { kind: 'StageAdvanced', stage: to, date: input.date }, input.date);
}

export interface RaiseObjectionInput {
  householdId: string;
  raisedOn: string;
  raisedBy: string;
  subject: string;
}

export async function raiseCertificationObjection(
  em: EntityManager,
  ctx: CommandContext,
  input: RaiseObjectionInput,
): Promise<{ certificationCase: CaseMsg; objectionId: string }> {
  requireDate(input.raisedOn, 'raisedOn');
  const raisedBy = requireText(
    input.raisedBy,
    'raisedBy',
    255,
    'OBJECTION_INCOMPLETE',
    'Who raised the objection',
  );
  const subject = requireText(
    input.subject,
    'subject',
    2000,
    'OBJECTION_INCOMPLETE',
    'What the objection is about',
  );
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const id = newId();
  const result = raiseObjection(
    toDomain(bundle),
    { id, raisedOn: input.raisedOn, raisedBy, subject },
    policyOfCase(bundle.row),
  );
  if (!result.ok) refuse(result.violations);
  bundle.objections.push(
    em.create(CertificationObjectionEntity, {
      id,
      caseId: bundle.row.id,
      seq: bundle.objections.length + 1,
      raisedOn: input.raisedOn,
      raisedBy,
      subject,
      resolvedOn: null,
      resolution: null,
    }),
  );
  bundle.row.updatedAt = ctx.now;
  const msg = await commit(em, ctx, bundle, { kind: 'ObjectionRaised', objectionId: id }, input.raisedOn);
  return { certificationCase: msg, objectionId: id };
}

export interface ResolveObjectionInput {
  householdId: string;
  objectionId: string;
  resolvedOn: string;
  resolution: string;
}

export async function resolveCertificationObjection(
  em: EntityManager,
  ctx: CommandContext,
  input: ResolveObjectionInput,
): Promise<CaseMsg> {
  requireDate(input.resolvedOn, 'resolvedOn');
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const resolution = input.resolution.trim();
  const result = resolveObjection(toDomain(bundle), input.objectionId, input.resolvedOn, resolution);
  if (!result.ok) refuse(result.violations);
  const row = bundle.objections.find((o) => o.id === input.objectionId)!;
  row.resolvedOn = input.resolvedOn;
  row.resolution = resolution;
  bundle.row.updatedAt = ctx.now;
  return commit(em, ctx, bundle, { kind: 'ObjectionResolved', objectionId: row.id }, input.resolvedOn);
}

export interface OpenLegacyCaseInput {
  householdId: string;
  kind: LegacyCaseKind | undefined;
  owner: string;
  openedOn: string;
  note: string;
}

export async function openCertificationLegacyCase(
  em: EntityManager,
  ctx: CommandContext,
  input: OpenLegacyCaseInput,
): Promise<{ certificationCase: CaseMsg; legacyCaseId: string }> {
  if (input.kind === undefined) {
    throw new InvalidInputError([
      violation('LEGACY_CASE_KIND_REQUIRED', 'kind', 'Choose BOUNDARY_DISPUTE, PETITION or OTHER.'),
    ]);
  }
  requireDate(input.openedOn, 'openedOn');
  const owner = input.owner.trim();
  if (owner.length > 255) {
    throw new InvalidInputError([violation('LEGACY_CASE_OWNER_FORMAT', 'owner', 'At most 255 characters.')]);
  }
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const id = newId();
  const legacy: LegacyCase = {
    id,
    kind: input.kind,
    owner,
    state: 'OPEN',
    openedOn: input.openedOn,
    note: input.note.trim(),
  };
  const result = openLegacyCase(toDomain(bundle), legacy);
  if (!result.ok) refuse(result.violations.map((x) => ({ ...x, field: x.field.replace('legacyCase.', '') })));
  bundle.legacyCases.push(
    em.create(CertificationLegacyCaseEntity, {
      id,
      caseId: bundle.row.id,
      seq: bundle.legacyCases.length + 1,
      kind: legacy.kind,
      owner,
      state: 'OPEN',
      openedOn: input.openedOn,
      closedOn: null,
      note: legacy.note,
    }),
  );
  bundle.row.updatedAt = ctx.now;
  const msg = await commit(em, ctx, bundle, { kind: 'LegacyCaseOpened', legacyCaseId: id }, input.openedOn);
  return { certificationCase: msg, legacyCaseId: id };
}

export interface UpdateLegacyCaseInput {
  householdId: string;
  legacyCaseId: string;
  state: LegacyCaseState | undefined;
  date: string;
  note: string;
}

export async function updateCertificationLegacyCase(
  em: EntityManager,
  ctx: CommandContext,
  input: UpdateLegacyCaseInput,
): Promise<CaseMsg> {
  if (input.state === undefined) {
    throw new InvalidInputError([
      violation('LEGACY_CASE_STATE_REQUIRED', 'state', 'Choose IN_PROGRESS or CLOSED.'),
    ]);
  }
  requireDate(input.date, 'date');
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const result = updateLegacyCase(
    toDomain(bundle),
    input.legacyCaseId,
    input.state,
    input.date,
    input.note.trim(),
  );
  if (!result.ok) {
    refuse(result.violations.map((x) => (x.field === 'caseId' ? { ...x, field: 'legacyCaseId' } : x)));
  }
  const updated = result.value.legacyCases.find((lc) => lc.id === input.legacyCaseId)!;
  const row = bundle.legacyCases.find((lc) => lc.id === input.legacyCaseId)!;
  row.state = updated.state;
  row.note = updated.note;
  row.closedOn = updated.closedOn ?? null;
  bundle.row.updatedAt = ctx.now;
  return commit(
    em,
    ctx,
    bundle,
    { kind: 'LegacyCaseUpdated', legacyCaseId: row.id, state: updated.state },
    input.date,
  );
}

export interface LinkRealEstateInput {
  householdId: string;
  registerNo: string;
  date: string;
}

export async function linkCertificationRealEstate(
  em: EntityManager,
  ctx: CommandContext,
  input: LinkRealEstateInput,
): Promise<CaseMsg> {
  const date = input.date || todayInShanghai(ctx.now);
  requireDate(date, 'date');
  const { bundle } = await caseForCommand(em, ctx, input.householdId);
  const result = linkRealEstateRegister(toDomain(bundle), input.registerNo);
  if (!result.ok) refuse(result.violations);
  const registerNo = result.value.realEstateRegisterNo ?? '';
  if (bundle.row.realEstateRegisterNo === registerNo) {
    throw new RuleRefusedError([
      violation(
        'REAL_ESTATE_ALREADY_LINKED',
        'realEstateRegisterNo',
        `The household is already linked to ${registerNo}.`,
      ),
    ]);
  }
  bundle.row.realEstateRegisterNo = registerNo;
  const registered = bundle.entries.find((e) => e.kind === 'INITIAL_REGISTRATION');
  addEntry(em, bundle, {
    kind: 'REAL_ESTATE_LINKED',
    recordedOn: date,
    registerBookNo: registered?.registerBookNo ?? '',
    contractCodes: [...(registered?.contractCodes ?? [])],
    totalAreaMu4: registered?.totalAreaMu4 ?? 0,
    certificateNo: bundle.row.certificateNo ?? '',
    realEstateRegisterNo: registerNo,
  });
  return commit(em, ctx, bundle, { kind: 'RealEstateLinked', registerNo }, date);
}

// Reads.

/** A case by its id or by its household's id; NOT_FOUND also when outside the caller's scope. */
export async function getCertificationCase(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<CaseMsg> {
  if (!isUuid(id))
    throw new InvalidInputError([violation('ID_FORMAT', 'id', 'Give a case id or a household id.')]);
  const row = await em.findOne(CertificationCaseEntity, { $or: [{ id }, { householdId: id }] });
  if (!row || !canRead(principal, scopeOf(row))) throw new NotFoundError('certification case', id);
  const [bundle] = await loadBundles(em, [row]);
  return caseToMsg(bundle!, new Date());
}

export async function certificationCaseRow(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<CertificationCaseRow> {
  if (!isUuid(id))
    throw new InvalidInputError([violation('ID_FORMAT', 'id', 'Give a case id or a household id.')]);
  const row = await em.findOne(CertificationCaseEntity, { $or: [{ id }, { householdId: id }] });
  // Outside the caller's scope a case does not exist, as for contracts and households.
  if (!row || !canRead(principal, scopeOf(row))) throw new NotFoundError('certification case', id);
  return row;
}

export async function batchGetCertificationCases(
  em: EntityManager,
  principal: Principal,
  householdIds: string[],
): Promise<CaseMsg[]> {
  const ids = [...new Set(householdIds)].filter(isUuid);
  if (ids.length === 0) return [];
  const rows = (await em.find(CertificationCaseEntity, { householdId: { $in: ids } })).filter((r) =>
    canRead(principal, scopeOf(r)),
  );
  const now = new Date();
  return (await loadBundles(em, rows)).map((b) => caseToMsg(b, now));
}

export interface CaseFilter {
  townshipCode?: string;
  villageCode?: string;
  stage?: CertificationStage;
  blockedOnly?: boolean;
}

/** Keyset pagination on the household code: stable under inserts, cheap at any depth. */
export async function listCertificationCases(
  em: EntityManager,
  principal: Principal,
  filter: CaseFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ cases: CaseMsg[]; nextCursor: string | undefined; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (filter.townshipCode) add('c.township_code = ?', filter.townshipCode);
  if (filter.villageCode) add('c.village_code = ?', filter.villageCode);
  if (filter.stage) add('c.stage = ?', filter.stage);
  if (filter.blockedOnly) {
    add(`(EXISTS (SELECT 1 FROM certification_objection o WHERE o.case_id = c.id AND o.resolved_on IS NULL)
       OR EXISTS (SELECT 1 FROM certification_legacy_case l WHERE l.case_id = c.id AND l.state <> 'CLOSED'))`);
  }
  const inList = (column: string, values: string[]) =>
    values.length ? add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values) : add('FALSE');
  const allowed = townshipFilter(principal, TRACK);
  if (allowed) inList('c.township_code', allowed);
  if (principal.role === 'VILLAGE_TASK_FORCE') inList('c.village_code', principal.villages ?? []);
  const conn = em.getConnection();
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await conn.execute<{ n: string }[]>(
    `SELECT count(*) AS n FROM certification_case c ${clause}`,
    params,
  );
  const pageWhere = after ? `${clause ? `${clause} AND` : 'WHERE'} c.household_code > ?` : clause;
  const ids = await conn.execute<{ id: string }[]>(
    `SELECT c.id FROM certification_case c ${pageWhere} ORDER BY c.household_code LIMIT ?`,
    [...params, ...(after ? [after] : []), pageSize + 1],
  );
  const pageIds = ids.slice(0, pageSize).map((r) => r.id);
  const rows = pageIds.length
    ? await em.find(CertificationCaseEntity, { id: { $in: pageIds } }, { orderBy: { householdCode: 'asc' } })
    : [];
  const now = new Date();
  return {
    cases: (await loadBundles(em, rows)).map((b) => caseToMsg(b, now)),
    nextCursor: ids.length > pageSize ? rows[rows.length - 1]?.householdCode : undefined,
    total: Number(count?.n ?? 0),
  };
}
