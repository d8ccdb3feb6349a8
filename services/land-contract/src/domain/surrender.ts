import {
  addMonths,
  type Checked,
  collect,
  compareDates,
  type Fen,
  formatMu,
  isLocalDate,
  type LocalDate,
  MU4_PER_MU,
  type Mu4,
  type RuleViolation,
  roundHalfUpDiv,
  violation,
} from '@pingquan/reference';
import { activeCirculationsOn } from './circulation.js';
import { assertTransition, checkInForce } from './contract-rules.js';
import { checkNotEncumbered } from './encumbrance.js';
import type { Circulation, Contract, Encumbrance, Household, Plot, RecordedAct } from './model.js';
import type { PolicyVersion } from './policy.js';
import { contractAreaMu4, type RemainingTerm, remainingTerm } from './term.js';

/** 提前半年以书面形式通知发包方 (LCL Art 30): fixed by law. */
export const SURRENDER_NOTICE_MONTHS = 6;

/** A year in the remaining-term fraction: 365 days, leap year or not, so equal stretches pay equally. */
export const DAYS_PER_COMPENSATION_YEAR = 365;

/**
 * Surrender compensation (退出补偿) — the plan says "paid" and the law says improvements are
 * compensated, but the price is the city's: a versioned policy.
 * Formula: area_mu × per_mu_annual_price_fen × remaining_years + soil_improvement_fen.
 */
export interface SurrenderCompensationPolicy extends PolicyVersion {
  perMuAnnualPriceFen: Fen;
}

/** Placeholder price (300 yuan per mu and year, near local rents) until the bureau sets its own. */
export const DEFAULT_SURRENDER_COMPENSATION_POLICY: SurrenderCompensationPolicy = {
  version: 'surrender-default-1',
  effectiveFrom: '2023-06-01',
  perMuAnnualPriceFen: 30_000,
};

export interface FormulaTerm {
  name:
    | 'area_mu'
    | 'per_mu_annual_price_fen'
    | 'remaining_years'
    | 'soil_improvement_fen'
    | 'land_compensation_fen';
  /** Exact value as text (mu with 4 decimals, years as whole + days/365 and as a 4-decimal number). */
  value: string;
  note: string;
}

/** The amount and how it was reached, for the API to show beside the amount. */
export interface CompensationBreakdown {
  policyVersion: string;
  formula: string;
  terms: FormulaTerm[];
  remaining: RemainingTerm;
  landCompensationFen: Fen;
  soilImprovementFen: Fen;
  amountFen: Fen;
  /** One line: `1.5000 mu × 30000 fen × (4 + 120/365) years + 5000 fen = 199932 fen`. */
  text: string;
}

export const SURRENDER_FORMULA = 'area_mu × per_mu_annual_price_fen × remaining_years + soil_improvement_fen';

/**
 * Remaining years run from the surrender date to the term end: whole calendar years, plus the
 * leftover days as a fraction of 365. The land part is computed exactly and rounded half up to a
 * whole fen once; the soil improvement is already whole fen and is added as is.
 */
