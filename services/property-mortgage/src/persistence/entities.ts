import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type {
  Appraiser,
  MarketComparable,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/valuation';
import type { Installment } from '../domain/model.js';

// Persistence mapping of the exchange centre (tables in ../migrations). Aggregates reference each other
// by id, without ORM relations: a use case loads what it needs and the domain works on plain data.
// Parties, documents and a loan's schedule are stored as JSON inside their aggregate: they are never
// queried on their own and always change with it.

/** Stored shapes of the JSON columns. */
export interface PartyJson {
  kind: string;
  name: string;
  idNumber: string;
  householdId: string;
}
export interface DocumentJson {
  kind: string;
  number: string;
  title: string;
  issuedBy: string;
  issuedOn: string;
}
export interface CollateralCheckJson {
  checkedOn: string;
  ownerService: string;
  eligible: boolean;
  ineligibility: string[];
  holderHouseholdId: string;
  securableUntil: string;
  remainingDays: number;
  areaMu4: number;
  encumberedFen: number;
  collectiveProperty: boolean;
  heldByTransferee: boolean;
  townshipCode: string;
}
export interface BorrowerConditionsJson {
  fullCivilCapacity: boolean;
  noBadCredit: boolean;
  rightUndisputed: boolean;
  certificateHeld: boolean;
  creditReportRef: string;
}
export interface SharesJson {
  fundFen: number;
  bankFen: number;
  insurerFen: number;
  guarantorFen: number;
}

/** A right no other service owns, registered here with its evidence. */
export const RegisteredRightEntity = defineEntity({
  name: 'RegisteredRight',
  tableName: 'registered_right',
  properties: (p) => ({
    id: p.uuid().primary(),
    rightType: p.string().index(),
    holder: p.json<PartyJson>(),
    holderIdNumber: p.string().index(),
    townshipCode: p.string().length(9).index(),
    villageCode: p.string().length(12),
    description: p.string(),
    areaMu4: p.bigint('number'),
    termEnd: p.date().nullable(),
    quantity: p.bigint('number'),
    collectiveProperty: p.boolean(),
    evidence: p.json<DocumentJson[]>(),
    registeredOn: p.date(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type RegisteredRightRow = InferEntity<typeof RegisteredRightEntity>;

/** 基准价格 — one published version of a benchmark price. */
export const BenchmarkPriceEntity = defineEntity({
  name: 'BenchmarkPrice',
  tableName: 'benchmark_price',
  properties: (p) => ({
    id: p.uuid().primary(),
    rightType: p.string(),
    townshipCode: p.string().length(9),
    year: p.integer(),
    version: p.integer(),
    unit: p.string(),
    priceFen: p.bigint('number'),
    publishedOn: p.date(),
    documentRef: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type BenchmarkPriceRow = InferEntity<typeof BenchmarkPriceEntity>;

/** 评估报告 */
export const ValuationEntity = defineEntity({
  name: 'Valuation',
  tableName: 'valuation',
  properties: (p) => ({
    id: p.uuid().primary(),
    rightType: p.string(),
    rightId: p.string().index(),
    plotCodes: p.json<string[]>(),
    circulationId: p.string(),
    townshipCode: p.string().length(9),
    method: p.string(),
    basis: p.string(),
    basisNote: p.string(),
    valueFen: p.bigint('number'),
    appraiser: p.json<Appraiser>(),
    valuedOn: p.date(),
    validUntil: p.date(),
    areaMu4: p.bigint('number'),
    benchmarkPriceId: p.uuid().nullable(),
    benchmarkVersion: p.integer(),
    referenceValueFen: p.bigint('number'),
    comparable: p.json<MarketComparable>().nullable(),
    reportNo: p.string(),
    bankCreditCode: p.string(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ValuationRow = InferEntity<typeof ValuationEntity>;

/** 挂牌 */
export const ListingEntity = defineEntity({
  name: 'Listing',
  tableName: 'listing',
  properties: (p) => ({
    id: p.uuid().primary(),
    rightType: p.string(),
    rightId: p.string().index(),
    plotCodes: p.json<string[]>(),
    seller: p.json<PartyJson>(),
    townshipCode: p.string().length(9).index(),
    villageCode: p.string().length(12),
    collectiveAsset: p.boolean(),
    mode: p.string(),
    areaMu4: p.bigint('number'),
    askingPriceFen: p.bigint('number'),
    termStart: p.date().nullable(),
    termEnd: p.date().nullable(),
    listedOn: p.date(),
    status: p.string(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ListingRow = InferEntity<typeof ListingEntity>;

/** 成交 and its transaction certificate (交易鉴证书). */
export const DealEntity = defineEntity({
  name: 'Deal',
  tableName: 'deal',
  properties: (p) => ({
    id: p.uuid().primary(),
    listingId: p.uuid().nullable(),
    rightType: p.string(),
    rightId: p.string().index(),
    plotCodes: p.json<string[]>(),
    ownerRecordId: p.string(),
    seller: p.json<PartyJson>(),
    buyer: p.json<PartyJson>(),
    townshipCode: p.string().length(9).index(),
    villageCode: p.string().length(12),
    collectiveAsset: p.boolean(),
    mode: p.string(),
    areaMu4: p.bigint('number'),
    priceFen: p.bigint('number'),
    termStart: p.date().nullable(),
    termEnd: p.date().nullable(),
    dealDate: p.date(),
    status: p.string(),
    certificateNo: p.string().nullable().unique(),
    certifiedOn: p.date().nullable(),
    fenPerMuYear: p.bigint('number'),
    disposalId: p.uuid().nullable(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type DealRow = InferEntity<typeof DealEntity>;

/** A cooperating bank's loan product. */
export const LoanProductEntity = defineEntity({
  name: 'LoanProduct',
  tableName: 'loan_product',
  properties: (p) => ({
    id: p.uuid().primary(),
    bankCreditCode: p.string().length(18).index(),
    bankName: p.string(),
    name: p.string(),
    eligibleRightTypes: p.json<string[]>(),
    maxLtvBp: p.integer(),
    maxTermMonths: p.integer(),
    minRateBp: p.integer(),
    maxRateBp: p.integer(),
    status: p.string(),
    publishedOn: p.date(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type LoanProductRow = InferEntity<typeof LoanProductEntity>;

/** A mortgage from application to release. */
export const MortgageEntity = defineEntity({
  name: 'Mortgage',
  tableName: 'mortgage',
  properties: (p) => ({
    id: p.uuid().primary(),
    applicationNo: p.string().unique(),
    status: p.string().index(),
    productId: p.uuid(),
    bankCreditCode: p.string().length(18).index(),
    mortgagor: p.json<PartyJson>(),
    debtor: p.json<PartyJson>(),
    rightType: p.string(),
    rightId: p.string().index(),
    plotCodes: p.json<string[]>(),
    circulationId: p.string(),
    townshipCode: p.string().length(9).index(),
    villageCode: p.string(),
    householdId: p.string().index(),
    valuationId: p.uuid(),
    valuationFen: p.bigint('number'),
    valuationValidUntil: p.date(),
    ltvBp: p.integer(),
    capFen: p.bigint('number'),
    securedAmountFen: p.bigint('number'),
    termStart: p.date().nullable(),
    termEnd: p.date(),
    documents: p.json<DocumentJson[]>(),
    borrowerConditions: p.json<BorrowerConditionsJson>(),
    collateralCheck: p.json<CollateralCheckJson>(),
    appliedOn: p.date(),
    reviewedOn: p.date().nullable(),
    reviewNote: p.string(),
    rejectionRules: p.json<string[]>(),
    certificateNo: p.string().nullable().unique(),
    ranking: p.integer(),
    registeredOn: p.date().nullable(),
    filedWith: p.string(),
    filingRef: p.string(),
    filedOn: p.date().nullable(),
    releasedOn: p.date().nullable(),
    releaseReason: p.string(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type MortgageRow = InferEntity<typeof MortgageEntity>;

/** A loan, with its schedule (the installments change only with the loan). */
export const LoanEntity = defineEntity({
  name: 'Loan',
  tableName: 'loan',
  properties: (p) => ({
    id: p.uuid().primary(),
    mortgageId: p.uuid().index(),
    productId: p.uuid(),
    bankCreditCode: p.string().length(18).index(),
    borrower: p.json<PartyJson>(),
    borrowerKey: p.string(),
    nonRetail: p.boolean(),
    rightType: p.string(),
    townshipCode: p.string().length(9).index(),
    villageCode: p.string(),
    householdId: p.string().index(),
    principalFen: p.bigint('number'),
    annualRateBp: p.integer(),
    disbursedOn: p.date(),
    maturityDate: p.date(),
    method: p.string(),
    periodMonths: p.integer(),
    schedule: p.json<Installment[]>(),
    outstandingPrincipalFen: p.bigint('number'),
    interestDueUnpaidFen: p.bigint('number'),
    overdueDays: p.integer(),
    overdueAmountFen: p.bigint('number'),
    classification: p.string(),
    classificationRule: p.string(),
    classifiedAsOf: p.date().nullable(),
    operationalDelayDueDate: p.date().nullable(),
    status: p.string().index(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type LoanRow = InferEntity<typeof LoanEntity>;

export const RepaymentEntity = defineEntity({
  name: 'Repayment',
  tableName: 'repayment',
  properties: (p) => ({
    id: p.uuid().primary(),
    loanId: p.uuid().index(),
    paidOn: p.date(),
    amountFen: p.bigint('number'),
    source: p.string(),
    interestFen: p.bigint('number'),
    principalFen: p.bigint('number'),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type RepaymentRow = InferEntity<typeof RepaymentEntity>;

/** Each change of a loan's category, dated: reports read the category in force on any day. */
export const LoanClassificationEntity = defineEntity({
  name: 'LoanClassification',
  tableName: 'loan_classification',
  properties: (p) => ({
    loanId: p.uuid().primary(),
    asOf: p.date().primary(),
    classification: p.string(),
    rule: p.string(),
    overdueDays: p.integer(),
  }),
});
export type LoanClassificationRow = InferEntity<typeof LoanClassificationEntity>;

export const DisposalEntity = defineEntity({
  name: 'Disposal',
  tableName: 'disposal',
  properties: (p) => ({
    id: p.uuid().primary(),
    loanId: p.uuid().index(),
    mortgageId: p.uuid(),
    rightType: p.string(),
    rightId: p.string(),
    plotCodes: p.json<string[]>(),
    circulationId: p.string(),
    townshipCode: p.string().length(9).index(),
    bankCreditCode: p.string().length(18),
    method: p.string(),
    reservePriceFen: p.bigint('number'),
    depositFen: p.bigint('number'),
    opensOn: p.date(),
    closesOn: p.date(),
    transferTermEnd: p.date().nullable(),
    status: p.string(),
    buyer: p.json<PartyJson>().nullable(),
    priceFen: p.bigint('number'),
    costsFen: p.bigint('number'),
    netProceedsFen: p.bigint('number'),
    appliedInterestFen: p.bigint('number'),
    appliedPrincipalFen: p.bigint('number'),
    surplusFen: p.bigint('number'),
    principalAtDisposalFen: p.bigint('number'),
    interestAtDisposalFen: p.bigint('number'),
    recoveryRateBp: p.integer(),
    completedOn: p.date().nullable(),
    certificateNo: p.string(),
    dealId: p.uuid().nullable(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type DisposalRow = InferEntity<typeof DisposalEntity>;

export const BidEntity = defineEntity({
  name: 'Bid',
  tableName: 'bid',
  properties: (p) => ({
    id: p.uuid().primary(),
    disposalId: p.uuid().index(),
    bidder: p.json<PartyJson>(),
    amountFen: p.bigint('number'),
    depositFen: p.bigint('number'),
    placedAt: p.datetime(),
    winning: p.boolean(),
  }),
});
export type BidRow = InferEntity<typeof BidEntity>;

/** 风险补偿基金 — one row: the balance, kept equal to the ledger's running balance. */
export const FundEntity = defineEntity({
  name: 'Fund',
  tableName: 'fund',
  properties: (p) => ({
    id: p.integer().primary(),
    balanceFen: p.bigint('number'),
    contributionsFen: p.bigint('number'),
    payoutsFen: p.bigint('number'),
    version: p.integer().version(),
  }),
});
export type FundRow = InferEntity<typeof FundEntity>;

export const FundEntryEntity = defineEntity({
  name: 'FundEntry',
  tableName: 'fund_entry',
  properties: (p) => ({
    seq: p.bigint('number').primary().autoincrement(),
    kind: p.string(),
    amountFen: p.bigint('number'),
    balanceAfterFen: p.bigint('number'),
    counterparty: p.string(),
    claimId: p.uuid().nullable(),
    entryDate: p.date(),
    documentRef: p.string(),
  }),
});
export type FundEntryRow = InferEntity<typeof FundEntryEntity>;

export const FundClaimEntity = defineEntity({
  name: 'FundClaim',
  tableName: 'fund_claim',
  properties: (p) => ({
    id: p.uuid().primary(),
    loanId: p.uuid().unique(),
    disposalId: p.uuid(),
    bankCreditCode: p.string().length(18),
    townshipCode: p.string().length(9),
    rightType: p.string(),
    cause: p.string(),
    principalAtDisposalFen: p.bigint('number'),
    interestAtDisposalFen: p.bigint('number'),
    proceedsPrincipalFen: p.bigint('number'),
    proceedsInterestFen: p.bigint('number'),
    recoveriesPrincipalFen: p.bigint('number'),
    recoveriesInterestFen: p.bigint('number'),
    netPrincipalLossFen: p.bigint('number'),
    netInterestLossFen: p.bigint('number'),
    principalShares: p.json<SharesJson>(),
    interestShares: p.json<SharesJson>(),
    fundPayoutFen: p.bigint('number'),
    policyVersion: p.integer(),
    paidOn: p.date(),
    fundBalanceAfterFen: p.bigint('number'),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type FundClaimRow = InferEntity<typeof FundClaimEntity>;

export const entities = [
  RegisteredRightEntity,
  BenchmarkPriceEntity,
  ValuationEntity,
  ListingEntity,
  DealEntity,
  LoanProductEntity,
  MortgageEntity,
  LoanEntity,
  RepaymentEntity,
  LoanClassificationEntity,
  DisposalEntity,
  BidEntity,
  FundEntity,
  FundEntryEntity,
  FundClaimEntity,
];
