import {
  addYears,
  type Checked,
  collect,
  compareDates,
  type Fen,
  isLocalDate,
  type LocalDate,
  MU4_PER_MU,
  type Mu4,
  type RuleViolation,
  roundHalfUpDiv,
  validateCreditCode,
  validateResidentId,
  violation,
} from '@pingquan/reference';
import { type AbandonmentReport, shouldTerminateCirculationForIdleness } from './abandonment.js';
import { checkInForce } from './contract-rules.js';
import type { Circulation, CirculationMode, Contract, ReviewLevel, TransfereeKind } from './model.js';
import type { PolicyVersion } from './policy.js';
import { duplicates, termsOverlap } from './term.js';

export const CIRCULATION_MODES: readonly CirculationMode[] = [
  'LEASE',
  'SUBCONTRACT',
  'SHAREHOLDING',
  'OTHER',
];

export const TRANSFEREE_KINDS: readonly TransfereeKind[] = [
  'HOUSEHOLD',
  'COOPERATIVE',
  'FAMILY_FARM',
  'ENTERPRISE',
  'NON_MEMBER_INDIVIDUAL',
];

/** A circulation of at least this many years may be registered (LCL Art 41); the law fixes it. */
export const REGISTRABLE_CIRCULATION_YEARS = 5;

const REVIEW_LEVEL_RANK: Readonly<Record<ReviewLevel, number>> = { TOWNSHIP: 1, CITY: 2 };

/** One tier of the review for social capital: circulations above `aboveMu4` need this level's review. */
export interface ReviewTier {
  level: ReviewLevel;
  aboveMu4: Mu4;
}

/**
 * What the plan leaves to the city: which transferees count as social capital (工商企业等社会资本),
 * the area tiers of their qualification and project review, and the risk deposit (风险保障金).
 */
export interface CirculationPolicy extends PolicyVersion {
  socialCapitalKinds: readonly TransfereeKind[];
  /**
   * Tiers in any order; the highest tier exceeded decides the level. The area compared is this
   * circulation's plus what the transferee already holds by circulation in the city (given by the
   * caller), so a large holding cannot be split into small unreviewed leases.
   */
  reviewTiers: readonly ReviewTier[];
  riskDeposit: {
    kinds: readonly TransfereeKind[];
    perMuFen: Fen;
  };
}

export const DEFAULT_CIRCULATION_POLICY: CirculationPolicy = {
  version: 'circulation-default-1',
  effectiveFrom: '2023-06-01',
  socialCapitalKinds: ['ENTERPRISE', 'NON_MEMBER_INDIVIDUAL'],
  reviewTiers: [
    { level: 'TOWNSHIP', aboveMu4: 100 * MU4_PER_MU },
    { level: 'CITY', aboveMu4: 1000 * MU4_PER_MU },
  ],
  riskDeposit: { kinds: ['ENTERPRISE'], perMuFen: 10_000 },
};

export interface CirculationContext {
  contract: Contract;
  /** Other circulations of the same contract (any status); the one being checked may be among them. */
  existing: readonly Circulation[];
  /** The circulation a re-circulation derives from. */
  parent?: Circulation;
  /** Area the transferee already holds by circulation, for the review tiers. */
  transfereeHeldAreaMu4?: Mu4;
  policy?: CirculationPolicy;
  /** Bounds birth dates in resident IDs. */
  today: LocalDate;
}

/** What the rules worked out about an acceptable circulation, for the record and the API. */
export interface CirculationAssessment {
  areaMu4: Mu4;
  socialCapital: boolean;
  reviewAreaMu4: Mu4;
  requiredReviewLevel?: ReviewLevel;
  requiredRiskDepositFen: Fen;
  /** Five years or more: may be entered in the register (Art 41). */
  registrable: boolean;
  policyVersion: string;
}

/**
 * 土地经营权流转 — every reason a circulation can't be recorded, or what the rules require of it:
 * written, filed (备案), agricultural use, within the contract's plots, areas and term, and for
 * social capital the review of the tier its area reaches and the risk deposit.
 */
