import { compareDates, daysBetween, isLocalDate, type LocalDate } from './dates.js';
import { type RuleViolation, violation } from './violation.js';

/**
 * The body that decided: 成员大会 — the member meeting; 成员代表大会 — the members' representatives'
 * meeting, which a large collective may set up and authorise for all but the reserved matters.
 */
export type ResolutionBody = 'MEMBER_MEETING' | 'REPRESENTATIVES_MEETING';

export const RESOLUTION_BODIES: readonly ResolutionBody[] = ['MEMBER_MEETING', 'REPRESENTATIVES_MEETING'];

/** What a resolution decides; an act checks that its resolution decided exactly its matter. */
export type ResolutionMatter =
  /** 章程 — adopting or amending the charter */
  | 'CHARTER'
  /** 成员确认 — confirming members */
  | 'MEMBER_CONFIRMATION'
  /** 土地承包方案 — the land contracting plan */
  | 'LAND_CONTRACTING_PLAN'
  /** 延包 — the second-round 30-year extension of an issuer's contracts */
  | 'CONTRACT_EXTENSION'
  /** 个别调地 — individual plot adjustment */
  | 'PLOT_ADJUSTMENT'
  /** 宅基地 — homestead allocation and use plan */
  | 'HOMESTEAD_PLAN'
  /** 折股量化 — quantifying operating assets as shares */
  | 'SHARE_QUANTIFICATION'
  /** 征地补偿费分配 — distribution of land compensation */
  | 'COMPENSATION_DISTRIBUTION'
  /** 合并、分立 — merger or split of the collective */
  | 'MERGER_OR_SPLIT'
  /** 非成员享有权利 — granting rights to non-members (Art 15) */
  | 'NON_MEMBER_RIGHTS'
  /** 贡献股 — contribution shares for non-member managers and technicians (Art 15) */
  | 'CONTRIBUTION_SHARES'
  /** 年度收益分配 — the annual dividend plan */
  | 'DIVIDEND_PLAN'
  /** 服务收费 — the collective's fee schedule for services to operators */
  | 'FEE_SCHEDULE'
  | 'OTHER';

export const RESOLUTION_MATTERS: readonly ResolutionMatter[] = [
  'CHARTER',
  'MEMBER_CONFIRMATION',
  'LAND_CONTRACTING_PLAN',
  'CONTRACT_EXTENSION',
  'PLOT_ADJUSTMENT',
  'HOMESTEAD_PLAN',
  'SHARE_QUANTIFICATION',
  'COMPENSATION_DISTRIBUTION',
  'MERGER_OR_SPLIT',
  'NON_MEMBER_RIGHTS',
  'CONTRIBUTION_SHARES',
  'DIVIDEND_PLAN',
  'FEE_SCHEDULE',
  'OTHER',
];

/** Matters the law keeps for the member meeting: a representatives' meeting can't be authorised. */
export const RESERVED_TO_MEMBER_MEETING: ReadonlySet<ResolutionMatter> = new Set<ResolutionMatter>([
  'CHARTER',
  'MEMBER_CONFIRMATION',
  'LAND_CONTRACTING_PLAN',
  'CONTRACT_EXTENSION',
  'PLOT_ADJUSTMENT',
  'HOMESTEAD_PLAN',
  'SHARE_QUANTIFICATION',
  'COMPENSATION_DISTRIBUTION',
  'MERGER_OR_SPLIT',
  'NON_MEMBER_RIGHTS',
  'CONTRIBUTION_SHARES',
]);

/** Matters that need three quarters of all members rather than two thirds (Art 15). */
export const THREE_QUARTERS_MATTERS: ReadonlySet<ResolutionMatter> = new Set<ResolutionMatter>([
  'NON_MEMBER_RIGHTS',
  'CONTRIBUTION_SHARES',
]);

/** Days between notice and member meeting: members must learn time, place and agenda 10 days ahead. */
export const MEMBER_MEETING_NOTICE_DAYS = 10;

/**
 * 决议 — a decision of a collective economic organisation's meeting, recorded as the authority for
 * an act (Rural Collective Economic Organisation Law 2024, in force 2025-05-01, Arts 15, 26–28).
 */
