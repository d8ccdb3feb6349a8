import { Events } from '@pingquan/contracts/catalogue';
import type {
  Deal as DealMsg,
  Listing as ListingMsg,
  RegisteredRight as RegisteredRightMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/exchange';
import {
  type CommandContext,
  type EntityManager,
  isUuid,
  NotFoundError,
  newId,
  PermissionDeniedError,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import {
  compareDates,
  isLocalDate,
  type RuleViolation,
  validateVillageCode,
  violation,
} from '@pingquan/reference';
import type { DocumentRef, Party, RightTypeName, TransactionModeName } from '../domain/model.js';
import {
  checkRegistrableRight,
  isRegisteredAtCentre,
  validateDocuments,
  validateParty,
} from '../domain/rights.js';
import { perMuYearFen } from '../domain/valuation.js';
import { DealEntity, type DealRow, ListingEntity, RegisteredRightEntity } from '../persistence/entities.js';
import { assertCentreWrite, assertMayRead, mayReadPublic, seesPersonalData } from './access.js';
import { todayOf } from './context.js';
import { dealToMsg, listingToMsg, registeredRightToMsg } from './mapping.js';
import { invalid, invalidIfAny, nextNumber, refuse, refuseIfAny, yearOf } from './support.js';

const partyJson = (p: Party) => ({
  kind: p.kind,
  name: p.name.trim(),
  idNumber: p.idNumber.trim().toUpperCase(),
  householdId: p.householdId ?? '',
});

function villageViolations(code: string, field: string): RuleViolation[] {
  const checked = validateVillageCode(code, field);
  return checked.ok ? [] : checked.violations;
}

export interface RegisterRightInput {
  rightType: RightTypeName;
  holder: Party;
  villageCode: string;
  description: string;
  areaMu4: number;
  termEnd: string;
  quantity: number;
  evidence: DocumentRef[];
}

/** Registers a right no other service owns (forest right, four-wastes, equipment, …) with its evidence. */
export async function registerRight(
  em: EntityManager,
  ctx: CommandContext,
  input: RegisterRightInput,
): Promise<RegisteredRightMsg> {
  const today = todayOf(ctx);
  const v: RuleViolation[] = [
    ...validateParty(input.holder, 'holder'),
    ...villageViolations(input.villageCode, 'villageCode'),
    ...validateDocuments(input.evidence, 'evidence'),
  ];
  if (!input.description.trim())
    v.push(violation('DESCRIPTION_REQUIRED', 'description', 'Describe the right.'));
  if (!Number.isSafeInteger(input.areaMu4) || input.areaMu4 < 0)
    v.push(violation('AREA_NEGATIVE', 'areaMu4', 'Area is zero or more.'));
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 0)
    v.push(violation('QUANTITY_NEGATIVE', 'quantity', 'Quantity is zero or more.'));
  if (input.termEnd && !isLocalDate(input.termEnd))
    v.push(violation('DATE_FORMAT', 'termEndDate', `'${input.termEnd}' is not a YYYY-MM-DD date.`));
  invalidIfAny(v);
  const township = input.villageCode.slice(0, 9);
  assertCentreWrite(ctx.principal, township);
  const rules = checkRegistrableRight(input.rightType, input.evidence, input.termEnd || undefined);
  if (input.termEnd && compareDates(input.termEnd, today) <= 0)
    rules.push(violation('RIGHT_TERM_ENDED', 'termEndDate', 'The right’s term has already ended.'));
  refuseIfAny(rules);
  const holder = partyJson(input.holder);
  const row = em.create(RegisteredRightEntity, {
    id: newId(),
    rightType: input.rightType,
    holder,
    holderIdNumber: holder.idNumber,
    townshipCode: township,
    villageCode: input.villageCode,
    description: input.description.trim(),
    areaMu4: input.areaMu4,
    termEnd: input.termEnd || null,
    quantity: input.quantity,
    collectiveProperty: input.holder.kind === 'COLLECTIVE',
    evidence: input.evidence,
    registeredOn: today,
    version: 1,
  });
  const msg = registeredRightToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'registered_right',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: township,
      action: 'right.registered',
      state: msg,
    },
  ]);
  return registeredRightToMsg(row, seesPersonalData(ctx.principal, { townshipCode: township }));
}

