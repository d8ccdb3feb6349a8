import {
  addDays,
  type Checked,
  collect,
  compareDates,
  fail,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  violation,
} from '@pingquan/reference';
import type { PolicyVersion } from './policy.js';

/**
 * 确权登记颁证 — confirmation, registration and certification, per household, strictly in order:
 * surveyed (实测), publicly noticed (公示), contract signed (签订合同), registered (登记), certified (颁证).
 */
export type CertificationStage = 'SURVEYED' | 'PUBLICLY_NOTICED' | 'SIGNED' | 'REGISTERED' | 'CERTIFIED';

export const CERTIFICATION_STAGES: readonly CertificationStage[] = [
  'SURVEYED',
  'PUBLICLY_NOTICED',
  'SIGNED',
  'REGISTERED',
  'CERTIFIED',
];

/** An objection (异议) raised against the public notice. */
export interface Objection {
  id: string;
  raisedOn: LocalDate;
  raisedBy: string;
  subject: string;
  resolvedOn?: LocalDate;
  resolution?: string;
}

/** 遗留问题 — a boundary dispute (权属纠纷), a petition (信访) or another leftover case. */
export type LegacyCaseKind = 'BOUNDARY_DISPUTE' | 'PETITION' | 'OTHER';

export type LegacyCaseState = 'OPEN' | 'IN_PROGRESS' | 'CLOSED';

export interface LegacyCase {
  id: string;
  kind: LegacyCaseKind;
  /** Person or unit responsible for settling it (包案人). */
  owner: string;
  state: LegacyCaseState;
  openedOn: LocalDate;
  closedOn?: LocalDate;
  note: string;
}

/** One household's progress through the campaign. `stage` is absent until the survey is done. */
export interface CertificationCase {
  householdId: string;
  issuerCode: string;
  stage?: CertificationStage;
  stageDates: Partial<Record<CertificationStage, LocalDate>>;
  objections: readonly Objection[];
  legacyCases: readonly LegacyCase[];
  /** 土地承包经营权证 number, once certified. */
  certificateNo?: string;
  /** Link to the unified real-estate register (不动产统一登记), where one exists. */
  realEstateRegisterNo?: string;
}

export interface CertificationPolicy extends PolicyVersion {
  /** Days the notice stays posted (公示期); objections raised within them must be settled. */
  noticeWindowDays: number;
}

export const DEFAULT_CERTIFICATION_POLICY: CertificationPolicy = {
  version: 'certification-default-1',
  effectiveFrom: '2023-06-01',
  noticeWindowDays: 30,
};

/** First day after the notice window: posted on day d with a 30-day window, the window closes at d+30. */
export function noticeWindowEnd(c: CertificationCase, policy: CertificationPolicy): LocalDate | undefined {
  const start = c.stageDates.PUBLICLY_NOTICED;
  return start === undefined ? undefined : addDays(start, policy.noticeWindowDays);
}

function isWithinNotice(c: CertificationCase, date: LocalDate, policy: CertificationPolicy): boolean {
  const start = c.stageDates.PUBLICLY_NOTICED;
  const end = noticeWindowEnd(c, policy);
  return (
    start !== undefined && end !== undefined && compareDates(start, date) <= 0 && compareDates(date, end) < 0
  );
}

export interface AdvanceOptions {
  certificateNo?: string;
  policy?: CertificationPolicy;
}

/**
 * Moves a household to the next stage on `date`. Past the public notice only once its window has
 * run and every objection raised in it is resolved; to CERTIFIED only with no legacy case open.
 */
