import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  FundClaim as FundClaimMsg,
  FundStatement,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/fund';
import {
  type CommandContext,
  type EntityManager,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { compareDates, isLocalDate, type LocalDate, sumFen, violation } from '@pingquan/reference';
import { checkFundBalance, computeClaim } from '../domain/fund.js';
import type { LossCauseName } from '../domain/model.js';
import {
  DisposalEntity,
  FundClaimEntity,
  FundEntity,
  FundEntryEntity,
  type FundRow,
} from '../persistence/entities.js';
import { lossSharingPolicy } from '../policies.js';
import { assertLeadUnit } from './access.js';
import { todayOf } from './context.js';
import { lockLoan } from './loans.js';
import { fundClaimToMsg, fundEntryToMsg, toEnum } from './mapping.js';
import { invalidIfAny, policy, refuse, refuseIfAny } from './support.js';

const FUND_ID = 1;

async function lockFund(em: EntityManager): Promise<FundRow> {
  return em.findOneOrFail(
    FundEntity,
    { id: FUND_ID },
    { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
  );
}

/**
 * The fund's statement: the stored balance, the ledger's totals, and whether they reconcile — the
 * balance equals contributions − payouts, equals the running balance after the last ledger entry.
 */
export async function fundStatement(
  em: EntityManager,
  entries: number,
  asOf: LocalDate,
): Promise<FundStatement> {
  const fund = await em.findOneOrFail(FundEntity, { id: FUND_ID });
  const all = await em.find(FundEntryEntity, {}, { orderBy: { seq: 'asc' } });
  const contributions = sumFen(all.filter((e) => e.amountFen > 0).map((e) => e.amountFen));
  const payouts = -sumFen(all.filter((e) => e.amountFen < 0).map((e) => e.amountFen));
  const last = all[all.length - 1];
  return {
    balanceFen: fund.balanceFen,
    contributionsFen: contributions,
    payoutsFen: payouts,
    reconciled:
      fund.balanceFen === contributions - payouts &&
      fund.contributionsFen === contributions &&
      fund.payoutsFen === payouts &&
      fund.balanceFen === (last?.balanceAfterFen ?? 0),
    entries: entries > 0 ? all.slice(-Math.min(entries, 500)).map(fundEntryToMsg) : [],
    asOfDate: asOf,
  };
}

/** 出资 — money paid into the fund (city finance, cooperating banks, guarantors). */
export async function contributeToFund(
  em: EntityManager,
  ctx: CommandContext,
  input: { amountFen: number; contributor: string; contributedOn: string },
): Promise<FundStatement> {
  const today = todayOf(ctx);
  const on = input.contributedOn || today;
  invalidIfAny([
    ...(Number.isSafeInteger(input.amountFen) && input.amountFen > 0
      ? []
      : [violation('MONEY_NOT_POSITIVE', 'amountFen', 'A contribution is greater than zero.')]),
    ...(input.contributor.trim()
      ? []
      : [violation('CONTRIBUTOR_REQUIRED', 'contributor', 'Name who contributes.')]),
    ...(isLocalDate(on)
      ? []
      : [violation('DATE_FORMAT', 'contributedOn', `'${on}' is not a YYYY-MM-DD date.`)]),
  ]);
  assertLeadUnit(ctx.principal);
  if (compareDates(on, today) > 0)
    refuse([
      violation('CONTRIBUTION_IN_FUTURE', 'contributedOn', 'A contribution is recorded once received.'),
    ]);
  const fund = await lockFund(em);
  fund.balanceFen += input.amountFen;
  fund.contributionsFen += input.amountFen;
  const entry = em.create(FundEntryEntity, {
    kind: 'CONTRIBUTION',
    amountFen: input.amountFen,
    balanceAfterFen: fund.balanceFen,
    counterparty: input.contributor.trim(),
    claimId: null,
    entryDate: on,
    documentRef: ctx.documentRef,
  });
  await em.flush();
  await recordChanges(em, ctx, [
    {
      aggregateType: 'fund',
      aggregateId: String(FUND_ID),
      aggregateVersion: fund.version,
      townshipCode: '',
      action: 'fund.contribution',
      state: { entry: fundEntryToMsg(entry) },
      effectiveOn: on,
    },
  ]);
  return fundStatement(em, 1, today);
}

/**
 * 理赔 — a claim on the fund for the loss left on a loan after its collateral was disposed of. The loss
 * is shared by the policy in force today (ordinary or natural disaster); the fund pays its share only if
 * its balance covers it (CLAIM_OVER_BALANCE otherwise), one claim per loan.
 */
export async function claimCompensation(
  em: EntityManager,
  ctx: CommandContext,
  input: { loanId: string; cause: LossCauseName; insurerRecoveredFen: number; guarantorRecoveredFen: number },
): Promise<FundClaimMsg> {
  assertLeadUnit(ctx.principal);
  const loan = await lockLoan(em, input.loanId);
  if (await em.findOne(FundClaimEntity, { loanId: loan.id }))
    refuse([violation('CLAIM_ALREADY_MADE', 'loanId', 'The fund has already paid a claim for this loan.')]);
  const [disposal] = await em.find(
    DisposalEntity,
    { loanId: loan.id, status: 'COMPLETED' },
    { orderBy: { completedOn: 'desc' }, limit: 1 },
  );
  if (loan.status !== 'CLOSED_WITH_LOSS' || !disposal) {
    refuse([
      violation(
        'CLAIM_BEFORE_DISPOSAL',
        'loanId',
        'A claim is made after the collateral is disposed of and a loss is left.',
      ),
    ]);
  }
  const today = todayOf(ctx);
  const sharing = await policy(em, lossSharingPolicy, today);
  const computed = computeClaim(
    {
      cause: input.cause,
      principalAtDisposalFen: disposal.principalAtDisposalFen,
      interestAtDisposalFen: disposal.interestAtDisposalFen,
      proceedsPrincipalFen: disposal.appliedPrincipalFen,
      proceedsInterestFen: disposal.appliedInterestFen,
      insurerRecoveredFen: input.insurerRecoveredFen,
      guarantorRecoveredFen: input.guarantorRecoveredFen,
    },
    sharing.value,
  );
  if (Array.isArray(computed)) {
    if (computed.some((v) => v.rule === 'MONEY_NEGATIVE')) invalidIfAny(computed);
    refuse(computed);
  }
  const fund = await lockFund(em);
  refuseIfAny(checkFundBalance(fund.balanceFen, computed.fundPayoutFen));
  fund.balanceFen -= computed.fundPayoutFen;
  fund.payoutsFen += computed.fundPayoutFen;
  const share = (s: typeof computed.principalShares) => ({ ...s });
  const claim = em.create(FundClaimEntity, {
    id: newId(),
    loanId: loan.id,
    disposalId: disposal.id,
    bankCreditCode: loan.bankCreditCode,
    townshipCode: loan.townshipCode,
    rightType: loan.rightType,
    cause: input.cause,
    principalAtDisposalFen: disposal.principalAtDisposalFen,
    interestAtDisposalFen: disposal.interestAtDisposalFen,
    proceedsPrincipalFen: disposal.appliedPrincipalFen,
    proceedsInterestFen: disposal.appliedInterestFen,
    recoveriesPrincipalFen: computed.recoveriesPrincipalFen,
    recoveriesInterestFen: computed.recoveriesInterestFen,
    netPrincipalLossFen: computed.netPrincipalLossFen,
    netInterestLossFen: computed.netInterestLossFen,
    principalShares: share(computed.principalShares),
    interestShares: share(computed.interestShares),
    fundPayoutFen: computed.fundPayoutFen,
    policyVersion: sharing.version,
    paidOn: today,
    fundBalanceAfterFen: fund.balanceFen,
  });
  // A payout of zero (e.g. an interest-only loss the fund does not share) leaves no ledger entry.
  if (computed.fundPayoutFen > 0) {
    em.create(FundEntryEntity, {
      kind: 'CLAIM_PAYOUT',
      amountFen: -computed.fundPayoutFen,
      balanceAfterFen: fund.balanceFen,
      counterparty: loan.bankCreditCode,
      claimId: claim.id,
      entryDate: today,
      documentRef: ctx.documentRef,
    });
  }
  const msg = fundClaimToMsg(claim);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'fund_claim',
      aggregateId: claim.id,
      aggregateVersion: 1,
      townshipCode: claim.townshipCode,
      action: 'fund.claim-paid',
      state: msg,
      event: {
        type: Events['property-mortgage'].FundClaimPaid,
        payload: {
          claimId: claim.id,
          loanId: loan.id,
          bankCreditCode: loan.bankCreditCode,
          cause: toEnum<FundClaimMsg['cause']>('LOSS_CAUSE_', input.cause),
          netPrincipalLossFen: claim.netPrincipalLossFen,
          netInterestLossFen: claim.netInterestLossFen,
          fundPayoutFen: claim.fundPayoutFen,
          fundBalanceAfterFen: claim.fundBalanceAfterFen,
          policyVersion: claim.policyVersion,
          paidOn: today,
          townshipCode: claim.townshipCode,
        },
      },
    },
  ]);
  return msg;
}

/**
 * The fund's statement and claims. The centre and those who read everything see all of it; a bank sees
 * the balance and its own claims.
 */
export async function getFundStatement(
  em: EntityManager,
  principal: Principal,
  entries: number,
  today: LocalDate,
): Promise<{ statement: FundStatement; claims: FundClaimMsg[] }> {
  const everything =
    ['LEADING_GROUP', 'AUDITOR', 'SERVICE'].includes(principal.role) ||
    (principal.role === 'LEAD_UNIT' && principal.track === 'B');
  if (!everything && principal.role !== 'COOPERATING_BANK') throw new PermissionDeniedError();
  const statement = await fundStatement(em, everything ? entries : 0, today);
  const claims = await em.find(FundClaimEntity, everything ? {} : { bankCreditCode: principal.bank ?? '' }, {
    orderBy: { paidOn: 'asc', id: 'asc' },
  });
  return { statement, claims: claims.map(fundClaimToMsg) };
}