export function validateCirculation(c: Circulation, ctx: CirculationContext): Checked<CirculationAssessment> {
  const policy = ctx.policy ?? DEFAULT_CIRCULATION_POLICY;
  const { contract } = ctx;
  const v: RuleViolation[] = [];

  if (c.contractId !== contract.id) {
    v.push(
      violation('CIRCULATION_CONTRACT_MISMATCH', 'contractId', 'The circulation names another contract.'),
    );
  }
  if (c.contractorHouseholdId !== contract.householdId) {
    v.push(
      violation(
        'CIRCULATION_CONTRACTOR_MISMATCH',
        'contractorHouseholdId',
        'Only the contract holder can grant a management right on its plots.',
      ),
    );
  }
  if (!CIRCULATION_MODES.includes(c.mode)) {
    v.push(violation('CIRCULATION_MODE_UNKNOWN', 'mode', `Unknown circulation mode '${c.mode}'.`));
  }
  if (!c.written) {
    v.push(
      violation(
        'CIRCULATION_WRITTEN_CONTRACT_REQUIRED',
        'written',
        'A management-right circulation needs a written contract (LCL Art 40).',
      ),
    );
  }
  if (c.use === 'NON_AGRICULTURAL') {
    v.push(
      violation(
        'CIRCULATION_AGRICULTURAL_USE_ONLY',
        'use',
        'Circulated land keeps its agricultural use; it cannot be put to non-agricultural use.',
      ),
    );
  }
  if (c.filing === undefined) {
    v.push(
      violation(
        'CIRCULATION_FILING_REQUIRED',
        'filing',
        'The circulation must be filed (备案) with the issuer, with date and reference.',
      ),
    );
  }
  if (
    c.annualPricePerMuFen !== undefined &&
    !(Number.isSafeInteger(c.annualPricePerMuFen) && c.annualPricePerMuFen >= 0)
  ) {
    v.push(
      violation(
        'MONEY_NEGATIVE',
        'annualPricePerMuFen',
        'The price must be a whole number of fen, zero or more.',
      ),
    );
  }

  const termOk = checkCirculationTerm(c, contract, v);
  if (termOk) v.push(...checkInForce(contract, c.termStart, 'contract'));
  const areaMu4 = checkCirculatedPlots(c, ctx, termOk, v);
  v.push(...checkTransferee(c, contract, ctx.today));
  if (c.parentCirculationId !== undefined) v.push(...checkRecirculation(c, ctx.parent, termOk));

  const socialCapital = policy.socialCapitalKinds.includes(c.transferee.kind);
  const reviewAreaMu4 = areaMu4 + (ctx.transfereeHeldAreaMu4 ?? 0);
  const requiredReviewLevel = socialCapital ? reviewLevelFor(reviewAreaMu4, policy) : undefined;
  if (requiredReviewLevel !== undefined) v.push(...checkReviews(c, requiredReviewLevel, reviewAreaMu4));

  const requiredRiskDepositFen = policy.riskDeposit.kinds.includes(c.transferee.kind)
    ? roundHalfUpDiv(BigInt(areaMu4) * BigInt(policy.riskDeposit.perMuFen), BigInt(MU4_PER_MU))
    : 0;
  if (c.riskDepositPaidFen < requiredRiskDepositFen) {
    v.push(
      violation(
        'CIRCULATION_RISK_DEPOSIT_REQUIRED',
        'riskDepositPaidFen',
        `Policy ${policy.version} asks a risk deposit (风险保障金) of ${requiredRiskDepositFen} fen from a ${c.transferee.kind}; ${c.riskDepositPaidFen} fen was paid.`,
      ),
    );
  }

  const registrable =
    termOk && compareDates(addYears(c.termStart, REGISTRABLE_CIRCULATION_YEARS), c.termEnd) <= 0;
  return collect(v, {
    areaMu4,
    socialCapital,
    reviewAreaMu4,
    ...(requiredReviewLevel !== undefined ? { requiredReviewLevel } : {}),
    requiredRiskDepositFen,
    registrable,
    policyVersion: policy.version,
  });
}

function checkCirculationTerm(c: Circulation, contract: Contract, v: RuleViolation[]): boolean {
  let valid = true;
  for (const key of ['termStart', 'termEnd'] as const) {
    if (!isLocalDate(c[key])) {
      v.push(violation('DATE_INVALID', key, `'${c[key]}' is not a YYYY-MM-DD date.`));
      valid = false;
    }
  }
  if (!valid) return false;
  if (compareDates(c.termStart, c.termEnd) >= 0) {
    v.push(
      violation('CIRCULATION_TERM_ORDER', 'termEnd', `The term ${c.termStart} to ${c.termEnd} is empty.`),
    );
    return false;
  }
  if (compareDates(c.termEnd, contract.termEnd) > 0) {
    v.push(
      violation(
        'CIRCULATION_TERM_BEYOND_CONTRACT',
        'termEnd',
        `A circulation cannot outlast the contract: it ends ${c.termEnd}, the contract ${contract.termEnd}.`,
      ),
    );
  }
  return true;
}