export function advanceCertification(
  c: CertificationCase,
  to: CertificationStage,
  date: LocalDate,
  options: AdvanceOptions = {},
): Checked<CertificationCase> {
  const policy = options.policy ?? DEFAULT_CERTIFICATION_POLICY;
  if (!isLocalDate(date)) return fail('DATE_INVALID', 'date', `'${date}' is not a YYYY-MM-DD date.`);
  const v: RuleViolation[] = [];
  const next = CERTIFICATION_STAGES[c.stage === undefined ? 0 : CERTIFICATION_STAGES.indexOf(c.stage) + 1];
  if (to !== next) {
    v.push(
      violation(
        'CERTIFICATION_STAGE_ORDER',
        'stage',
        next === undefined
          ? 'The household is already certified.'
          : `From ${c.stage ?? 'the start'} the next stage is ${next}, not ${to}; no stage is skipped or repeated.`,
      ),
    );
    return { ok: false, violations: v };
  }
  const previous = c.stage === undefined ? undefined : c.stageDates[c.stage];
  if (previous !== undefined && compareDates(date, previous) < 0) {
    v.push(
      violation(
        'CERTIFICATION_DATE_ORDER',
        'date',
        `${to} on ${date} cannot come before ${c.stage} on ${previous}.`,
      ),
    );
  }

  if (c.stage === 'PUBLICLY_NOTICED') {
    const end = noticeWindowEnd(c, policy);
    if (end !== undefined && compareDates(date, end) < 0) {
      v.push(
        violation(
          'NOTICE_WINDOW_OPEN',
          'date',
          `The public notice runs ${policy.noticeWindowDays} days, until ${end}; the household cannot move on before then.`,
        ),
      );
    }
    c.objections.forEach((o, i) => {
      if (o.resolvedOn === undefined || compareDates(o.resolvedOn, date) > 0) {
        v.push(
          violation(
            'OBJECTION_UNRESOLVED',
            `objections[${i}]`,
            `The objection raised on ${o.raisedOn} by ${o.raisedBy} (${o.subject}) is not yet resolved.`,
          ),
        );
      }
    });
  }
  if (to === 'CERTIFIED') {
    c.legacyCases.forEach((lc, i) => {
      if (lc.state !== 'CLOSED') {
        v.push(
          violation(
            'LEGACY_CASE_OPEN',
            `legacyCases[${i}]`,
            `${lc.kind} case ${lc.id} (owner ${lc.owner}) is ${lc.state}; a certificate waits until it is closed.`,
          ),
        );
      }
    });
    if (options.certificateNo === undefined || options.certificateNo.trim() === '') {
      v.push(
        violation(
          'CERTIFICATE_NUMBER_REQUIRED',
          'certificateNo',
          'A certified household is recorded with its certificate number.',
        ),
      );
    }
  }
  return collect(v, {
    ...c,
    stage: to,
    stageDates: { ...c.stageDates, [to]: date },
    ...(to === 'CERTIFIED' && options.certificateNo !== undefined
      ? { certificateNo: options.certificateNo }
      : {}),
  });
}

/**
 * Records an objection — only while the notice is posted. A complaint after the window is no longer
 * an objection to the notice; it is filed as a legacy case instead, which blocks certification.
 */
export function raiseObjection(
  c: CertificationCase,
  objection: Objection,
  policy: CertificationPolicy = DEFAULT_CERTIFICATION_POLICY,
): Checked<CertificationCase> {
  if (!isLocalDate(objection.raisedOn)) {
    return fail('DATE_INVALID', 'objection.raisedOn', `'${objection.raisedOn}' is not a YYYY-MM-DD date.`);
  }
  if (c.stage !== 'PUBLICLY_NOTICED' || !isWithinNotice(c, objection.raisedOn, policy)) {
    return fail(
      'NOTICE_WINDOW_CLOSED',
      'objection.raisedOn',
      `Objections are taken during the ${policy.noticeWindowDays}-day public notice; record a later complaint as a legacy case.`,
    );
  }
  if (objection.subject.trim() === '' || objection.raisedBy.trim() === '') {
    return fail('OBJECTION_INCOMPLETE', 'objection', 'An objection says who raised it and about what.');
  }
  if (c.objections.some((o) => o.id === objection.id)) {
    return fail('OBJECTION_DUPLICATE', 'objection.id', `Objection ${objection.id} is already recorded.`);
  }
  // A new objection is open by definition, whatever resolution fields the caller sent along.
  const open: Objection = {
    id: objection.id,
    raisedOn: objection.raisedOn,
    raisedBy: objection.raisedBy,
    subject: objection.subject,
  };
  return collect([], { ...c, objections: [...c.objections, open] });
}

