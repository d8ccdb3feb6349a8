import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type { Disposal as DisposalMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/disposal';
import type { Loan as LoanMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import {
  type CommandContext,
  type EntityManager,
  isUuid,
  NotFoundError,
  newId,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { compareDates, isLocalDate, violation } from '@pingquan/reference';
import { checkBid, checkStartDisposal, settle } from '../domain/disposal.js';
import type {
  CollateralFacts,
  DisposalMethodName,
  DisposalStatusName,
  LoanClassName,
  LoanStatusName,
  Party,
  RightTypeName,
} from '../domain/model.js';
import { validateParty } from '../domain/rights.js';
import { applyProceeds, loanPosition } from '../domain/schedule.js';
import {
  BidEntity,
  type BidRow,
  DisposalEntity,
  type DisposalRow,
  LoanEntity,
  type LoanRow,
  MortgageEntity,
  RepaymentEntity,
} from '../persistence/entities.js';
import { assertBankOrCentreWrite, assertCentreWrite, assertMayRead, seesPersonalData } from './access.js';
import { todayOf } from './context.js';
import { loanMsgFor, lockLoan, refreshPosition, repaymentsOf } from './loans.js';
import { collateralOf, collateralToMsg, disposalToMsg, partyToMsg } from './mapping.js';
import { certifyDeal, recordDeal } from './rights.js';
import { invalidIfAny, refuse, refuseIfAny } from './support.js';

const partyJson = (p: Party) => ({
  kind: p.kind,
  name: p.name.trim(),
  idNumber: p.idNumber.trim().toUpperCase(),
  householdId: p.householdId ?? '',
});

function msgFor(principal: Principal, row: DisposalRow, bids: readonly BidRow[]): DisposalMsg {
  return disposalToMsg(
    row,
    bids,
    seesPersonalData(principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode }),
  );
}

export interface StartDisposalInput {
  loanId: string;
  method: DisposalMethodName;
  reservePriceFen: number;
  depositFen: number;
  opensOn: string;
  closesOn: string;
  transferTermEnd: string;
}

/** The loan a disposal is for, read without locking (to learn its collateral before asking the owner). */
export async function loanForDisposal(em: EntityManager, loanId: string): Promise<LoanRow> {
  const row = isUuid(loanId) ? await em.findOne(LoanEntity, { id: loanId }) : null;
  if (!row) throw new NotFoundError('loan', loanId);
  return row;
}

export async function collateralOfLoan(em: EntityManager, loan: LoanRow) {
  const mortgage = await em.findOneOrFail(MortgageEntity, { id: loan.mortgageId });
  return { mortgage, collateral: collateralOf(mortgage) };
}

/**
 * 处置 — opens the disposal of a non-performing loan's collateral, after its owner has confirmed what is
 * left of the right (facts): never a family's only home, never beyond the right's remaining term.
 */
export async function startDisposal(
  em: EntityManager,
  ctx: CommandContext,
  facts: CollateralFacts,
  input: StartDisposalInput,
): Promise<DisposalMsg> {
  const loan = await lockLoan(em, input.loanId);
  assertBankOrCentreWrite(ctx.principal, loan.bankCreditCode, loan.townshipCode);
  const { mortgage, collateral } = await collateralOfLoan(em, loan);
  const today = todayOf(ctx);
  const open = await em.findOne(DisposalEntity, { loanId: loan.id, status: 'OPEN' });
  if (open)
    refuse([violation('DISPOSAL_ALREADY_OPEN', 'loanId', `Disposal ${open.id} of this loan is open.`)]);
  const { violations, transferTermEnd } = checkStartDisposal(
    { status: loan.status as LoanStatusName, classification: loan.classification as LoanClassName },
    facts,
    input,
    today,
  );
  invalidIfAny(
    violations.filter((v) =>
      ['DATE_FORMAT', 'MONEY_NOT_POSITIVE', 'DEPOSIT_RANGE', 'DATE_ORDER'].includes(v.rule),
    ),
  );
  refuseIfAny(violations);
  const row = em.create(DisposalEntity, {
    id: newId(),
    loanId: loan.id,
    mortgageId: mortgage.id,
    rightType: collateral.rightType,
    rightId: collateral.rightId,
    plotCodes: collateral.plotCodes,
    circulationId: collateral.circulationId,
    townshipCode: loan.townshipCode,
    bankCreditCode: loan.bankCreditCode,
    method: input.method,
    reservePriceFen: input.reservePriceFen,
    depositFen: input.depositFen,
    opensOn: input.opensOn,
    closesOn: input.closesOn,
    transferTermEnd: transferTermEnd ?? null,
    status: 'OPEN',
    buyer: null,
    priceFen: 0,
    costsFen: 0,
    netProceedsFen: 0,
    appliedInterestFen: 0,
    appliedPrincipalFen: 0,
    surplusFen: 0,
    principalAtDisposalFen: 0,
    interestAtDisposalFen: 0,
    recoveryRateBp: 0,
    completedOn: null,
    certificateNo: '',
    dealId: null,
    version: 1,
  });
  loan.status = 'IN_DISPOSAL';
  await recordChanges(em, ctx, [
    {
      aggregateType: 'disposal',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'disposal.started',
      state: disposalToMsg(row, [], true),
    },
    {
      aggregateType: 'loan',
      aggregateId: loan.id,
      aggregateVersion: loan.version + 1,
      townshipCode: loan.townshipCode,
      action: 'loan.in-disposal',
    },
  ]);
  return msgFor(ctx.principal, row, []);
}

async function lockDisposal(em: EntityManager, id: string): Promise<DisposalRow> {
  const row = isUuid(id)
    ? await em.findOne(DisposalEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!row) throw new NotFoundError('disposal', id);
  return row;
}

/** 竞价 — a bid in an online auction, recorded by the centre's auction platform. */
export async function placeBid(
  em: EntityManager,
  ctx: CommandContext,
  input: { disposalId: string; bidder: Party; amountFen: number; depositPaidFen: number },
): Promise<DisposalMsg> {
  invalidIfAny(validateParty(input.bidder, 'bidder'));
  const row = await lockDisposal(em, input.disposalId);
  assertCentreWrite(ctx.principal, row.townshipCode);
  const bids = await em.find(BidEntity, { disposalId: row.id });
  refuseIfAny(
    checkBid(
      { ...row, status: row.status as DisposalStatusName, method: row.method as DisposalMethodName },
      bids,
      input,
      todayOf(ctx),
    ),
  );
  const bid = em.create(BidEntity, {
    id: newId(),
    disposalId: row.id,
    bidder: partyJson(input.bidder),
    amountFen: input.amountFen,
    depositFen: input.depositPaidFen,
    placedAt: ctx.now,
    winning: false,
  });
  await recordChanges(em, ctx, [
    {
      aggregateType: 'disposal',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'disposal.bid',
      state: { bid: { id: bid.id, amountFen: bid.amountFen, bidder: partyToMsg(bid.bidder, true) } },
    },
  ]);
  return msgFor(ctx.principal, row, [...bids, bid]);
}

/**
 * Closes a disposal. An auction goes to its highest bid (no bid: 流拍, the loan goes back to open); any
 * other method to the agreed buyer and price (a storage company for 收储). The net proceeds pay the loan
 * (interest due, then all principal); the deal is certified (交易鉴证书), CollateralDisposed tells the
 * owner to transfer the right for its remaining term only, and the loan is settled or closed with the
 * loss left for the fund claim.
 */
export async function completeDisposal(
  em: EntityManager,
  ctx: CommandContext,
  input: {
    disposalId: string;
    buyer: Party | undefined;
    priceFen: number;
    costsFen: number;
    completedOn: string;
  },
): Promise<{ disposal: DisposalMsg; loan: LoanMsg }> {
  const row = await lockDisposal(em, input.disposalId);
  assertCentreWrite(ctx.principal, row.townshipCode);
  if (row.status !== 'OPEN')
    refuse([violation('DISPOSAL_NOT_OPEN', 'disposalId', `The disposal is ${row.status}.`)]);
  const today = todayOf(ctx);
  const on = input.completedOn || today;
  if (!isLocalDate(on))
    invalidIfAny([violation('DATE_FORMAT', 'completedOn', `'${on}' is not a YYYY-MM-DD date.`)]);
  if (compareDates(on, today) > 0 || compareDates(on, row.opensOn) < 0)
    refuse([
      violation('COMPLETION_DATE', 'completedOn', 'A disposal completes between its opening and today.'),
    ]);
  const loan = await lockLoan(em, row.loanId);
  const bids = await em.find(BidEntity, { disposalId: row.id });
  let buyer: Party;
  let price: number;
  if (row.method === 'ONLINE_AUCTION') {
    if (compareDates(on, row.closesOn) < 0)
      refuse([
        violation('AUCTION_STILL_OPEN', 'disposalId', `The auction takes bids until ${row.closesOn}.`),
      ]);
    const winner = [...bids].sort((a, b) => b.amountFen - a.amountFen)[0];
    if (!winner) {
      row.status = 'FAILED';
      row.completedOn = on;
      loan.status = 'ACTIVE';
      await recordChanges(em, ctx, [
        {
          aggregateType: 'disposal',
          aggregateId: row.id,
          aggregateVersion: row.version + 1,
          townshipCode: row.townshipCode,
          action: 'disposal.failed',
          state: disposalToMsg(row, bids, true),
        },
      ]);
      return {
        disposal: msgFor(ctx.principal, row, bids),
        loan: loanMsgFor(ctx.principal, loan, await repaymentsOf(em, loan.id)),
      };
    }
    winner.winning = true;
    buyer = { ...winner.bidder, kind: winner.bidder.kind as Party['kind'] };
    price = winner.amountFen;
  } else {
    if (!input.buyer) invalidIfAny([violation('BUYER_REQUIRED', 'buyer', 'Name the buyer of the transfer.')]);
    buyer = input.buyer as Party;
    invalidIfAny(validateParty(buyer, 'buyer'));
    if (row.method === 'STORAGE_ACQUISITION' && buyer.kind !== 'STORAGE_COMPANY')
      refuse([
        violation('BUYER_NOT_STORAGE_COMPANY', 'buyer.kind', '收储 — the buyer is a storage company.'),
      ]);
    if (input.priceFen < row.reservePriceFen)
      refuse([
        violation('PRICE_BELOW_RESERVE', 'priceFen', `The floor price is ${row.reservePriceFen} fen.`),
      ]);
    price = input.priceFen;
  }
  const position = loanPosition(loan.schedule, on);
  const settlement = settle(price, input.costsFen, position);
  if (Array.isArray(settlement)) invalidIfAny(settlement);
  const s = settlement as Exclude<typeof settlement, unknown[]>;
  const applied = applyProceeds(loan.schedule, s.netProceedsFen, on);
  loan.schedule = applied.schedule;
  refreshPosition(loan, on);
  loan.status =
    loan.outstandingPrincipalFen === 0 && loan.interestDueUnpaidFen === 0 ? 'SETTLED' : 'CLOSED_WITH_LOSS';
  const repaid = s.appliedInterestFen + s.appliedPrincipalFen;
  const repayment =
    repaid > 0
      ? em.create(RepaymentEntity, {
          id: newId(),
          loanId: loan.id,
          paidOn: on,
          amountFen: repaid,
          source: 'DISPOSAL',
          interestFen: s.appliedInterestFen,
          principalFen: s.appliedPrincipalFen,
        })
      : undefined;
  // The mortgagor (holder of the right) sells, whoever the debtor was.
  const mortgage = await em.findOneOrFail(MortgageEntity, { id: row.mortgageId });
  const deal = await recordDeal(em, ctx, {
    listingId: '',
    rightType: row.rightType as RightTypeName,
    rightId: row.rightId,
    plotCodes: row.plotCodes,
    ownerRecordId: '',
    seller: { ...mortgage.mortgagor, kind: mortgage.mortgagor.kind as Party['kind'] },
    buyer,
    villageCode: loan.villageCode,
    collectiveAsset: false,
    mode: row.method === 'ONLINE_AUCTION' ? 'AUCTION' : 'TRANSFER',
    areaMu4: mortgage.collateralCheck.areaMu4,
    priceFen: price,
    termStart: on,
    termEnd: row.transferTermEnd ?? '',
    dealDate: on,
    disposalId: row.id,
  });
  const certified = await certifyDeal(em, ctx, deal.id);
  Object.assign(row, {
    status: 'COMPLETED',
    buyer: partyJson(buyer),
    priceFen: price,
    costsFen: input.costsFen,
    netProceedsFen: s.netProceedsFen,
    appliedInterestFen: s.appliedInterestFen,
    appliedPrincipalFen: s.appliedPrincipalFen,
    surplusFen: s.surplusFen,
    principalAtDisposalFen: position.outstandingPrincipalFen,
    interestAtDisposalFen: position.interestDueUnpaidFen,
    recoveryRateBp: s.recoveryRateBp,
    completedOn: on,
    certificateNo: certified.certificateNo ?? '',
    dealId: deal.id,
  });
  const repayments = [
    ...(await repaymentsOf(em, loan.id)).filter((r) => r.id !== repayment?.id),
    ...(repayment ? [repayment] : []),
  ];
  const msg = disposalToMsg(row, bids, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'disposal',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'disposal.completed',
      state: msg,
      effectiveOn: on,
      event: {
        type: Events['property-mortgage'].CollateralDisposed,
        payload: {
          disposalId: row.id,
          loanId: loan.id,
          mortgageId: row.mortgageId,
          collateral: collateralToMsg(row),
          method: msg.method,
          buyer: partyToMsg(row.buyer ?? partyJson(buyer), false),
          priceFen: price,
          transferTermEndDate: row.transferTermEnd ?? '',
          completedOn: on,
          certificateNo: row.certificateNo,
          townshipCode: row.townshipCode,
        },
      },
    },
    {
      aggregateType: 'loan',
      aggregateId: loan.id,
      aggregateVersion: loan.version + 1,
      townshipCode: loan.townshipCode,
      action: loan.status === 'SETTLED' ? 'loan.settled' : 'loan.closed-with-loss',
      effectiveOn: on,
    },
  ]);
  return { disposal: msgFor(ctx.principal, row, bids), loan: loanMsgFor(ctx.principal, loan, repayments) };
}

export async function getDisposal(em: EntityManager, principal: Principal, id: string): Promise<DisposalMsg> {
  const row = isUuid(id) ? await em.findOne(DisposalEntity, { id }) : null;
  if (!row) throw new NotFoundError('disposal', id);
  assertMayRead(
    principal,
    { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode },
    'disposal',
    id,
  );
  return msgFor(principal, row, await em.find(BidEntity, { disposalId: row.id }));
}