export async function getRight(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<RegisteredRightMsg> {
  const row = isUuid(id) ? await em.findOne(RegisteredRightEntity, { id }) : null;
  if (!row) throw new NotFoundError('right', id);
  // A bank checking collateral may read a registered right: it is the security offered to it.
  if (principal.role !== 'COOPERATING_BANK')
    assertMayRead(principal, { townshipCode: row.townshipCode, villageCode: row.villageCode }, 'right', id);
  return registeredRightToMsg(row, seesPersonalData(principal, { townshipCode: row.townshipCode }));
}

export interface ListingInput {
  rightType: RightTypeName;
  rightId: string;
  plotCodes: string[];
  seller: Party;
  villageCode: string;
  collectiveAsset: boolean;
  mode: TransactionModeName;
  areaMu4: number;
  askingPriceFen: number;
  termStart: string;
  termEnd: string;
}

function termViolations(start: string, end: string): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (start && !isLocalDate(start))
    v.push(violation('DATE_FORMAT', 'termStartDate', `'${start}' is not a YYYY-MM-DD date.`));
  if (end && !isLocalDate(end))
    v.push(violation('DATE_FORMAT', 'termEndDate', `'${end}' is not a YYYY-MM-DD date.`));
  if (!v.length && start && end && compareDates(end, start) <= 0)
    v.push(violation('DATE_ORDER', 'termEndDate', 'A term ends after it starts.'));
  return v;
}

/** 挂牌 — a right offered on the exchange; a collective's asset is always a collective asset. */
export async function createListing(
  em: EntityManager,
  ctx: CommandContext,
  input: ListingInput,
): Promise<ListingMsg> {
  const v: RuleViolation[] = [
    ...validateParty(input.seller, 'seller'),
    ...villageViolations(input.villageCode, 'villageCode'),
    ...termViolations(input.termStart, input.termEnd),
  ];
  if (!input.rightId.trim()) v.push(violation('RIGHT_ID_REQUIRED', 'rightId', 'Name the right offered.'));
  if (!Number.isSafeInteger(input.askingPriceFen) || input.askingPriceFen <= 0)
    v.push(violation('MONEY_NOT_POSITIVE', 'askingPriceFen', 'Give the asking price.'));
  if (!Number.isSafeInteger(input.areaMu4) || input.areaMu4 < 0)
    v.push(violation('AREA_NEGATIVE', 'areaMu4', 'Area is zero or more.'));
  invalidIfAny(v);
  const township = input.villageCode.slice(0, 9);
  assertCentreWrite(ctx.principal, township);
  if (isRegisteredAtCentre(input.rightType)) {
    const right = isUuid(input.rightId)
      ? await em.findOne(RegisteredRightEntity, { id: input.rightId })
      : null;
    if (!right || right.rightType !== input.rightType)
      refuse([
        violation('RIGHT_NOT_REGISTERED', 'rightId', 'Register the right at the centre before listing it.'),
      ]);
  }
  const row = em.create(ListingEntity, {
    id: newId(),
    rightType: input.rightType,
    rightId: input.rightId.trim(),
    plotCodes: input.plotCodes,
    seller: partyJson(input.seller),
    townshipCode: township,
    villageCode: input.villageCode,
    collectiveAsset: input.collectiveAsset || input.seller.kind === 'COLLECTIVE',
    mode: input.mode,
    areaMu4: input.areaMu4,
    askingPriceFen: input.askingPriceFen,
    termStart: input.termStart || null,
    termEnd: input.termEnd || null,
    listedOn: todayOf(ctx),
    status: 'OPEN',
    version: 1,
  });
  const msg = listingToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'listing',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: township,
      action: 'listing.created',
      state: msg,
    },
  ]);
  return msg;
}