export function resolveObjection(
  c: CertificationCase,
  objectionId: string,
  resolvedOn: LocalDate,
  resolution: string,
): Checked<CertificationCase> {
  const index = c.objections.findIndex((o) => o.id === objectionId);
  const objection = c.objections[index];
  if (objection === undefined)
    return fail('OBJECTION_UNKNOWN', 'objectionId', `No objection ${objectionId}.`);
  const v: RuleViolation[] = [];
  if (objection.resolvedOn !== undefined) {
    v.push(
      violation('OBJECTION_ALREADY_RESOLVED', 'objectionId', `Resolved on ${objection.resolvedOn} already.`),
    );
  }
  if (!isLocalDate(resolvedOn) || compareDates(resolvedOn, objection.raisedOn) < 0) {
    v.push(
      violation(
        'DATE_INVALID',
        'resolvedOn',
        `An objection is resolved on a date from ${objection.raisedOn}.`,
      ),
    );
  }
  if (resolution.trim() === '') {
    v.push(violation('OBJECTION_RESOLUTION_REQUIRED', 'resolution', 'Say how the objection was settled.'));
  }
  const objections = c.objections.map((o, i) => (i === index ? { ...o, resolvedOn, resolution } : o));
  return collect(v, { ...c, objections });
}

export function openLegacyCase(c: CertificationCase, legacy: LegacyCase): Checked<CertificationCase> {
  const v: RuleViolation[] = [];
  if (legacy.owner.trim() === '') {
    v.push(
      violation('LEGACY_CASE_OWNER_REQUIRED', 'legacyCase.owner', 'Every legacy case has a named owner.'),
    );
  }
  if (legacy.state !== 'OPEN') {
    v.push(violation('LEGACY_CASE_TRANSITION', 'legacyCase.state', 'A legacy case is opened OPEN.'));
  }
  if (!isLocalDate(legacy.openedOn)) {
    v.push(
      violation('DATE_INVALID', 'legacyCase.openedOn', `'${legacy.openedOn}' is not a YYYY-MM-DD date.`),
    );
  }
  if (c.legacyCases.some((lc) => lc.id === legacy.id)) {
    v.push(
      violation('LEGACY_CASE_DUPLICATE', 'legacyCase.id', `Legacy case ${legacy.id} is already recorded.`),
    );
  }
  return collect(v, { ...c, legacyCases: [...c.legacyCases, legacy] });
}

const LEGACY_TRANSITIONS: Readonly<Record<LegacyCaseState, readonly LegacyCaseState[]>> = {
  OPEN: ['IN_PROGRESS', 'CLOSED'],
  IN_PROGRESS: ['CLOSED'],
  CLOSED: [],
};

/** Moves a legacy case on; closing it needs the date and a note of how it was settled. */
export function updateLegacyCase(
  c: CertificationCase,
  caseId: string,
  to: LegacyCaseState,
  date: LocalDate,
  note: string,
): Checked<CertificationCase> {
  const index = c.legacyCases.findIndex((lc) => lc.id === caseId);
  const legacy = c.legacyCases[index];
  if (legacy === undefined) return fail('LEGACY_CASE_UNKNOWN', 'caseId', `No legacy case ${caseId}.`);
  const v: RuleViolation[] = [];
  if (!LEGACY_TRANSITIONS[legacy.state].includes(to)) {
    v.push(
      violation('LEGACY_CASE_TRANSITION', 'state', `A ${legacy.state} legacy case cannot become ${to}.`),
    );
  }
  if (!isLocalDate(date) || compareDates(date, legacy.openedOn) < 0) {
    v.push(violation('DATE_INVALID', 'date', `A legacy case changes on a date from ${legacy.openedOn}.`));
  }
  if (to === 'CLOSED' && note.trim() === '') {
    v.push(violation('LEGACY_CASE_CLOSING_NOTE_REQUIRED', 'note', 'Say how the case was settled.'));
  }
  const updated: LegacyCase = {
    ...legacy,
    state: to,
    note: note.trim() === '' ? legacy.note : note,
    ...(to === 'CLOSED' ? { closedOn: date } : {}),
  };
  return collect(v, { ...c, legacyCases: c.legacyCases.map((lc, i) => (i === index ? updated : lc)) });
}

/** Links the household to the unified real-estate register; the number's format is the registry's. */
export function linkRealEstateRegister(c: CertificationCase, registerNo: string): Checked<CertificationCase> {
  const trimmed = registerNo.trim();
  if (trimmed === '' || trimmed.length > 64) {
    return fail(
      'REAL_ESTATE_REGISTER_NO_FORMAT',
      'realEstateRegisterNo',
      'A real-estate register number is 1 to 64 characters.',
    );
  }
  return collect([], { ...c, realEstateRegisterNo: trimmed });
}
