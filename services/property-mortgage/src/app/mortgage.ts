import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type { Mortgage as MortgageMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/mortgage';
import {
  type CommandContext,
  type EntityManager,
  isUuid,
  keysetPage,
  NotFoundError,
  newId,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { compareDates, type RuleViolation, violation } from '@pingquan/reference';
import {
  checkCollateralFacts,
  checkCollectivePledge,
  checkCompleteness,
  checkConsents,
  checkSecuredCap,
  existingSecured,
  securedCapFen,
} from '../domain/collateral.js';
import type {
  CollateralFacts,
  CollateralRef,
  DocumentRef,
  LoanStatusName,
  MortgageStatusName,
  Party,
} from '../domain/model.js';
import { STANDING_MORTGAGE } from '../domain/model.js';
import {
  checkBorrowerConditions,
  checkMortgageTerm,
  checkTransition,
  ranking,
  releaseReason,
} from '../domain/mortgage.js';
import { applicableLtvBp } from '../domain/product.js';
import { validateDocuments, validateParty } from '../domain/rights.js';
import { checkValuationBacks } from '../domain/valuation.js';
import {
  type BorrowerConditionsJson,
  type CollateralCheckJson,
  LoanEntity,
  LoanProductEntity,
  type LoanProductRow,
  MortgageEntity,
  type MortgageRow,
  type PartyJson,
  ValuationEntity,
  type ValuationRow,
} from '../persistence/entities.js';
import { ltvCapsPolicy } from '../policies.js';
import {
  assertBankOrCentreWrite,
  assertCentreWrite,
  assertMayRead,
  mayRead,
  scopedWhere,
  seesPersonalData,
} from './access.js';
import { todayOf } from './context.js';
import { collateralOf, collateralToMsg, mortgageToMsg } from './mapping.js';
import { invalidIfAny, lock, nextNumber, policy, refuseIfAny, yearOf } from './support.js';

const partyJson = (p: Party): PartyJson => ({
  kind: p.kind,
  name: p.name.trim(),
  idNumber: p.idNumber.trim().toUpperCase(),
  householdId: p.householdId ?? '',
});

export const rightLockKey = (c: Pick<CollateralRef, 'rightType' | 'rightId'>) =>
  `right:${c.rightType}:${c.rightId}`;

export function checkSnapshot(facts: CollateralFacts, encumberedFen: number): CollateralCheckJson {
  return {
    checkedOn: facts.asOf,
    ownerService: facts.ownerService,
    eligible: facts.eligible,
    ineligibility: facts.ineligibility.map((f) => f.rule),
    holderHouseholdId: facts.holderHouseholdId,
    securableUntil: facts.securableUntil ?? '',
    remainingDays: facts.remainingDays,
    areaMu4: facts.areaMu4,
    encumberedFen,
    collectiveProperty: facts.collectiveProperty,
    heldByTransferee: facts.heldByTransferee,
    townshipCode: facts.townshipCode,
  };
}

/** Mortgages registered here and still standing on the same right (any scope). */
export async function standingOnRight(
  em: EntityManager,
  collateral: Pick<CollateralRef, 'rightType' | 'rightId'>,
): Promise<MortgageRow[]> {
  return em.find(MortgageEntity, {
    rightType: collateral.rightType,
    rightId: collateral.rightId,
    status: { $in: [...STANDING_MORTGAGE] },
  });
}

interface Evaluation {
  violations: RuleViolation[];
  ltvBp: number;
  capFen: number;
  existing: { mortgageIds: string[]; totalFen: number };
}

/**
 * Every rule an application must meet, against what the owner said today: product and right type, a
 * valid valuation of this collateral, the mortgage term, the owner's findings and remaining term, the
 * ban on pledging collective property for others, consents, and valuation × LTV cap over everything
 * already secured. Run at application, at review and again at registration.
 */
async function evaluate(
  em: EntityManager,
  today: string,
  a: {
    product: LoanProductRow;
    valuation: ValuationRow;
    facts: CollateralFacts;
    collateral: CollateralRef;
    mortgagor: Party;
    debtor: Party;
    securedAmountFen: number;
    termEnd: string;
    documents: readonly DocumentRef[];
    excludeMortgageId?: string;
  },
): Promise<Evaluation> {
  const v: RuleViolation[] = [];
  const { product, valuation, facts, collateral } = a;
  if (product.status !== 'ACTIVE')
    v.push(violation('PRODUCT_WITHDRAWN', 'productId', 'The loan product is withdrawn.'));
  if (!product.eligibleRightTypes.includes(collateral.rightType)) {
    v.push(
      violation(
        'RIGHT_TYPE_NOT_ELIGIBLE',
        'collateral.rightType',
        `The product does not lend on ${collateral.rightType}.`,
      ),
    );
  }
  v.push(
    ...checkValuationBacks(
      {
        id: valuation.id,
        collateral: collateralOf(valuation),
        valueFen: valuation.valueFen,
        validUntil: valuation.validUntil,
        bankCreditCode: valuation.bankCreditCode,
      },
      collateral,
      today,
    ),
  );
  if (valuation.bankCreditCode && valuation.bankCreditCode !== product.bankCreditCode) {
    v.push(
      violation(
        'VALUATION_OF_ANOTHER_BANK',
        'valuationId',
        'Another bank’s own valuation cannot back this mortgage.',
      ),
    );
  }
  v.push(...checkMortgageTerm(a.termEnd, today, product.maxTermMonths));
  v.push(...checkCollateralFacts(facts, a.mortgagor, a.termEnd));
  v.push(...checkCollectivePledge(facts.collectiveProperty, a.mortgagor, a.debtor));
  v.push(...checkConsents(collateral, facts, a.documents));
  const caps = (await policy(em, ltvCapsPolicy, today)).value;
  const ltvBp = applicableLtvBp(product.maxLtvBp, collateral.rightType, caps);
  const standing = await standingOnRight(em, collateral);
  const existing = existingSecured(
    collateral,
    standing.map((m) => ({
      mortgageId: m.id,
      collateral: collateralOf(m),
      securedAmountFen: m.securedAmountFen,
    })),
    facts.encumbrances,
    a.excludeMortgageId,
  );
  v.push(
    ...checkSecuredCap({
      valuationFen: valuation.valueFen,
      ltvBp,
      existingFen: existing.totalFen,
      requestedFen: a.securedAmountFen,
    }),
  );
  return { violations: v, ltvBp, capFen: securedCapFen(valuation.valueFen, ltvBp), existing };
}

export interface ApplyInput {
  productId: string;
  mortgagor: Party;
  debtor: Party | undefined;
  collateral: CollateralRef;
  valuationId: string;
  securedAmountFen: number;
  termEnd: string;
  documents: DocumentRef[];
  borrowerConditions: BorrowerConditionsJson;
}

export async function loadProduct(em: EntityManager, productId: string): Promise<LoanProductRow> {
  const product = isUuid(productId) ? await em.findOne(LoanProductEntity, { id: productId }) : null;
  if (!product) invalidIfAny([violation('PRODUCT_NOT_FOUND', 'productId', `No loan product ${productId}.`)]);
  return product as LoanProductRow;
}

async function loadValuation(em: EntityManager, valuationId: string): Promise<ValuationRow> {
  const valuation = isUuid(valuationId) ? await em.findOne(ValuationEntity, { id: valuationId }) : null;
  if (!valuation)
    invalidIfAny([violation('VALUATION_NOT_FOUND', 'valuationId', `No valuation ${valuationId}.`)]);
  return valuation as ValuationRow;
}

/** Shape of an application, before anyone is asked anything. */
export function checkApplicationShape(input: ApplyInput): void {
  const v = [
    ...validateParty(input.mortgagor, 'mortgagor'),
    ...validateDocuments(input.documents, 'documents'),
  ];
  if (input.debtor) v.push(...validateParty(input.debtor, 'debtor'));
  if (!input.collateral.rightId)
    v.push(violation('RIGHT_ID_REQUIRED', 'collateral.rightId', 'Name the right offered.'));
  if (!Number.isSafeInteger(input.securedAmountFen) || input.securedAmountFen <= 0)
    v.push(violation('MONEY_NOT_POSITIVE', 'securedAmountFen', 'The secured amount is greater than zero.'));
  invalidIfAny(v);
}

/**
 * 抵押申请 — accepted only when the owner has confirmed the right (facts), the valuation is valid, the
 * amount fits under valuation × LTV cap and the consents are there. The application changes nothing in
 * the owner: the right is encumbered from registration.
 */
export async function applyForMortgage(
  em: EntityManager,
  ctx: CommandContext,
  facts: CollateralFacts,
  input: ApplyInput,
): Promise<MortgageMsg> {
  checkApplicationShape(input);
  const product = await loadProduct(em, input.productId);
  assertBankOrCentreWrite(ctx.principal, product.bankCreditCode, facts.townshipCode);
  const valuation = await loadValuation(em, input.valuationId);
  const today = todayOf(ctx);
  const collateral: CollateralRef = { ...input.collateral, rightId: facts.rightId };
  const debtor = input.debtor ?? input.mortgagor;
  const result = await evaluate(em, today, {
    product,
    valuation,
    facts,
    collateral,
    mortgagor: input.mortgagor,
    debtor,
    securedAmountFen: input.securedAmountFen,
    termEnd: input.termEnd,
    documents: input.documents,
  });
  refuseIfAny(result.violations);
  const mortgagor = partyJson(input.mortgagor);
  const debtorJson = partyJson(debtor);
  const row = em.create(MortgageEntity, {
    id: newId(),
    applicationNo: await nextNumber(em, 'SQ', yearOf(today), facts.townshipCode),
    status: 'APPLIED',
    productId: product.id,
    bankCreditCode: product.bankCreditCode,
    mortgagor,
    debtor: debtorJson,
    rightType: collateral.rightType,
    rightId: collateral.rightId,
    plotCodes: collateral.plotCodes,
    circulationId: collateral.circulationId,
    townshipCode: facts.townshipCode,
    villageCode: facts.villageCode,
    householdId: mortgagor.householdId || debtorJson.householdId || facts.holderHouseholdId,
    valuationId: valuation.id,
    valuationFen: valuation.valueFen,
    valuationValidUntil: valuation.validUntil,
    ltvBp: result.ltvBp,
    capFen: result.capFen,
    securedAmountFen: input.securedAmountFen,
    termStart: null,
    termEnd: input.termEnd,
    documents: input.documents,
    borrowerConditions: input.borrowerConditions,
    collateralCheck: checkSnapshot(facts, result.existing.totalFen),
    appliedOn: today,
    reviewedOn: null,
    reviewNote: '',
    rejectionRules: [],
    certificateNo: null,
    ranking: 0,
    registeredOn: null,
    filedWith: '',
    filingRef: '',
    filedOn: null,
    releasedOn: null,
    releaseReason: '',
    version: 1,
  });
  const msg = mortgageToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'mortgage',
      aggregateId: row.id,
      aggregateVersion: 1,
      townshipCode: row.townshipCode,
      action: 'mortgage.applied',
      state: msg,
    },
  ]);
  return mortgageToMsg(
    row,
    seesPersonalData(ctx.principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode }),
  );
}