export interface DealInput {
  listingId: string;
  rightType: RightTypeName;
  rightId: string;
  plotCodes: string[];
  ownerRecordId: string;
  /** Taken from the listing when there is one. */
  seller: Party | undefined;
  buyer: Party;
  villageCode: string;
  collectiveAsset: boolean;
  mode: TransactionModeName;
  areaMu4: number;
  priceFen: number;
  termStart: string;
  termEnd: string;
  dealDate: string;
  disposalId?: string;
}

/**
 * 成交 — records a deal. A collective asset's deal must come from a listing at the centre (应进必进,
 * plan 附件2 二(二)3): COLLECTIVE_ASSET_MUST_GO_THROUGH_CENTRE otherwise.
 */
export async function recordDeal(em: EntityManager, ctx: CommandContext, input: DealInput): Promise<DealRow> {
  const today = todayOf(ctx);
  const listing = input.listingId
    ? isUuid(input.listingId)
      ? await em.findOne(ListingEntity, { id: input.listingId })
      : null
    : undefined;
  if (listing === null)
    invalidIfAny([violation('LISTING_NOT_FOUND', 'listingId', `No listing ${input.listingId}.`)]);
  const villageCode = listing?.villageCode ?? input.villageCode;
  const seller = listing ? { ...listing.seller, kind: listing.seller.kind as Party['kind'] } : input.seller;
  if (!seller)
    invalid([violation('SELLER_REQUIRED', 'seller', 'Name the seller, or record the deal on its listing.')]);
  const v: RuleViolation[] = [
    ...validateParty(seller, 'seller'),
    ...validateParty(input.buyer, 'buyer'),
    ...villageViolations(villageCode, 'villageCode'),
    ...termViolations(input.termStart, input.termEnd),
  ];
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen <= 0)
    v.push(violation('MONEY_NOT_POSITIVE', 'priceFen', 'Give the deal price.'));
  if (!Number.isSafeInteger(input.areaMu4) || input.areaMu4 < 0)
    v.push(violation('AREA_NEGATIVE', 'areaMu4', 'Area is zero or more.'));
  if (!isLocalDate(input.dealDate))
    v.push(violation('DATE_FORMAT', 'dealDate', `'${input.dealDate}' is not a YYYY-MM-DD date.`));
  if (!listing && !input.rightId.trim())
    v.push(violation('RIGHT_ID_REQUIRED', 'rightId', 'Name the right traded.'));
  invalidIfAny(v);
  const township = villageCode.slice(0, 9);
  assertCentreWrite(ctx.principal, township);
  const rules: RuleViolation[] = [];
  const collectiveAsset = listing?.collectiveAsset ?? (input.collectiveAsset || seller.kind === 'COLLECTIVE');
  if (collectiveAsset && !listing) {
    rules.push(
      violation(
        'COLLECTIVE_ASSET_MUST_GO_THROUGH_CENTRE',
        'listingId',
        'A collective asset is traded only through a listing at the exchange centre (应进必进).',
      ),
    );
  }
  if (listing && listing.status !== 'OPEN')
    rules.push(violation('LISTING_NOT_OPEN', 'listingId', `The listing is ${listing.status}.`));
  if (seller.idNumber.toUpperCase() === input.buyer.idNumber.toUpperCase())
    rules.push(violation('BUYER_IS_SELLER', 'buyer', 'A deal has two different parties.'));
  if (compareDates(input.dealDate, today) > 0)
    rules.push(violation('DEAL_IN_FUTURE', 'dealDate', 'A deal is recorded once made.'));
  refuseIfAny(rules);
  const row = em.create(DealEntity, {
    id: newId(),
    listingId: listing?.id ?? null,
    rightType: listing?.rightType ?? input.rightType,
    rightId: listing?.rightId ?? input.rightId.trim(),
    plotCodes: listing?.plotCodes ?? input.plotCodes,
    ownerRecordId: input.ownerRecordId,
    seller: partyJson(seller),
    buyer: partyJson(input.buyer),
    townshipCode: township,
    villageCode,
    collectiveAsset,
    mode: listing?.mode ?? input.mode,
    areaMu4: input.areaMu4 || listing?.areaMu4 || 0,
    priceFen: input.priceFen,
    termStart: input.termStart || listing?.termStart || null,
    termEnd: input.termEnd || listing?.termEnd || null,
    dealDate: input.dealDate,
    status: 'RECORDED',
    certificateNo: null,
    certifiedOn: null,
    fenPerMuYear: 0,
    disposalId: input.disposalId ?? null,
    version: 1,
  });
  row.fenPerMuYear = perMuYearFen(row.priceFen, row.areaMu4, row.termStart ?? '', row.termEnd ?? '');
  if (listing) listing.status = 'DEALT';
  await recordChanges(em, ctx, [
    {
      aggregateType: 'deal',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: township,
      action: 'deal.recorded',
      state: dealToMsg(row, true),
    },
    ...(listing
      ? [
          {
            aggregateType: 'listing',
            aggregateId: listing.id,
            aggregateVersion: listing.version + 1,
            townshipCode: township,
            action: 'listing.dealt',
            state: listingToMsg(listing, true),
          },
        ]
      : []),
  ]);
  return row;
}

