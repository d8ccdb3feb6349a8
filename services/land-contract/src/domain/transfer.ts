import {
  type Checked,
  collect,
  compareDates,
  contractModeFromCode,
  type Fen,
  isLocalDate,
  type LocalDate,
  type RuleViolation,
  validateContractCode,
  violation,
} from '@pingquan/reference';
import { assertTransition, checkInForce } from './contract-rules.js';
import { checkNotEncumbered } from './encumbrance.js';
import { isHouseholdExtinct } from './household.js';
import type { Contract, Encumbrance, Household, Plot, RecordedAct } from './model.js';
import { duplicates } from './term.js';

/** Where the transferee's right is written: a new contract, or its existing contract of the same mode. */
export type TransfereeContract =
  | { kind: 'NEW'; id: string; code: string }
  | { kind: 'EXISTING'; contract: Contract };

export interface TransferRequest {
  contract: Contract;
  from: Household;
  to: Household;
  /** Plots transferred; all of them when absent (LCL Art 34 allows all or part). */
  plotCodes?: readonly string[];
  transferDate: LocalDate;
  /** 发包方同意 — the issuer's written consent. */
  issuerConsent?: RecordedAct;
  encumbrances: readonly Encumbrance[];
  /**
   * A household holds at most one contract per mode (the code is household + mode), so a transferee
   * that already holds one gets the plots added to it; otherwise the app allocates id and code.
   */
  transfereeContract: TransfereeContract;
  /** Agreed price, if any: the transfer may be paid (有偿) or not. */
  priceFen?: Fen;
}

export interface TransferOutcome {
  /** TRANSFERRED when every plot went; otherwise the same contract without the transferred plots. */
  transferor: Contract;
  /** The transferee's new or amended contract, covering the remaining term only. */
  transferee: Contract;
  transferredPlots: readonly Plot[];
  partial: boolean;
}

/**
 * 承包权转让 (LCL Arts 34–35): to another household of the same collective, with the issuer's
 * consent, never while a registered mortgage covers the plots. The transferee holds for the
 * remaining term: from the transfer date to the old term end.
 */