/** Loads a mortgage for a command, locked for the rest of the transaction. */
export async function lockMortgage(em: EntityManager, id: string): Promise<MortgageRow> {
  const row = isUuid(id)
    ? await em.findOne(MortgageEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!row) throw new NotFoundError('mortgage', id);
  return row;
}

/** Reads a mortgage without locking (to learn its collateral before asking the owner). */
export async function findMortgage(
  em: EntityManager,
  principal: Principal,
  id: string,
): Promise<MortgageRow> {
  const row = isUuid(id) ? await em.findOne(MortgageEntity, { id }) : null;
  if (!row) throw new NotFoundError('mortgage', id);
  assertMayRead(
    principal,
    { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode },
    'mortgage',
    id,
  );
  return row;
}

function partyOf(p: PartyJson): Party {
  return { kind: p.kind as Party['kind'], name: p.name, idNumber: p.idNumber, householdId: p.householdId };
}

async function evaluateRow(
  em: EntityManager,
  today: string,
  row: MortgageRow,
  facts: CollateralFacts,
): Promise<Evaluation> {
  const product = await loadProduct(em, row.productId);
  const valuation = await loadValuation(em, row.valuationId);
  return evaluate(em, today, {
    product,
    valuation,
    facts,
    collateral: collateralOf(row),
    mortgagor: partyOf(row.mortgagor),
    debtor: partyOf(row.debtor),
    securedAmountFen: row.securedAmountFen,
    termEnd: row.termEnd,
    documents: row.documents as DocumentRef[],
    excludeMortgageId: row.id,
  });
}