/**
 * 交易鉴证 — issues the transaction certificate of a deal, the basis of the collective's accounts, and
 * announces it (TransactionCertified) for the owning services.
 */
export async function certifyDeal(em: EntityManager, ctx: CommandContext, dealId: string): Promise<DealRow> {
  const row = isUuid(dealId) ? await em.findOne(DealEntity, { id: dealId }) : null;
  if (!row) throw new NotFoundError('deal', dealId);
  assertCentreWrite(ctx.principal, row.townshipCode);
  if (row.status !== 'RECORDED')
    refuse([
      violation('DEAL_ALREADY_CERTIFIED', 'dealId', `Certificate ${row.certificateNo} was issued already.`),
    ]);
  const today = todayOf(ctx);
  row.certificateNo = await nextNumber(em, 'JZ', yearOf(today), row.townshipCode);
  row.certifiedOn = today;
  row.status = 'CERTIFIED';
  const masked = dealToMsg(row, false);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'deal',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'deal.certified',
      state: dealToMsg(row, true),
      event: {
        type: Events['property-mortgage'].TransactionCertified,
        payload: {
          dealId: row.id,
          certificateNo: row.certificateNo,
          rightType: masked.rightType,
          rightId: row.rightId,
          ownerRecordId: row.ownerRecordId,
          plotCodes: row.plotCodes,
          // Events leave the service: personal ID numbers travel masked.
          seller: masked.seller,
          buyer: masked.buyer,
          collectiveAsset: row.collectiveAsset,
          mode: masked.mode,
          areaMu4: row.areaMu4,
          priceFen: row.priceFen,
          termStartDate: row.termStart ?? '',
          termEndDate: row.termEnd ?? '',
          certifiedOn: today,
          townshipCode: row.townshipCode,
          villageCode: row.villageCode,
          listingId: row.listingId ?? '',
        },
      },
    },
  ]);
  return row;
}

export function dealMsgFor(principal: Principal, row: DealRow): DealMsg {
  return dealToMsg(row, seesPersonalData(principal, { townshipCode: row.townshipCode }));
}

export async function listDeals(
  em: EntityManager,
  principal: Principal,
  filter: { townshipCode?: string; rightType?: RightTypeName; certifiedOnly: boolean },
  pageSize: number,
  after: string | undefined,
): Promise<{ deals: DealMsg[]; nextCursor: string | undefined; total: number }> {
  if (!mayReadPublic(principal)) throw new PermissionDeniedError();
  const where: Record<string, unknown> = {};
  if (filter.townshipCode) where['townshipCode'] = filter.townshipCode;
  if (filter.rightType) where['rightType'] = filter.rightType;
  if (filter.certifiedOnly) where['status'] = 'CERTIFIED';
  const total = await em.count(DealEntity, where);
  const rows = await em.find(DealEntity, after ? { ...where, id: { $gt: after } } : where, {
    orderBy: { id: 'asc' },
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  return {
    deals: page.map((r) => dealMsgFor(principal, r)),
    nextCursor: rows.length > pageSize ? page[page.length - 1]?.id : undefined,
    total,
  };
}
