import type {
  Bid as BidMsg,
  Disposal as DisposalMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/disposal';
import type {
  CollateralRef as CollateralRefMsg,
  RightType,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type {
  Deal as DealMsg,
  Listing as ListingMsg,
  RegisteredRight as RegisteredRightMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/exchange';
import type {
  FundClaim as FundClaimMsg,
  FundEntry as FundEntryMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/fund';
import type { Loan as LoanMsg } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import type {
  CollateralCheck as CollateralCheckMsg,
  LoanProduct as LoanProductMsg,
  Mortgage as MortgageMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/mortgage';
import type {
  Document as DocumentMsg,
  Party as PartyMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import type {
  BenchmarkPrice as BenchmarkPriceMsg,
  Valuation as ValuationMsg,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/valuation';
import { isNonPerforming } from '../domain/classification.js';
import type { CollateralRef, LoanClassName, RightTypeName } from '../domain/model.js';
import type {
  BenchmarkPriceRow,
  BidRow,
  CollateralCheckJson,
  DealRow,
  DisposalRow,
  DocumentJson,
  FundClaimRow,
  FundEntryRow,
  ListingRow,
  LoanProductRow,
  LoanRow,
  MortgageRow,
  PartyJson,
  RegisteredRightRow,
  RepaymentRow,
  ValuationRow,
} from '../persistence/entities.js';
import { maskParty } from './access.js';

// Proto enums are prefixed strings (RIGHT_TYPE_FOREST); the domain and the database use the bare name
// (FOREST). These helpers are the only place the two meet.

/** The bare name of a proto enum value, or undefined for UNSPECIFIED, UNRECOGNIZED or a foreign prefix. */
export function fromEnum<T extends string>(
  prefix: string,
  value: string,
  allowed: readonly T[],
): T | undefined {
  if (!value.startsWith(prefix)) return undefined;
  const bare = value.slice(prefix.length);
  return (allowed as readonly string[]).includes(bare) ? (bare as T) : undefined;
}

export function toEnum<M extends string>(prefix: string, value: string): M {
  return `${prefix}${value}` as M;
}

export const rightTypeToMsg = (t: string) => toEnum<RightType>('RIGHT_TYPE_', t);

export function collateralToMsg(c: {
  rightType: string;
  rightId: string;
  plotCodes: readonly string[];
  circulationId: string;
}): CollateralRefMsg {
  return {
    rightType: rightTypeToMsg(c.rightType),
    rightId: c.rightId,
    plotCodes: [...c.plotCodes],
    circulationId: c.circulationId,
  };
}

export function collateralOf(row: {
  rightType: string;
  rightId: string;
  plotCodes: string[];
  circulationId: string;
}): CollateralRef {
  return {
    rightType: row.rightType as RightTypeName,
    rightId: row.rightId,
    plotCodes: row.plotCodes,
    circulationId: row.circulationId,
  };
}

export function partyToMsg(p: PartyJson, unmasked: boolean): PartyMsg {
  const shown = maskParty(p, unmasked);
  return {
    kind: toEnum<PartyMsg['kind']>('PARTY_KIND_', shown.kind),
    name: shown.name,
    idNumber: shown.idNumber,
    householdId: shown.householdId,
  };
}

export function documentToMsg(d: DocumentJson): DocumentMsg {
  return {
    kind: toEnum<DocumentMsg['kind']>('DOCUMENT_KIND_', d.kind),
    number: d.number,
    title: d.title,
    issuedBy: d.issuedBy,
    issuedOn: d.issuedOn,
  };
}

export function registeredRightToMsg(row: RegisteredRightRow, unmasked: boolean): RegisteredRightMsg {
  return {
    id: row.id,
    rightType: rightTypeToMsg(row.rightType),
    holder: partyToMsg(row.holder, unmasked),
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    description: row.description,
    areaMu4: row.areaMu4,
    termEndDate: row.termEnd ?? '',
    collectiveProperty: row.collectiveProperty,
    evidence: row.evidence.map(documentToMsg),
    registeredOn: row.registeredOn,
    quantity: row.quantity,
    version: row.version,
  };
}

export function benchmarkToMsg(row: BenchmarkPriceRow, current: boolean): BenchmarkPriceMsg {
  return {
    id: row.id,
    rightType: rightTypeToMsg(row.rightType),
    townshipCode: row.townshipCode,
    year: row.year,
    version: row.version,
    unit: toEnum<BenchmarkPriceMsg['unit']>('PRICE_UNIT_', row.unit),
    priceFen: row.priceFen,
    publishedOn: row.publishedOn,
    documentRef: row.documentRef,
    current,
  };
}

export function valuationToMsg(row: ValuationRow): ValuationMsg {
  return {
    id: row.id,
    collateral: collateralToMsg(row),
    townshipCode: row.townshipCode,
    method: toEnum<ValuationMsg['method']>('VALUATION_METHOD_', row.method),
    basis: toEnum<ValuationMsg['basis']>('VALUATION_BASIS_', row.basis),
    basisNote: row.basisNote,
    valueFen: row.valueFen,
    appraiser: row.appraiser,
    valuedOn: row.valuedOn,
    validUntilDate: row.validUntil,
    areaMu4: row.areaMu4,
    benchmarkPriceId: row.benchmarkPriceId ?? '',
    benchmarkVersion: row.benchmarkVersion,
    referenceValueFen: row.referenceValueFen,
    comparable: row.comparable ?? undefined,
    reportNo: row.reportNo,
    bankCreditCode: row.bankCreditCode,
    version: row.version,
  };
}

export function listingToMsg(row: ListingRow, unmasked: boolean): ListingMsg {
  return {
    id: row.id,
    rightType: rightTypeToMsg(row.rightType),
    rightId: row.rightId,
    plotCodes: row.plotCodes,
    seller: partyToMsg(row.seller, unmasked),
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    collectiveAsset: row.collectiveAsset,
    mode: toEnum<ListingMsg['mode']>('TRANSACTION_MODE_', row.mode),
    areaMu4: row.areaMu4,
    askingPriceFen: row.askingPriceFen,
    termStartDate: row.termStart ?? '',
    termEndDate: row.termEnd ?? '',
    listedOn: row.listedOn,
    status: toEnum<ListingMsg['status']>('LISTING_STATUS_', row.status),
    version: row.version,
  };
}

export function dealToMsg(row: DealRow, unmasked: boolean): DealMsg {
  return {
    id: row.id,
    listingId: row.listingId ?? '',
    rightType: rightTypeToMsg(row.rightType),
    rightId: row.rightId,
    plotCodes: row.plotCodes,
    ownerRecordId: row.ownerRecordId,
    seller: partyToMsg(row.seller, unmasked),
    buyer: partyToMsg(row.buyer, unmasked),
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    collectiveAsset: row.collectiveAsset,
    mode: toEnum<DealMsg['mode']>('TRANSACTION_MODE_', row.mode),
    areaMu4: row.areaMu4,
    priceFen: row.priceFen,
    termStartDate: row.termStart ?? '',
    termEndDate: row.termEnd ?? '',
    dealDate: row.dealDate,
    status: toEnum<DealMsg['status']>('DEAL_STATUS_', row.status),
    certificateNo: row.certificateNo ?? '',
    certifiedOn: row.certifiedOn ?? '',
    fenPerMuYear: row.fenPerMuYear,
    version: row.version,
    disposalId: row.disposalId ?? '',
  };
}

export function productToMsg(row: LoanProductRow): LoanProductMsg {
  return {
    id: row.id,
    bankCreditCode: row.bankCreditCode,
    bankName: row.bankName,
    name: row.name,
    eligibleRightTypes: row.eligibleRightTypes.map(rightTypeToMsg),
    maxLtvBp: row.maxLtvBp,
    maxTermMonths: row.maxTermMonths,
    minRateBp: row.minRateBp,
    maxRateBp: row.maxRateBp,
    status: toEnum<LoanProductMsg['status']>('PRODUCT_STATUS_', row.status),
    publishedOn: row.publishedOn,
    version: row.version,
  };
}

export function checkToMsg(check: CollateralCheckJson): CollateralCheckMsg {
  return {
    checkedOn: check.checkedOn,
    ownerService: check.ownerService,
    eligible: check.eligible,
    ineligibility: check.ineligibility,
    holderHouseholdId: check.holderHouseholdId,
    securableUntilDate: check.securableUntil,
    remainingDays: check.remainingDays,
    areaMu4: check.areaMu4,
    encumberedFen: check.encumberedFen,
    collectiveProperty: check.collectiveProperty,
    heldByTransferee: check.heldByTransferee,
    townshipCode: check.townshipCode,
  };
}

export function mortgageToMsg(row: MortgageRow, unmasked: boolean): MortgageMsg {
  return {
    id: row.id,
    applicationNo: row.applicationNo,
    status: toEnum<MortgageMsg['status']>('MORTGAGE_STATUS_', row.status),
    productId: row.productId,
    bankCreditCode: row.bankCreditCode,
    mortgagor: partyToMsg(row.mortgagor, unmasked),
    debtor: partyToMsg(row.debtor, unmasked),
    collateral: collateralToMsg(row),
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    valuationId: row.valuationId,
    valuationFen: row.valuationFen,
    valuationValidUntilDate: row.valuationValidUntil,
    ltvBp: row.ltvBp,
    capFen: row.capFen,
    securedAmountFen: row.securedAmountFen,
    termStartDate: row.termStart ?? '',
    termEndDate: row.termEnd,
    documents: row.documents.map(documentToMsg),
    borrowerConditions: row.borrowerConditions,
    collateralCheck: checkToMsg(row.collateralCheck),
    appliedOn: row.appliedOn,
    reviewedOn: row.reviewedOn ?? '',
    reviewNote: row.reviewNote,
    certificateNo: row.certificateNo ?? '',
    ranking: row.ranking,
    registeredOn: row.registeredOn ?? '',
    filedWith: row.filedWith,
    filingRef: row.filingRef,
    filedOn: row.filedOn ?? '',
    releasedOn: row.releasedOn ?? '',
    releaseReason: row.releaseReason,
    version: row.version,
    rejectionRules: row.rejectionRules,
    householdId: row.householdId,
  };
}

export function loanToMsg(row: LoanRow, repayments: readonly RepaymentRow[], unmasked: boolean): LoanMsg {
  const cls = row.classification as LoanClassName;
  return {
    id: row.id,
    mortgageId: row.mortgageId,
    productId: row.productId,
    bankCreditCode: row.bankCreditCode,
    borrower: partyToMsg(row.borrower, unmasked),
    rightType: rightTypeToMsg(row.rightType),
    townshipCode: row.townshipCode,
    villageCode: row.villageCode,
    householdId: row.householdId,
    principalFen: row.principalFen,
    annualRateBp: row.annualRateBp,
    disbursedOn: row.disbursedOn,
    maturityDate: row.maturityDate,
    method: toEnum<LoanMsg['method']>('REPAYMENT_METHOD_', row.method),
    periodMonths: row.periodMonths,
    schedule: row.schedule,
    repayments: [...repayments]
      .sort((a, b) => (a.paidOn === b.paidOn ? a.id.localeCompare(b.id) : a.paidOn.localeCompare(b.paidOn)))
      .map((r) => ({
        id: r.id,
        paidOn: r.paidOn,
        amountFen: r.amountFen,
        source: toEnum<LoanMsg['repayments'][number]['source']>('REPAYMENT_SOURCE_', r.source),
        interestFen: r.interestFen,
        principalFen: r.principalFen,
      })),
    outstandingPrincipalFen: row.outstandingPrincipalFen,
    interestDueUnpaidFen: row.interestDueUnpaidFen,
    overdueDays: row.overdueDays,
    overdueAmountFen: row.overdueAmountFen,
    classification: toEnum<LoanMsg['classification']>('LOAN_CLASS_', cls),
    classificationRule: row.classificationRule,
    classifiedAsOfDate: row.classifiedAsOf ?? '',
    operationalDelayDueDate: row.operationalDelayDueDate ?? '',
    nonPerforming: isNonPerforming(cls),
    status: toEnum<LoanMsg['status']>('LOAN_STATUS_', row.status),
    version: row.version,
    nonRetail: row.nonRetail,
  };
}

export function bidToMsg(row: BidRow, unmasked: boolean): BidMsg {
  return {
    id: row.id,
    bidder: partyToMsg(row.bidder, unmasked),
    amountFen: row.amountFen,
    depositFen: row.depositFen,
    placedAt: row.placedAt.toISOString(),
    winning: row.winning,
  };
}

export function disposalToMsg(row: DisposalRow, bids: readonly BidRow[], unmasked: boolean): DisposalMsg {
  return {
    id: row.id,
    loanId: row.loanId,
    mortgageId: row.mortgageId,
    collateral: collateralToMsg(row),
    townshipCode: row.townshipCode,
    method: toEnum<DisposalMsg['method']>('DISPOSAL_METHOD_', row.method),
    reservePriceFen: row.reservePriceFen,
    depositFen: row.depositFen,
    opensOn: row.opensOn,
    closesOn: row.closesOn,
    transferTermEndDate: row.transferTermEnd ?? '',
    status: toEnum<DisposalMsg['status']>('DISPOSAL_STATUS_', row.status),
    bids: [...bids]
      .sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime())
      .map((b) => bidToMsg(b, unmasked)),
    buyer: row.buyer ? partyToMsg(row.buyer, unmasked) : undefined,
    priceFen: row.priceFen,
    costsFen: row.costsFen,
    netProceedsFen: row.netProceedsFen,
    appliedInterestFen: row.appliedInterestFen,
    appliedPrincipalFen: row.appliedPrincipalFen,
    surplusFen: row.surplusFen,
    claimAtDisposalFen: row.principalAtDisposalFen + row.interestAtDisposalFen,
    recoveryRateBp: row.recoveryRateBp,
    completedOn: row.completedOn ?? '',
    certificateNo: row.certificateNo,
    version: row.version,
    bankCreditCode: row.bankCreditCode,
    rightType: rightTypeToMsg(row.rightType),
  };
}

export function fundEntryToMsg(row: FundEntryRow): FundEntryMsg {
  return {
    seq: row.seq,
    kind: toEnum<FundEntryMsg['kind']>('FUND_ENTRY_KIND_', row.kind),
    amountFen: row.amountFen,
    balanceAfterFen: row.balanceAfterFen,
    counterparty: row.counterparty,
    claimId: row.claimId ?? '',
    entryDate: row.entryDate,
    documentRef: row.documentRef,
  };
}

export function fundClaimToMsg(row: FundClaimRow): FundClaimMsg {
  return {
    id: row.id,
    loanId: row.loanId,
    disposalId: row.disposalId,
    bankCreditCode: row.bankCreditCode,
    townshipCode: row.townshipCode,
    rightType: rightTypeToMsg(row.rightType),
    cause: toEnum<FundClaimMsg['cause']>('LOSS_CAUSE_', row.cause),
    principalAtDisposalFen: row.principalAtDisposalFen,
    interestAtDisposalFen: row.interestAtDisposalFen,
    proceedsPrincipalFen: row.proceedsPrincipalFen,
    proceedsInterestFen: row.proceedsInterestFen,
    recoveriesPrincipalFen: row.recoveriesPrincipalFen,
    recoveriesInterestFen: row.recoveriesInterestFen,
    netPrincipalLossFen: row.netPrincipalLossFen,
    netInterestLossFen: row.netInterestLossFen,
    principalShares: row.principalShares,
    interestShares: row.interestShares,
    fundPayoutFen: row.fundPayoutFen,
    policyVersion: row.policyVersion,
    paidOn: row.paidOn,
    fundBalanceAfterFen: row.fundBalanceAfterFen,
  };
}