function localFindings(row: MortgageRow, today: string): RuleViolation[] {
  return [
    ...checkCompleteness(collateralOf(row), row.documents as DocumentRef[]),
    ...checkBorrowerConditions(row.borrowerConditions),
    ...(compareDates(today, row.valuationValidUntil) > 0
      ? [violation('VALUATION_EXPIRED', 'valuationId', 'The valuation has expired.')]
      : []),
  ];
}

/**
 * 审核 — the centre reviews an application. Approval re-runs every rule against the owner's answer of
 * today, plus completeness and the borrower conditions; a rule that fails refuses the approval (the
 * reviewer then rejects with a note). Rejection records the rules the centre found.
 */
export async function reviewApplication(
  em: EntityManager,
  ctx: CommandContext,
  facts: CollateralFacts | undefined,
  id: string,
  approve: boolean,
  note: string,
): Promise<MortgageMsg> {
  const row = await lockMortgage(em, id);
  assertCentreWrite(ctx.principal, row.townshipCode);
  refuseIfAny(checkTransition(row.status as MortgageStatusName, approve ? 'APPROVED' : 'REJECTED'));
  const today = todayOf(ctx);
  if (approve) {
    if (!facts) throw new Error('approval needs the owner’s answer');
    const result = await evaluateRow(em, today, row, facts);
    refuseIfAny([...result.violations, ...localFindings(row, today)]);
    row.status = 'APPROVED';
    row.collateralCheck = checkSnapshot(facts, result.existing.totalFen);
    row.ltvBp = result.ltvBp;
    row.capFen = result.capFen;
  } else {
    row.status = 'REJECTED';
    row.rejectionRules = localFindings(row, today).map((f) => f.rule);
  }
  row.reviewedOn = today;
  row.reviewNote = note.trim();
  const msg = mortgageToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'mortgage',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: approve ? 'mortgage.approved' : 'mortgage.rejected',
      state: msg,
    },
  ]);
  return msg;
}