export function transferContractRight(req: TransferRequest): Checked<TransferOutcome> {
  const { contract, from, to } = req;
  const v: RuleViolation[] = [];

  if (contract.householdId !== from.id) {
    v.push(
      violation(
        'CONTRACT_HOUSEHOLD_MISMATCH',
        'from',
        'The transferring household does not hold this contract.',
      ),
    );
  }
  if (from.id === to.id) {
    v.push(
      violation('TRANSFER_SAME_HOUSEHOLD', 'to', 'A household cannot transfer its contract right to itself.'),
    );
  }
  if (to.issuerCode !== contract.issuerCode) {
    v.push(
      violation(
        'TRANSFER_OUTSIDE_COLLECTIVE',
        'to',
        `The contract right passes only to another household of collective ${contract.issuerCode}; the transferee belongs to ${to.issuerCode}.`,
      ),
    );
  }
  if (isHouseholdExtinct(to) || to.members.length === 0) {
    v.push(
      violation(
        'TRANSFEREE_HOUSEHOLD_INVALID',
        'to.members',
        'The transferee household must have living members to take up a contract.',
      ),
    );
  }
  if (contract.mode !== 'FAMILY') {
    v.push(
      violation(
        'TRANSFER_FAMILY_CONTRACT_ONLY',
        'contract.mode',
        `Transfer of the contract right (Art 34) concerns family contracts; a ${contract.mode} contract circulates its management right instead.`,
      ),
    );
  }
  if (req.issuerConsent === undefined) {
    v.push(
      violation(
        'TRANSFER_ISSUER_CONSENT_REQUIRED',
        'issuerConsent',
        "A transfer of the contract right needs the issuer's consent, recorded with date and reference.",
      ),
    );
  }
  if (req.priceFen !== undefined && !(Number.isSafeInteger(req.priceFen) && req.priceFen >= 0)) {
    v.push(violation('MONEY_NEGATIVE', 'priceFen', 'The price is whole fen, zero or more.'));
  }
  if (!isLocalDate(req.transferDate)) {
    v.push(violation('DATE_INVALID', 'transferDate', `'${req.transferDate}' is not a YYYY-MM-DD date.`));
    return { ok: false, violations: v };
  }
  v.push(...checkInForce(contract, req.transferDate, 'contract'));
  if (req.issuerConsent !== undefined && compareDates(req.issuerConsent.date, req.transferDate) > 0) {
    v.push(
      violation(
        'CONSENT_AFTER_ACT',
        'issuerConsent.date',
        `Consent given on ${req.issuerConsent.date} cannot authorise a transfer on ${req.transferDate}.`,
      ),
    );
  }

  const codes = req.plotCodes ?? contract.plots.map((p) => p.code);
  v.push(...checkPlotSelection(contract, codes, 'plotCodes'));
  v.push(...checkNotEncumbered(contract, req.encumbrances, req.transferDate, 'contract', codes));

  const moving = contract.plots.filter((p) => codes.includes(p.code));
  const staying = contract.plots.filter((p) => !codes.includes(p.code));
  const partial = staying.length > 0;

  const transferor: Contract = partial
    ? { ...contract, plots: staying }
    : { ...contract, status: 'TRANSFERRED' };
  if (!partial) v.push(...assertTransition(contract.status, 'TRANSFERRED', 'contract.status'));

  const target = req.transfereeContract;
  let transferee: Contract;
  if (target.kind === 'EXISTING') {
    v.push(...checkExistingTransfereeContract(target.contract, contract, to, req.transferDate));
    transferee = { ...target.contract, plots: [...target.contract.plots, ...moving] };
  } else {
    v.push(...checkNewContractCode(target.code, contract, to));
    transferee = {
      id: target.id,
      code: target.code,
      issuerCode: contract.issuerCode,
      householdId: to.id,
      mode: contract.mode,
      termStart: req.transferDate,
      termEnd: contract.termEnd,
      // An extended right passes as extended: the transferee takes over the remainder of the same term.
      status: contract.status,
      plots: moving,
      ...(contract.secondRoundEnd !== undefined ? { secondRoundEnd: contract.secondRoundEnd } : {}),
      adjustmentForbidden: contract.adjustmentForbidden,
    };
  }
  return collect(v, { transferor, transferee, transferredPlots: moving, partial });
}

function checkExistingTransfereeContract(
  existing: Contract,
  contract: Contract,
  to: Household,
  date: LocalDate,
): RuleViolation[] {
  const v: RuleViolation[] = checkInForce(existing, date, 'transfereeContract.contract');
  if (existing.householdId !== to.id || existing.mode !== contract.mode) {
    v.push(
      violation(
        'TRANSFEREE_CONTRACT_MISMATCH',
        'transfereeContract.contract',
        `The existing contract must be the transferee's own ${contract.mode} contract.`,
      ),
    );
  }
  // Adding plots to a contract with another end date would silently lengthen or shorten the right.
  if (existing.termEnd !== contract.termEnd) {
    v.push(
      violation(
        'TRANSFER_TERM_MISMATCH',
        'transfereeContract.contract.termEnd',
        `The transferee's contract ends ${existing.termEnd}, the transferred right ${contract.termEnd}; the plots can only join a contract ending on the same day.`,
      ),
    );
  }
  return v;
}

function checkNewContractCode(code: string, contract: Contract, to: Household): RuleViolation[] {
  const checked = validateContractCode(code, 'transfereeContract.code');
  if (!checked.ok) return checked.violations;
  const v: RuleViolation[] = [];
  if (code.slice(0, 18) !== to.code) {
    v.push(
      violation(
        'CONTRACT_CODE_HOUSEHOLD_MISMATCH',
        'transfereeContract.code',
        `The new contract's code must begin with the transferee's household code ${to.code}.`,
      ),
    );
  }
  if (contractModeFromCode(code) !== contract.mode) {
    v.push(
      violation(
        'CONTRACT_CODE_MODE_MISMATCH',
        'transfereeContract.code',
        `The new contract keeps the mode ${contract.mode}; its code's last digit says otherwise.`,
      ),
    );
  }
  return v;
}

