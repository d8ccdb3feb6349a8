import {
  addMonths,
  addYears,
  type Checked,
  checkResolution,
  collect,
  compareDates,
  fail,
  isLocalDate,
  type LocalDate,
  type Mu4,
  type Resolution,
  type RuleViolation,
  validateIssuerCode,
  validateVillageCode,
  violation,
} from '@pingquan/reference';
import { assertTransition } from './contract-rules.js';
import { encumbrancesOn } from './encumbrance.js';
import { isHouseholdExtinct } from './household.js';
import type { Contract, Encumbrance, Household } from './model.js';
import type { PolicyVersion } from './policy.js';
import { contractAreaMu4 } from './term.js';

/** 再延长三十年 — fixed by the central decision, not a local policy. */
export const EXTENSION_YEARS = 30;

/**
 * What the plan leaves to the city about the 30-year extension (延包): when a contract counts as due,
 * which villages may start before the city-wide phase, and what to do with mortgaged contracts.
 */
export interface ExtensionPolicy extends PolicyVersion {
  /**
   * A second-round contract is due when it expires within this many months of the batch date (or
   * has expired unextended). Pingquan's second round ends around 2028–2029 and the pilot extends
   * years ahead of that, so the window is wide.
   */
  dueWindowMonths: number;
  /** Early-pilot villages (先期试点村), 12-digit codes: they may start before `cityWideStartDate`. */
  pilotVillageCodes: readonly string[];
  /** Early pilot phase begins (先期试点阶段, 2023-06): no batch before it. */
  pilotStartDate: LocalDate;
  /** City-wide phase begins (全面推行阶段, 2024-07): every village may start from it. */
  cityWideStartDate: LocalDate;
  /**
   * `EXTEND` (default): the extension lengthens the household's own right and harms no creditor, so a
   * mortgaged contract is extended and the decision flags it for the mortgage service. `SKIP` holds
   * such contracts back for manual review.
   */
  encumberedContracts: 'EXTEND' | 'SKIP';
}

export const DEFAULT_EXTENSION_POLICY: ExtensionPolicy = {
  version: 'extension-default-1',
  effectiveFrom: '2023-06-01',
  dueWindowMonths: 72,
  pilotVillageCodes: [],
  pilotStartDate: '2023-06-01',
  cityWideStartDate: '2024-07-01',
  encumberedContracts: 'EXTEND',
};

/** Expiry of the second round: recorded, or for a second-round contract not yet extended its term end. */
export function secondRoundExpiry(contract: Pick<Contract, 'secondRoundEnd' | 'termEnd'>): LocalDate {
  return contract.secondRoundEnd ?? contract.termEnd;
}

/**
 * The extended term: it starts on the second-round expiry and runs 30 years from it — never from the
 * batch date, so extending early or late gives every household the same end date.
 */
export function extendedTerm(contract: Pick<Contract, 'secondRoundEnd' | 'termEnd'>): {
  start: LocalDate;
  end: LocalDate;
} {
  const start = secondRoundExpiry(contract);
  return { start, end: addYears(start, EXTENSION_YEARS) };
}

/** Already in the extended term: marked EXTENDED, or its end lies past the second-round expiry. */
export function isAlreadyExtended(
  contract: Pick<Contract, 'status' | 'secondRoundEnd' | 'termEnd'>,
): boolean {
  return (
    contract.status === 'EXTENDED' ||
    (contract.secondRoundEnd !== undefined && compareDates(contract.termEnd, contract.secondRoundEnd) > 0)
  );
}

/**
 * Due for extension on `asOf`: an ACTIVE family contract, still in its second round, expiring within
 * the policy window (or already expired without extension — it is overdue, not out of scope).
 */
export function isDueForExtension(
  contract: Pick<Contract, 'mode' | 'status' | 'termEnd' | 'secondRoundEnd'>,
  asOf: LocalDate,
  policy: ExtensionPolicy = DEFAULT_EXTENSION_POLICY,
): boolean {
  return (
    contract.mode === 'FAMILY' &&
    contract.status === 'ACTIVE' &&
    !isAlreadyExtended(contract) &&
    compareDates(secondRoundExpiry(contract), addMonths(asOf, policy.dueWindowMonths)) <= 0
  );
}

export type ExtensionSkipReason =
  | 'OUTSIDE_BATCH_SCOPE'
  | 'STATUS_ENDED'
  | 'ALREADY_EXTENDED'
  | 'NOT_FAMILY_CONTRACT'
  | 'HOUSEHOLD_UNKNOWN'
  | 'HOUSEHOLD_INVALID'
  | 'HOUSEHOLD_EXTINCT'
  | 'NOT_DUE'
  | 'ENCUMBRANCE_REVIEW_REQUIRED';

export type ExtensionDecision =
  | {
      action: 'EXTEND';
      contractId: string;
      areaMu4: Mu4;
      oldTermEnd: LocalDate;
      newTermStart: LocalDate;
      newTermEnd: LocalDate;
      /** Mortgaged on the batch date: the mortgage service is told its collateral's term changed. */
      encumbered: boolean;
    }
  | { action: 'SKIP'; contractId: string; areaMu4: Mu4; reason: ExtensionSkipReason; detail: string };