export interface Resolution {
  body: ResolutionBody;
  matter: ResolutionMatter;
  meetingDate: LocalDate;
  noticeDate: LocalDate;
  /**
   * All members entitled to vote (members with full civil capacity) for a member meeting, or all
   * representatives for a representatives' meeting — not only those present.
   */
  totalMembers: number;
  attending: number;
  votesFor: number;
  votesAgainst: number;
  /** Minutes or resolution document number, so the act can be traced to its authority. */
  documentRef: string;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Every reason the resolution can't authorise an act on `matter`; empty when it can. Shares are
 * compared in integers (3·for ≥ 2·total), so no rounding can let a vote short of the share pass.
 */
export function checkResolution(
  r: Resolution,
  matter: ResolutionMatter,
  field = 'resolution',
): RuleViolation[] {
  const v: RuleViolation[] = [];
  const memberMeeting = r.body === 'MEMBER_MEETING';

  if (!RESOLUTION_BODIES.includes(r.body)) {
    v.push(violation('RESOLUTION_BODY_UNKNOWN', `${field}.body`, `Unknown meeting body '${r.body}'.`));
  }
  if (r.matter !== matter) {
    v.push(
      violation(
        'RESOLUTION_MATTER_MISMATCH',
        `${field}.matter`,
        `This act needs a resolution on ${matter}; the resolution given decided ${r.matter}.`,
      ),
    );
  }
  if (r.documentRef.trim() === '') {
    v.push(
      violation(
        'RESOLUTION_DOCUMENT_REF_REQUIRED',
        `${field}.documentRef`,
        'A resolution must cite its minutes or document number.',
      ),
    );
  }

  const datesValid = checkDates(r, field, v);
  if (datesValid && memberMeeting && daysBetween(r.noticeDate, r.meetingDate) < MEMBER_MEETING_NOTICE_DAYS) {
    v.push(
      violation(
        'RESOLUTION_NOTICE_PERIOD',
        `${field}.noticeDate`,
        `Members must be notified at least ${MEMBER_MEETING_NOTICE_DAYS} days before a member meeting; notice on ${r.noticeDate} for a meeting on ${r.meetingDate} gives ${daysBetween(r.noticeDate, r.meetingDate)}.`,
      ),
    );
  }

  if (RESERVED_TO_MEMBER_MEETING.has(matter) && r.body === 'REPRESENTATIVES_MEETING') {
    v.push(
      violation(
        'RESOLUTION_RESERVED_TO_MEMBER_MEETING',
        `${field}.body`,
        `Only the member meeting may decide ${matter}; a representatives' meeting cannot.`,
      ),
    );
  }

  if (!checkCounts(r, field, v)) return v;

  const whole = memberMeeting ? 'members' : 'representatives';
  if (memberMeeting && 3 * r.attending < 2 * r.totalMembers) {
    v.push(
      violation(
        'RESOLUTION_QUORUM',
        `${field}.attending`,
        `A member meeting needs at least two thirds of all ${r.totalMembers} members present; ${r.attending} attended.`,
      ),
    );
  }
  if (3 * r.votesFor < 2 * r.totalMembers) {
    v.push(
      violation(
        'RESOLUTION_TWO_THIRDS_OF_ALL',
        `${field}.votesFor`,
        `A decision needs at least two thirds of all ${r.totalMembers} ${whole}, not of those present; ${r.votesFor} voted for.`,
      ),
    );
  }
  if (memberMeeting && THREE_QUARTERS_MATTERS.has(matter) && 4 * r.votesFor < 3 * r.totalMembers) {
    v.push(
      violation(
        'RESOLUTION_THREE_QUARTERS_OF_ALL',
        `${field}.votesFor`,
        `${matter} needs at least three quarters of all ${r.totalMembers} members; ${r.votesFor} voted for.`,
      ),
    );
  }
  return v;
}

function checkDates(r: Resolution, field: string, v: RuleViolation[]): boolean {
  let valid = true;
  for (const key of ['meetingDate', 'noticeDate'] as const) {
    if (!isLocalDate(r[key])) {
      v.push(
        violation('RESOLUTION_DATE_INVALID', `${field}.${key}`, `'${r[key]}' is not a YYYY-MM-DD date.`),
      );
      valid = false;
    }
  }
  if (valid && compareDates(r.noticeDate, r.meetingDate) > 0) {
    v.push(
      violation(
        'RESOLUTION_NOTICE_AFTER_MEETING',
        `${field}.noticeDate`,
        `The notice date ${r.noticeDate} is after the meeting date ${r.meetingDate}.`,
      ),
    );
    valid = false;
  }
  return valid;
}

// Vote thresholds are meaningless on impossible counts, so they are judged only once these pass.
function checkCounts(r: Resolution, field: string, v: RuleViolation[]): boolean {
  let valid = true;
  for (const key of ['totalMembers', 'attending', 'votesFor', 'votesAgainst'] as const) {
    if (!isCount(r[key]) || (key === 'totalMembers' && r[key] === 0)) {
      const need = key === 'totalMembers' ? 'a positive whole number' : 'a whole number of zero or more';
      v.push(
        violation('RESOLUTION_COUNT_INVALID', `${field}.${key}`, `${key} must be ${need}, got ${r[key]}.`),
      );
      valid = false;
    }
  }
  if (!valid) return false;
  if (r.attending > r.totalMembers) {
    v.push(
      violation(
        'RESOLUTION_ATTENDANCE_EXCEEDS_TOTAL',
        `${field}.attending`,
        `${r.attending} attending is more than the ${r.totalMembers} entitled to attend.`,
      ),
    );
    valid = false;
  }
  if (r.votesFor + r.votesAgainst > r.attending) {
    v.push(
      violation(
        'RESOLUTION_VOTES_EXCEED_ATTENDANCE',
        `${field}.votesFor`,
        `${r.votesFor} for and ${r.votesAgainst} against is more votes than the ${r.attending} present.`,
      ),
    );
    valid = false;
  }
  return valid;
}