/** Plots named for a transfer, exchange or surrender: present, listed once, of this contract. */
export function checkPlotSelection(
  contract: Contract,
  codes: readonly string[],
  field: string,
): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (codes.length === 0) v.push(violation('PLOTS_REQUIRED', field, 'Name at least one plot.'));
  for (const code of duplicates(codes)) {
    v.push(violation('PLOT_CODE_DUPLICATE', field, `Plot ${code} is listed more than once.`));
  }
  codes.forEach((code, i) => {
    if (!contract.plots.some((p) => p.code === code)) {
      v.push(
        violation(
          'PLOT_NOT_IN_CONTRACT',
          `${field}[${i}]`,
          `Plot ${code} is not a plot of contract ${contract.code}.`,
        ),
      );
    }
  });
  return v;
}

/** One side of an exchange: a household's contract and the plots it gives. */
export interface ExchangeSide {
  contract: Contract;
  household: Household;
  plotCodes: readonly string[];
}

export interface ExchangeRequest {
  a: ExchangeSide;
  b: ExchangeSide;
  date: LocalDate;
  /** 向发包方备案 — filed with the issuer. */
  filing?: RecordedAct;
  encumbrances: readonly Encumbrance[];
}

/**
 * 互换 (LCL Art 33): two households of the same collective swap plots for convenience of farming.
 * Each keeps its own contract and term; only the plots change hands, and the swap is filed.
 */
export function exchangePlots(req: ExchangeRequest): Checked<{ a: Contract; b: Contract }> {
  const { a, b } = req;
  const v: RuleViolation[] = [];
  if (a.household.id === b.household.id) {
    v.push(violation('EXCHANGE_SAME_HOUSEHOLD', 'b.household', 'An exchange is between two households.'));
  }
  if (a.contract.issuerCode !== b.contract.issuerCode || a.household.issuerCode !== b.household.issuerCode) {
    v.push(
      violation(
        'EXCHANGE_OUTSIDE_COLLECTIVE',
        'b.contract',
        'Plots are exchanged only between households of the same collective.',
      ),
    );
  }
  if (req.filing === undefined) {
    v.push(violation('EXCHANGE_FILING_REQUIRED', 'filing', 'An exchange is filed (备案) with the issuer.'));
  }
  for (const [side, name] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    if (side.contract.householdId !== side.household.id) {
      v.push(
        violation(
          'CONTRACT_HOUSEHOLD_MISMATCH',
          `${name}.household`,
          'The household does not hold this contract.',
        ),
      );
    }
    if (side.contract.mode !== 'FAMILY') {
      v.push(
        violation(
          'EXCHANGE_FAMILY_CONTRACT_ONLY',
          `${name}.contract.mode`,
          'Exchange (Art 33) is between family contracts.',
        ),
      );
    }
    if (isLocalDate(req.date)) {
      v.push(...checkInForce(side.contract, req.date, `${name}.contract`));
      v.push(
        ...checkNotEncumbered(side.contract, req.encumbrances, req.date, `${name}.plotCodes`, side.plotCodes),
      );
    }
    v.push(...checkPlotSelection(side.contract, side.plotCodes, `${name}.plotCodes`));
  }
  if (!isLocalDate(req.date))
    v.push(violation('DATE_INVALID', 'date', `'${req.date}' is not a YYYY-MM-DD date.`));

  const give = (side: ExchangeSide) => side.contract.plots.filter((p) => side.plotCodes.includes(p.code));
  const keep = (side: ExchangeSide) => side.contract.plots.filter((p) => !side.plotCodes.includes(p.code));
  return collect(v, {
    a: { ...a.contract, plots: [...keep(a), ...give(b)] },
    b: { ...b.contract, plots: [...keep(b), ...give(a)] },
  });
}