/** One row of a batch as the app streams it: the contract with its household and mortgages. */
export interface ExtensionRow {
  contract: Contract;
  household?: Household;
  encumbrances?: readonly Encumbrance[];
}

export interface ExtensionBatchContext {
  /** Village (12 digits) or issuer (14 digits) the batch covers. */
  scopeCode: string;
  asOf: LocalDate;
  policy?: ExtensionPolicy;
}

/**
 * The decision for one contract. It depends only on the contract's recorded state, so running it
 * again after a crash — or after the batch committed — gives SKIP/ALREADY_EXTENDED for done rows and
 * the same EXTEND for the rest: the batch is idempotent and resumable by construction.
 */
export function decideExtension(row: ExtensionRow, ctx: ExtensionBatchContext): ExtensionDecision {
  const policy = ctx.policy ?? DEFAULT_EXTENSION_POLICY;
  const { contract, household } = row;
  const base = { contractId: contract.id, areaMu4: contractAreaMu4(contract) };
  const skip = (reason: ExtensionSkipReason, detail: string): ExtensionDecision => ({
    action: 'SKIP',
    ...base,
    reason,
    detail,
  });

  if (!contract.issuerCode.startsWith(ctx.scopeCode)) {
    return skip('OUTSIDE_BATCH_SCOPE', `Issuer ${contract.issuerCode} is not within ${ctx.scopeCode}.`);
  }
  if (contract.status !== 'ACTIVE' && contract.status !== 'EXTENDED') {
    return skip('STATUS_ENDED', `The contract is ${contract.status}; there is no right left to extend.`);
  }
  if (isAlreadyExtended(contract)) {
    return skip('ALREADY_EXTENDED', `Already extended to ${contract.termEnd}.`);
  }
  if (contract.mode !== 'FAMILY') {
    return skip(
      'NOT_FAMILY_CONTRACT',
      `A ${contract.mode} contract runs its own agreed term; the extension is for family contracts.`,
    );
  }
  if (household === undefined || household.id !== contract.householdId) {
    return skip('HOUSEHOLD_UNKNOWN', `Household ${contract.householdId} is not in the register.`);
  }
  if (household.members.length === 0) {
    return skip('HOUSEHOLD_INVALID', 'The household lists no members; correct the register first.');
  }
  if (isHouseholdExtinct(household)) {
    return skip(
      'HOUSEHOLD_EXTINCT',
      'Every member has died: the issuer reclaims the land instead (承包方消亡).',
    );
  }
  const expiry = secondRoundExpiry(contract);
  if (!isDueForExtension(contract, ctx.asOf, policy)) {
    return skip(
      'NOT_DUE',
      `The second round expires ${expiry}, beyond ${policy.dueWindowMonths} months from ${ctx.asOf}.`,
    );
  }
  const mortgages = encumbrancesOn(contract, row.encumbrances ?? [], ctx.asOf);
  if (mortgages.length > 0 && policy.encumberedContracts === 'SKIP') {
    return skip(
      'ENCUMBRANCE_REVIEW_REQUIRED',
      `Under mortgage ${mortgages.map((m) => m.mortgageId).join(', ')}; policy ${policy.version} holds it for review.`,
    );
  }
  const term = extendedTerm(contract);
  return {
    action: 'EXTEND',
    ...base,
    oldTermEnd: contract.termEnd,
    newTermStart: term.start,
    newTermEnd: term.end,
    encumbered: mortgages.length > 0,
  };
}

export interface CountAndArea {
  count: number;
  areaMu4: Mu4;
}

export interface ExtensionPlanSummary {
  extend: CountAndArea;
  skipped: Partial<Record<ExtensionSkipReason, CountAndArea>>;
}

export function emptyExtensionSummary(): ExtensionPlanSummary {
  return { extend: { count: 0, areaMu4: 0 }, skipped: {} };
}

/** Adds one decision to a running summary, so a streamed batch reports without keeping its rows. */
export function addToExtensionSummary(
  summary: ExtensionPlanSummary,
  d: ExtensionDecision,
): ExtensionPlanSummary {
  if (d.action === 'EXTEND') {
    return {
      ...summary,
      extend: { count: summary.extend.count + 1, areaMu4: summary.extend.areaMu4 + d.areaMu4 },
    };
  }
  const before = summary.skipped[d.reason] ?? { count: 0, areaMu4: 0 };
  return {
    ...summary,
    skipped: {
      ...summary.skipped,
      [d.reason]: { count: before.count + 1, areaMu4: before.areaMu4 + d.areaMu4 },
    },
  };
}

/** Decisions for a chunk of rows plus their summary; the dry-run preview is exactly this. */
export function planExtensionBatch(
  rows: Iterable<ExtensionRow>,
  ctx: ExtensionBatchContext,
): { decisions: ExtensionDecision[]; summary: ExtensionPlanSummary } {
  const decisions: ExtensionDecision[] = [];
  let summary = emptyExtensionSummary();
  for (const row of rows) {
    const decision = decideExtension(row, ctx);
    decisions.push(decision);
    summary = addToExtensionSummary(summary, decision);
  }
  return { decisions, summary };
}