/**
 * 登记 — registers an approved mortgage. The owner is asked again (facts), the valuation must still be
 * valid and the cap must still hold against everything standing on the right now; commands on one right
 * are serialised, so two registrations cannot both take the last of the cap. The certificate number and
 * the ranking are issued and MortgageRegistered is published in the same transaction.
 */
export async function registerMortgage(
  em: EntityManager,
  ctx: CommandContext,
  facts: CollateralFacts,
  id: string,
): Promise<MortgageMsg> {
  const row = await lockMortgage(em, id);
  await lock(em, rightLockKey(collateralOf(row)));
  assertCentreWrite(ctx.principal, row.townshipCode);
  refuseIfAny(checkTransition(row.status as MortgageStatusName, 'REGISTERED'));
  const today = todayOf(ctx);
  const result = await evaluateRow(em, today, row, facts);
  refuseIfAny(result.violations);
  row.status = 'REGISTERED';
  row.certificateNo = await nextNumber(em, 'DJ', yearOf(today), row.townshipCode);
  row.ranking = ranking(result.existing.mortgageIds.length);
  row.registeredOn = today;
  row.termStart = today;
  row.collateralCheck = checkSnapshot(facts, result.existing.totalFen);
  const msg = mortgageToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'mortgage',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'mortgage.registered',
      state: msg,
      effectiveOn: today,
      event: {
        type: Events['property-mortgage'].MortgageRegistered,
        payload: {
          mortgageId: row.id,
          certificateNo: row.certificateNo,
          collateral: collateralToMsg(row),
          mortgageeCreditCode: row.bankCreditCode,
          securedAmountFen: row.securedAmountFen,
          termStartDate: today,
          termEndDate: row.termEnd,
          ranking: row.ranking,
          townshipCode: row.townshipCode,
          registeredOn: today,
        },
      },
    },
  ]);
  return msg;
}

/** 备案 — files the registration with the competent department of the right. */
export async function fileMortgage(
  em: EntityManager,
  ctx: CommandContext,
  id: string,
  filedWith: string,
  filingRef: string,
): Promise<MortgageMsg> {
  invalidIfAny(
    filedWith.trim()
      ? []
      : [violation('FILED_WITH_REQUIRED', 'filedWith', 'Name the department the mortgage is filed with.')],
  );
  const row = await lockMortgage(em, id);
  assertCentreWrite(ctx.principal, row.townshipCode);
  refuseIfAny(checkTransition(row.status as MortgageStatusName, 'FILED'));
  const today = todayOf(ctx);
  row.status = 'FILED';
  row.filedWith = filedWith.trim();
  row.filingRef = filingRef.trim();
  row.filedOn = today;
  const msg = mortgageToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'mortgage',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'mortgage.filed',
      state: msg,
      event: {
        type: Events['property-mortgage'].MortgageFiled,
        payload: {
          mortgageId: row.id,
          certificateNo: row.certificateNo ?? '',
          collateral: collateralToMsg(row),
          filedWith: row.filedWith,
          filingRef: row.filingRef,
          filedOn: today,
          townshipCode: row.townshipCode,
        },
      },
    },
  ]);
  return msg;
}