// Returns the total circulated area, so the review and deposit are judged on what was asked even
// when some plot is refused.
function checkCirculatedPlots(
  c: Circulation,
  ctx: CirculationContext,
  termOk: boolean,
  v: RuleViolation[],
): Mu4 {
  const { contract } = ctx;
  if (c.plots.length === 0) {
    v.push(violation('CIRCULATION_HAS_NO_PLOTS', 'plots', 'A circulation covers at least one plot.'));
  }
  for (const code of duplicates(c.plots.map((p) => p.plotCode))) {
    v.push(violation('PLOT_CODE_DUPLICATE', 'plots', `Plot ${code} is listed more than once.`));
  }
  // A re-circulation passes on part of the transferee's right, which the first circulation already
  // counted against the plot; its own bound is the parent's area (checked with the parent).
  const competitors =
    termOk && c.parentCirculationId === undefined
      ? ctx.existing.filter(
          (o) =>
            o.id !== c.id &&
            o.contractId === contract.id &&
            o.status === 'ACTIVE' &&
            o.parentCirculationId === undefined &&
            termsOverlap({ start: o.termStart, end: o.termEnd }, { start: c.termStart, end: c.termEnd }),
        )
      : [];

  let total = 0;
  c.plots.forEach((cp, i) => {
    const path = `plots[${i}]`;
    const plot = contract.plots.find((p) => p.code === cp.plotCode);
    if (plot === undefined) {
      v.push(
        violation(
          'PLOT_NOT_IN_CONTRACT',
          `${path}.plotCode`,
          `Plot ${cp.plotCode} is not a plot of this contract.`,
        ),
      );
    }
    if (!Number.isSafeInteger(cp.areaMu4) || cp.areaMu4 <= 0) {
      v.push(
        violation('AREA_NOT_POSITIVE', `${path}.areaMu4`, 'The circulated area must be greater than zero.'),
      );
      return;
    }
    total += cp.areaMu4;
    if (plot === undefined) return;
    if (cp.areaMu4 > plot.contractAreaMu4) {
      v.push(
        violation(
          'AREA_EXCEEDS_PLOT',
          `${path}.areaMu4`,
          `${cp.areaMu4 / MU4_PER_MU} mu is more than plot ${plot.code}'s contract area of ${plot.contractAreaMu4 / MU4_PER_MU} mu.`,
        ),
      );
      return;
    }
    const taken = competitors
      .flatMap((o) => o.plots)
      .filter((p) => p.plotCode === cp.plotCode)
      .reduce((sum, p) => sum + p.areaMu4, 0);
    if (taken + cp.areaMu4 > plot.contractAreaMu4) {
      v.push(
        violation(
          'CIRCULATED_AREA_EXCEEDS_PLOT',
          `${path}.areaMu4`,
          `Plot ${plot.code} has ${(plot.contractAreaMu4 - taken) / MU4_PER_MU} mu not yet circulated over this term; ${cp.areaMu4 / MU4_PER_MU} mu was asked.`,
        ),
      );
    }
  });
  return total;
}