export function computeSurrenderCompensation(
  areaMu4: Mu4,
  surrenderDate: LocalDate,
  termEnd: LocalDate,
  soilImprovementFen: Fen,
  policy: SurrenderCompensationPolicy = DEFAULT_SURRENDER_COMPENSATION_POLICY,
): CompensationBreakdown {
  const remaining = remainingTerm(surrenderDate, termEnd);
  const yearDays = BigInt(remaining.wholeYears * DAYS_PER_COMPENSATION_YEAR + remaining.extraDays);
  const landCompensationFen = roundHalfUpDiv(
    BigInt(areaMu4) * BigInt(policy.perMuAnnualPriceFen) * yearDays,
    BigInt(MU4_PER_MU) * BigInt(DAYS_PER_COMPENSATION_YEAR),
  );
  const amountFen = landCompensationFen + soilImprovementFen;
  const yearsDecimal = formatMu(
    roundHalfUpDiv(yearDays * BigInt(MU4_PER_MU), BigInt(DAYS_PER_COMPENSATION_YEAR)),
  );
  const yearsText = `${remaining.wholeYears} + ${remaining.extraDays}/${DAYS_PER_COMPENSATION_YEAR}`;
  return {
    policyVersion: policy.version,
    formula: SURRENDER_FORMULA,
    terms: [
      { name: 'area_mu', value: formatMu(areaMu4), note: 'contract area of the surrendered plots' },
      {
        name: 'per_mu_annual_price_fen',
        value: String(policy.perMuAnnualPriceFen),
        note: `policy ${policy.version}`,
      },
      {
        name: 'remaining_years',
        value: `${yearsText} = ${yearsDecimal}`,
        note: `whole years plus days/${DAYS_PER_COMPENSATION_YEAR} from ${surrenderDate} to ${termEnd}`,
      },
      {
        name: 'soil_improvement_fen',
        value: String(soilImprovementFen),
        note: 'assessed investment that raised the land',
      },
      {
        name: 'land_compensation_fen',
        value: String(landCompensationFen),
        note: 'rounded half up to a whole fen',
      },
    ],
    remaining,
    landCompensationFen,
    soilImprovementFen,
    amountFen,
    text: `${formatMu(areaMu4)} mu × ${policy.perMuAnnualPriceFen} fen × (${yearsText}) years + ${soilImprovementFen} fen = ${amountFen} fen`,
  };
}

export interface SurrenderNotice {
  givenOn: LocalDate;
  written: boolean;
  reference: string;
}

export interface SurrenderRequest {
  contract: Contract;
  household: Household;
  surrenderDate: LocalDate;
  notice: SurrenderNotice;
  /** The household's own free choice. */
  voluntary: boolean;
  /**
   * Whether the surrender was made a condition of an urban hukou. Recorded so that the answer is on
   * file; the law forbids it, so `true` is refused.
   */
  hukouCondition: boolean;
  /** The household accepts the compensation offered. */
  compensationAgreed: boolean;
  soilImprovementFen: Fen;
  /** 发包方接受 — the issuer's acceptance. */
  issuerAcceptance?: RecordedAct;
  encumbrances: readonly Encumbrance[];
  circulations?: readonly Circulation[];
  policy?: SurrenderCompensationPolicy;
}

/** What stays on file about a surrender: the household may not contract again within `termEnd`. */
export interface SurrenderRecord {
  householdId: string;
  contractId: string;
  issuerCode: string;
  surrenderedOn: LocalDate;
  termEnd: LocalDate;
}

export interface SurrenderOutcome {
  contract: Contract;
  /** Back with the collective, free to be contracted anew. */
  returnedPlots: readonly Plot[];
  compensation: CompensationBreakdown;
  record: SurrenderRecord;
  /** Circulations still running; the issuer stands in the contractor's place until they end. */
  continuingCirculations: Circulation[];
}

/**
 * 自愿有偿退出 (LCL Arts 27, 30): the whole contract goes back to the collective, on six months'
 * written notice, freely, never as the price of an urban hukou, free of mortgages, accepted by the
 * issuer, against the compensation the policy in force computes.
 */