/**
 * 注销 — releases a standing mortgage once nothing it secures is open, and tells the owner
 * (MortgageReleased) so that the encumbrance is lifted there.
 */
export async function releaseMortgage(
  em: EntityManager,
  ctx: CommandContext,
  id: string,
): Promise<MortgageMsg> {
  const row = await lockMortgage(em, id);
  assertBankOrCentreWrite(ctx.principal, row.bankCreditCode, row.townshipCode);
  refuseIfAny(checkTransition(row.status as MortgageStatusName, 'RELEASED'));
  const loans = await em.find(LoanEntity, { mortgageId: row.id });
  const { reason, violations } = releaseReason(loans.map((l) => l.status as LoanStatusName));
  refuseIfAny(violations);
  const today = todayOf(ctx);
  row.status = 'RELEASED';
  row.releasedOn = today;
  row.releaseReason = reason;
  const msg = mortgageToMsg(row, true);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'mortgage',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.townshipCode,
      action: 'mortgage.released',
      state: msg,
      effectiveOn: today,
      event: {
        type: Events['property-mortgage'].MortgageReleased,
        payload: {
          mortgageId: row.id,
          collateral: collateralToMsg(row),
          releasedOn: today,
          townshipCode: row.townshipCode,
          certificateNo: row.certificateNo ?? '',
          reason,
        },
      },
    },
  ]);
  return mortgageToMsg(
    row,
    seesPersonalData(ctx.principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode }),
  );
}

export function mortgageMsgFor(principal: Principal, row: MortgageRow): MortgageMsg {
  return mortgageToMsg(
    row,
    seesPersonalData(principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode }),
  );
}

export async function getMortgage(
  em: EntityManager,
  principal: Principal,
  idOrNumber: string,
): Promise<MortgageMsg> {
  const row = isUuid(idOrNumber)
    ? await em.findOne(MortgageEntity, { id: idOrNumber })
    : await em.findOne(MortgageEntity, {
        $or: [{ applicationNo: idOrNumber }, { certificateNo: idOrNumber }],
      });
  if (!row) throw new NotFoundError('mortgage', idOrNumber);
  assertMayRead(
    principal,
    { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode },
    'mortgage',
    idOrNumber,
  );
  return mortgageMsgFor(principal, row);
}

export interface MortgageFilter {
  townshipCode?: string;
  bankCreditCode?: string;
  status?: MortgageStatusName;
  rightType?: string;
  rightId?: string;
}

/** Keyset pages on the id (UUIDv7, so in order of application). */
export async function listMortgages(
  em: EntityManager,
  principal: Principal,
  filter: MortgageFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ mortgages: MortgageMsg[]; nextCursor: string | undefined; total: number }> {
  const where = scopedWhere(principal, {
    townshipCode: filter.townshipCode,
    bankCreditCode: filter.bankCreditCode,
    status: filter.status,
    rightType: filter.rightType,
    rightId: filter.rightId,
  });
  if (!where) return { mortgages: [], nextCursor: undefined, total: 0 };
  const {
    rows: page,
    nextCursor,
    total,
  } = await keysetPage(em, MortgageEntity, where, 'id', pageSize, after);
  return {
    mortgages: page.map((r) => mortgageMsgFor(principal, r)),
    nextCursor,
    total,
  };
}

export async function mortgagesByHousehold(
  em: EntityManager,
  principal: Principal,
  householdIds: string[],
): Promise<Map<string, MortgageMsg[]>> {
  const ids = [...new Set(householdIds)].filter(isUuid);
  const result = new Map<string, MortgageMsg[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const rows = await em.find(MortgageEntity, { householdId: { $in: ids } }, { orderBy: { id: 'asc' } });
  for (const row of rows) {
    if (!mayRead(principal, { townshipCode: row.townshipCode, bankCreditCode: row.bankCreditCode })) continue;
    result.get(row.householdId)?.push(mortgageMsgFor(principal, row));
  }
  return result;
}