function checkTransferee(c: Circulation, contract: Contract, today: LocalDate): RuleViolation[] {
  const t = c.transferee;
  const v: RuleViolation[] = [];
  if (!TRANSFEREE_KINDS.includes(t.kind)) {
    v.push(violation('TRANSFEREE_KIND_UNKNOWN', 'transferee.kind', `Unknown transferee kind '${t.kind}'.`));
  }
  if (t.name.trim() === '') {
    v.push(violation('TRANSFEREE_NAME_REQUIRED', 'transferee.name', 'The transferee is recorded by name.'));
  }
  if (t.kind === 'HOUSEHOLD' && t.householdId === contract.householdId) {
    v.push(
      violation(
        'CIRCULATION_TO_SELF',
        'transferee.householdId',
        'A household cannot circulate a management right to itself.',
      ),
    );
  }
  if (t.kind === 'NON_MEMBER_INDIVIDUAL' && t.memberOfCollective) {
    v.push(
      violation(
        'TRANSFEREE_KIND_MEMBERSHIP_MISMATCH',
        'transferee.memberOfCollective',
        'A non-member individual cannot be marked as a member of the collective.',
      ),
    );
  }

  const needsCreditCode = t.kind === 'ENTERPRISE' || t.kind === 'COOPERATIVE';
  const needsResidentId = t.kind === 'HOUSEHOLD' || t.kind === 'NON_MEMBER_INDIVIDUAL';
  if (needsCreditCode && t.creditCode === undefined) {
    v.push(
      violation(
        'TRANSFEREE_CREDIT_CODE_REQUIRED',
        'transferee.creditCode',
        `A ${t.kind} is identified by its unified social credit code.`,
      ),
    );
  }
  if (needsResidentId && t.residentId === undefined) {
    v.push(
      violation(
        'TRANSFEREE_RESIDENT_ID_REQUIRED',
        'transferee.residentId',
        `A ${t.kind} is identified by a resident ID number.`,
      ),
    );
  }
  if (t.kind === 'FAMILY_FARM' && t.creditCode === undefined && t.residentId === undefined) {
    v.push(
      violation(
        'TRANSFEREE_IDENTIFIER_REQUIRED',
        'transferee',
        "A family farm is identified by its credit code or its operator's resident ID number.",
      ),
    );
  }
  if (t.creditCode !== undefined) {
    const checked = validateCreditCode(t.creditCode, 'transferee.creditCode');
    if (!checked.ok) v.push(...checked.violations);
  }
  if (t.residentId !== undefined) {
    const checked = validateResidentId(t.residentId, 'transferee.residentId', today);
    if (!checked.ok) v.push(...checked.violations);
  }
  return v;
}

function checkRecirculation(
  c: Circulation,
  parent: Circulation | undefined,
  termOk: boolean,
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (parent === undefined || parent.id !== c.parentCirculationId) {
    return [
      violation(
        'PARENT_CIRCULATION_REQUIRED',
        'parentCirculationId',
        'A re-circulation is checked against the circulation it derives from, which was not given.',
      ),
    ];
  }
  if (c.contractorConsent === undefined) {
    v.push(
      violation(
        'RECIRCULATION_CONSENT_REQUIRED',
        'contractorConsent',
        "Re-circulating (再流转) a management right needs the contractor's written consent (LCL Art 46).",
      ),
    );
  }
  if (parent.status !== 'ACTIVE') {
    v.push(
      violation(
        'PARENT_CIRCULATION_NOT_ACTIVE',
        'parentCirculationId',
        `The circulation it derives from is ${parent.status}.`,
      ),
    );
  }
  if (
    termOk &&
    (compareDates(c.termEnd, parent.termEnd) > 0 || compareDates(c.termStart, parent.termStart) < 0)
  ) {
    v.push(
      violation(
        'CIRCULATION_TERM_BEYOND_PARENT',
        'termEnd',
        `A re-circulation stays within ${parent.termStart} to ${parent.termEnd}, the term the transferee holds.`,
      ),
    );
  }
  c.plots.forEach((cp, i) => {
    const held = parent.plots.find((p) => p.plotCode === cp.plotCode);
    if (held === undefined || cp.areaMu4 > held.areaMu4) {
      v.push(
        violation(
          'AREA_EXCEEDS_PARENT_CIRCULATION',
          `plots[${i}].areaMu4`,
          `The transferee holds ${held === undefined ? 0 : held.areaMu4 / MU4_PER_MU} mu of plot ${cp.plotCode}; it cannot pass on more.`,
        ),
      );
    }
  });
  return v;
}

/** The review level the highest exceeded tier asks, or `undefined` below every tier. */
export function reviewLevelFor(areaMu4: Mu4, policy: CirculationPolicy): ReviewLevel | undefined {
  let level: ReviewLevel | undefined;
  for (const tier of policy.reviewTiers) {
    if (
      areaMu4 > tier.aboveMu4 &&
      (level === undefined || REVIEW_LEVEL_RANK[tier.level] > REVIEW_LEVEL_RANK[level])
    ) {
      level = tier.level;
    }
  }
  return level;
}

// A review by a higher level than required satisfies the requirement: the city can decide what a
// township could.
function checkReviews(c: Circulation, level: ReviewLevel, areaMu4: Mu4): RuleViolation[] {
  const v: RuleViolation[] = [];
  for (const kind of ['QUALIFICATION', 'PROJECT'] as const) {
    const done = c.reviews.some(
      (r) => r.kind === kind && r.approved && REVIEW_LEVEL_RANK[r.level] >= REVIEW_LEVEL_RANK[level],
    );
    if (!done) {
      v.push(
        violation(
          'CIRCULATION_REVIEW_REQUIRED',
          'reviews',
          `${areaMu4 / MU4_PER_MU} mu to ${c.transferee.kind} needs an approved ${level.toLowerCase()}-level ${kind.toLowerCase()} review (分级资格审查和项目审核).`,
        ),
      );
    }
  }
  return v;
}