/**
 * 统一变更 — the uniform amendment recorded for an extension. The certificate stays valid and is not
 * reissued (不变不换); the amendment is what changes the term written in contract, register and
 * certificate.
 */
export interface ExtensionAmendment {
  kind: 'TERM_EXTENSION';
  contractId: string;
  batchId: string;
  oldTermEnd: LocalDate;
  newTermStart: LocalDate;
  newTermEnd: LocalDate;
  certificateReissued: false;
  /** The member-meeting resolution that approved the batch. */
  resolutionRef: string;
}

/**
 * Applies an EXTEND decision. The contract keeps its original start (the household held the land
 * without a break), takes the new end, keeps `secondRoundEnd` and becomes EXTENDED. A decision made
 * on an older state of the contract is refused, so a stale plan cannot overwrite a newer change.
 */
export function applyExtension(
  contract: Contract,
  decision: ExtensionDecision,
  batch: { batchId: string; resolutionRef: string },
): Checked<{ contract: Contract; amendment: ExtensionAmendment }> {
  if (decision.action !== 'EXTEND' || decision.contractId !== contract.id) {
    return fail(
      'EXTENSION_DECISION_MISMATCH',
      'decision',
      'Only an EXTEND decision for this contract can be applied.',
    );
  }
  const v: RuleViolation[] = assertTransition(contract.status, 'EXTENDED');
  if (contract.termEnd !== decision.oldTermEnd || isAlreadyExtended(contract)) {
    v.push(
      violation(
        'EXTENSION_PLAN_STALE',
        'decision',
        `The contract changed since the plan (term end now ${contract.termEnd}); plan it again.`,
      ),
    );
  }
  return collect(v, {
    contract: {
      ...contract,
      status: 'EXTENDED',
      termEnd: decision.newTermEnd,
      secondRoundEnd: decision.newTermStart,
    },
    amendment: {
      kind: 'TERM_EXTENSION',
      contractId: contract.id,
      batchId: batch.batchId,
      oldTermEnd: decision.oldTermEnd,
      newTermStart: decision.newTermStart,
      newTermEnd: decision.newTermEnd,
      certificateReissued: false,
      resolutionRef: batch.resolutionRef,
    },
  });
}

/** Which extension phase a date falls in for a village. */
export type ExtensionPhase = 'BEFORE_PILOT' | 'PILOT_VILLAGES' | 'CITY_WIDE';

export function extensionPhaseOn(
  date: LocalDate,
  policy: ExtensionPolicy = DEFAULT_EXTENSION_POLICY,
): ExtensionPhase {
  if (compareDates(date, policy.pilotStartDate) < 0) return 'BEFORE_PILOT';
  if (compareDates(date, policy.cityWideStartDate) < 0) return 'PILOT_VILLAGES';
  return 'CITY_WIDE';
}

/**
 * Every reason a batch may not start for `scopeCode` (the collective — village or group issuer — whose
 * member meeting passed `resolution`) on `startDate`: pilot villages first, then every village; and
 * a valid member-meeting resolution on CONTRACT_EXTENSION taken before the start.
 */
export function checkBatchStart(
  scopeCode: string,
  startDate: LocalDate,
  resolution: Resolution | undefined,
  policy: ExtensionPolicy = DEFAULT_EXTENSION_POLICY,
): RuleViolation[] {
  const v: RuleViolation[] = [];
  const scope =
    scopeCode.length === 14
      ? validateIssuerCode(scopeCode, 'scopeCode')
      : validateVillageCode(scopeCode, 'scopeCode');
  if (!scope.ok) v.push(...scope.violations);

  const villageCode = scopeCode.slice(0, 12);
  const phase = extensionPhaseOn(startDate, policy);
  if (phase === 'BEFORE_PILOT') {
    v.push(
      violation(
        'EXTENSION_BEFORE_PILOT_PHASE',
        'startDate',
        `No extension batch may start before the pilot phase begins on ${policy.pilotStartDate}.`,
      ),
    );
  } else if (phase === 'PILOT_VILLAGES' && !policy.pilotVillageCodes.includes(villageCode)) {
    v.push(
      violation(
        'EXTENSION_PILOT_VILLAGES_FIRST',
        'scopeCode',
        `Village ${villageCode} is not a pilot village; it may start from ${policy.cityWideStartDate}, when the city-wide phase begins.`,
      ),
    );
  }

  if (resolution === undefined) {
    v.push(
      violation(
        'RESOLUTION_REQUIRED',
        'resolution',
        'An extension batch needs the member meeting’s resolution on CONTRACT_EXTENSION.',
      ),
    );
    return v;
  }
  v.push(...checkResolution(resolution, 'CONTRACT_EXTENSION', 'resolution'));
  if (isLocalDate(resolution.meetingDate) && compareDates(resolution.meetingDate, startDate) > 0) {
    v.push(
      violation(
        'RESOLUTION_AFTER_ACT',
        'resolution.meetingDate',
        `The meeting of ${resolution.meetingDate} cannot authorise a batch started on ${startDate}.`,
      ),
    );
  }
  return v;
}