export function surrenderContract(req: SurrenderRequest): Checked<SurrenderOutcome> {
  const { contract, household } = req;
  const policy = req.policy ?? DEFAULT_SURRENDER_COMPENSATION_POLICY;
  const v: RuleViolation[] = [];

  if (contract.householdId !== household.id) {
    v.push(
      violation('CONTRACT_HOUSEHOLD_MISMATCH', 'household', 'The household does not hold this contract.'),
    );
  }
  if (!req.voluntary) {
    v.push(
      violation(
        'SURRENDER_MUST_BE_VOLUNTARY',
        'voluntary',
        'A household may surrender its land only of its own free will.',
      ),
    );
  }
  if (req.hukouCondition) {
    v.push(
      violation(
        'SURRENDER_HUKOU_CONDITION_FORBIDDEN',
        'hukouCondition',
        'Giving up contracted land may never be made a condition for settling in town (LCL Art 27).',
      ),
    );
  }
  if (!req.notice.written) {
    v.push(violation('SURRENDER_NOTICE_WRITTEN', 'notice.written', 'The issuer is notified in writing.'));
  }
  if (req.issuerAcceptance === undefined) {
    v.push(
      violation(
        'SURRENDER_ISSUER_ACCEPTANCE_REQUIRED',
        'issuerAcceptance',
        "The issuer's acceptance is recorded with date and reference.",
      ),
    );
  }
  if (!req.compensationAgreed) {
    v.push(
      violation(
        'SURRENDER_COMPENSATION_NOT_AGREED',
        'compensationAgreed',
        'A paid surrender needs the household to agree the compensation.',
      ),
    );
  }
  if (!Number.isSafeInteger(req.soilImprovementFen) || req.soilImprovementFen < 0) {
    v.push(
      violation('MONEY_NEGATIVE', 'soilImprovementFen', 'The soil improvement is whole fen, zero or more.'),
    );
  }
  if (contract.plots.length === 0) {
    v.push(
      violation('CONTRACT_HAS_NO_PLOTS', 'contract.plots', 'There is no land on this contract to surrender.'),
    );
  }

  const datesOk = isLocalDate(req.surrenderDate) && isLocalDate(req.notice.givenOn);
  if (!datesOk) {
    v.push(
      violation('DATE_INVALID', 'surrenderDate', 'The surrender and notice dates must be YYYY-MM-DD dates.'),
    );
    return { ok: false, violations: v };
  }
  const earliest = addMonths(req.notice.givenOn, SURRENDER_NOTICE_MONTHS);
  if (compareDates(req.surrenderDate, earliest) < 0) {
    v.push(
      violation(
        'SURRENDER_NOTICE_SIX_MONTHS',
        'surrenderDate',
        `Notice given on ${req.notice.givenOn} allows a surrender from ${earliest}, not ${req.surrenderDate}.`,
      ),
    );
  }
  v.push(...checkInForce(contract, req.surrenderDate, 'contract'));
  v.push(...assertTransition(contract.status, 'SURRENDERED', 'contract.status'));
  v.push(...checkNotEncumbered(contract, req.encumbrances, req.surrenderDate, 'contract'));
  if (req.issuerAcceptance !== undefined && compareDates(req.issuerAcceptance.date, req.surrenderDate) > 0) {
    v.push(
      violation(
        'CONSENT_AFTER_ACT',
        'issuerAcceptance.date',
        `Acceptance on ${req.issuerAcceptance.date} comes after the surrender date ${req.surrenderDate}.`,
      ),
    );
  }

  const compensation = computeSurrenderCompensation(
    contractAreaMu4(contract),
    req.surrenderDate,
    contract.termEnd,
    Math.max(0, req.soilImprovementFen),
    policy,
  );
  return collect(v, {
    contract: { ...contract, status: 'SURRENDERED' },
    returnedPlots: contract.plots,
    compensation,
    record: {
      householdId: household.id,
      contractId: contract.id,
      issuerCode: contract.issuerCode,
      surrenderedOn: req.surrenderDate,
      termEnd: contract.termEnd,
    },
    continuingCirculations: activeCirculationsOn(
      (req.circulations ?? []).filter((c) => c.contractId === contract.id),
      req.surrenderDate,
    ),
  });
}

/**
 * `SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT`: a household that gave its land back may not ask for land
 * again within the term it gave up (LCL Art 30) — on `date` before that term's end.
 */
export function checkMayContractAgain(
  household: Pick<Household, 'id'>,
  history: readonly SurrenderRecord[],
  date: LocalDate,
  field = 'householdId',
): RuleViolation[] {
  const blocking = history.find(
    (r) =>
      r.householdId === household.id &&
      compareDates(r.surrenderedOn, date) <= 0 &&
      compareDates(date, r.termEnd) < 0,
  );
  if (blocking === undefined) return [];
  return [
    violation(
      'SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT',
      field,
      `The household surrendered its land on ${blocking.surrenderedOn}; it may not contract again before ${blocking.termEnd}.`,
    ),
  ];
}

export function mayContractAgain(
  household: Pick<Household, 'id'>,
  history: readonly SurrenderRecord[],
  date: LocalDate,
): boolean {
  return checkMayContractAgain(household, history, date).length === 0;
}