/**
 * A circulation still marked ACTIVE whose term has run out by `asOf` has expired (到期): the same
 * boundary as `activeCirculationsOn` — in effect up to, not on, its term end date. Terminated and
 * already expired circulations do not expire again.
 */
export function isCirculationExpired(c: Pick<Circulation, 'status' | 'termEnd'>, asOf: LocalDate): boolean {
  return c.status === 'ACTIVE' && compareDates(asOf, c.termEnd) >= 0;
}

/** Circulations in effect on `date` (active and within their term). */
export function activeCirculationsOn(circulations: readonly Circulation[], date: LocalDate): Circulation[] {
  return circulations.filter(
    (c) => c.status === 'ACTIVE' && compareDates(c.termStart, date) <= 0 && compareDates(date, c.termEnd) < 0,
  );
}

/**
 * Grounds on which the contractor may end a circulation early (LCL Art 42): the transferee changed
 * the agricultural use, left the land idle two consecutive years or more, seriously damaged the land
 * or its ecology, or committed another serious breach. The issuer (Art 64) may demand it on the
 * first three only.
 */
export type EarlyTerminationGround =
  | 'CHANGED_AGRICULTURAL_USE'
  | 'IDLE_TWO_YEARS'
  | 'SERIOUS_DAMAGE'
  | 'OTHER_SERIOUS_BREACH';

const CONTRACTOR_GROUNDS: readonly EarlyTerminationGround[] = [
  'CHANGED_AGRICULTURAL_USE',
  'IDLE_TWO_YEARS',
  'SERIOUS_DAMAGE',
  'OTHER_SERIOUS_BREACH',
];
const ISSUER_GROUNDS: readonly EarlyTerminationGround[] = [
  'CHANGED_AGRICULTURAL_USE',
  'IDLE_TWO_YEARS',
  'SERIOUS_DAMAGE',
];

export interface EarlyTerminationRequest {
  circulation: Circulation;
  /** Text from the edge: anything outside {@link EarlyTerminationGround} is refused by rule, not by type. */
  ground: string;
  by: 'CONTRACTOR' | 'ISSUER';
  date: LocalDate;
  evidenceRef: string;
  /** Needed for `IDLE_TWO_YEARS`: the abandonment reports that prove it. */
  abandonmentReports?: readonly AbandonmentReport[];
}

/** The circulation as terminated, or why it may not be ended early. */
export function terminateCirculationEarly(req: EarlyTerminationRequest): Checked<Circulation> {
  const { circulation: c } = req;
  const v: RuleViolation[] = [];
  const allowed = req.by === 'ISSUER' ? ISSUER_GROUNDS : CONTRACTOR_GROUNDS;
  if (!(allowed as readonly string[]).includes(req.ground)) {
    v.push(
      violation(
        'CIRCULATION_EARLY_TERMINATION_GROUND',
        'ground',
        `The ${req.by.toLowerCase()} may end a circulation early only for ${allowed.join(', ')}; '${req.ground}' is not a ground.`,
      ),
    );
  }
  if (c.status !== 'ACTIVE') {
    v.push(
      violation('CIRCULATION_NOT_ACTIVE', 'circulation.status', `The circulation is already ${c.status}.`),
    );
  } else if (compareDates(req.date, c.termEnd) >= 0) {
    v.push(
      violation(
        'CIRCULATION_ALREADY_ENDED',
        'date',
        `The circulation ran out on ${c.termEnd}; there is nothing to end early on ${req.date}.`,
      ),
    );
  }
  if (req.evidenceRef.trim() === '') {
    v.push(
      violation(
        'TERMINATION_EVIDENCE_REQUIRED',
        'evidenceRef',
        'An early termination cites the document that establishes its ground.',
      ),
    );
  }
  if (req.ground === 'IDLE_TWO_YEARS' && c.status === 'ACTIVE') {
    const finding = shouldTerminateCirculationForIdleness(req.abandonmentReports ?? [], c, req.date);
    if (!finding.terminate) {
      v.push(
        violation(
          'IDLENESS_NOT_ESTABLISHED',
          'abandonmentReports',
          `No abandonment report shows a plot of this circulation idle two consecutive years by ${req.date}.`,
        ),
      );
    }
  }
  return collect(v, { ...c, status: 'TERMINATED', terminatedOn: req.date });
}
