import type { Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { CollateralRef, RightType } from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type { Loan } from '@pingquan/contracts/pingquan/property_mortgage/v1/loan';
import type {
  DisburseLoanRequest,
  PlaceBidRequest,
  RecordValuationRequest,
  StartDisposalRequest,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/property_mortgage_service';
import { ReportFigures } from '@pingquan/contracts/pingquan/property_mortgage/v1/report';
import type { Document, Party } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import { describeClientError } from '@pingquan/kit';
import { addDays, type LocalDate, violation } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import type { GatewayContext } from '../context.js';
import { badUserInput, forbidden, fromDownstream, orNull, runMutation, type UserError } from '../errors.js';
import { canReadTrack } from '../views-access.js';
import type { RequestContext } from '../views-context.js';
import { divisionOf } from './base.js';

// GraphQL for property-mortgage, the exchange centre (农村产权流转交易中心): the price system,
// rights registered at the centre, listings and certified deals, loan products, the mortgage
// registration flow, loans with their classification, disposal of non-performing loans, the risk
// compensation fund and track B's reports. Money is Fen, area Mu, dates Date; rates and ratios are
// basis points (1 bp = 0.01%). Shared types (Household, UserError, ChangeInput, Fen) come from the
// land-contract parts.

export const propertyMortgageTypeDefs = /* GraphQL */ `
  "农村产权 — kind of rural property right (plan 附件2 一(三))."
  enum RightType {
    "农村土地承包经营权/土地经营权 — verified in land-contract."
    LAND_MANAGEMENT
    "农民住房财产权 — verified in homestead (not connected yet)."
    FARMER_HOUSE
    "林权 — registered at the centre."
    FOREST
    "“四荒”使用权 — registered at the centre."
    FOUR_WASTES
    "集体经营性建设用地使用权 — registered at the centre."
    COLLECTIVE_CONSTRUCTION_LAND
    "集体资产股权 — verified in collective-equity (not connected yet)."
    COLLECTIVE_EQUITY
    "集体资产承包经营权 — verified in collective-equity (not connected yet)."
    COLLECTIVE_ASSET_OPERATION
    "小型水利设施 — registered at the centre."
    SMALL_WATER_FACILITY
    "农业生产设施设备 — registered at the centre."
    PRODUCTION_EQUIPMENT
    "农村生物资产 — registered at the centre."
    BIOLOGICAL_ASSET
    "农业知识产权 — registered at the centre."
    AGRICULTURAL_IP
    "集体资产收益权 — verified in collective-equity (not connected yet)."
    COLLECTIVE_INCOME
    "生态产品权益 — verified in eco-product (not connected yet)."
    ECO_PRODUCT
  }

  "Who a party to a deal, a mortgage or a loan is."
  enum PartyKind {
    "农户 — a household (resident ID of its head)."
    HOUSEHOLD
    "A natural person."
    INDIVIDUAL
    "农村集体经济组织 (credit code starting with N)."
    COLLECTIVE
    "农民专业合作社."
    COOPERATIVE
    "家庭农场."
    FAMILY_FARM
    "工商企业."
    ENTERPRISE
    "收储公司 — acquires rights from non-performing loans."
    STORAGE_COMPANY
  }

  "A party: a person (resident ID, masked unless your role needs it) or an organisation (credit code)."
  type ExchangeParty {
    "What kind of party."
    kind: PartyKind!
    "Name."
    name: String!
    "Resident ID (masked 130881********123X unless your role needs it) or unified social credit code."
    idNumber: String!
    "The household in land-contract's register, when the party is one."
    householdId: ID
  }

  "A party, as given with a command."
  input ExchangePartyInput {
    "What kind of party."
    kind: PartyKind!
    "Name."
    name: String!
    "18-character resident ID (households, individuals) or unified social credit code (everyone else)."
    idNumber: String!
    "The household in land-contract's register, when the party is one."
    householdId: ID
  }

  "Kind of a document filed with a right, an application or a deal."
  enum RightDocumentKind {
    "权属证书."
    RIGHT_CERTIFICATE
    "The contract the right rests on."
    RIGHT_CONTRACT
    "购置发票."
    PURCHASE_INVOICE
    "承包方书面同意 — the contractor's written consent to a transferee's mortgage."
    CONTRACTOR_WRITTEN_CONSENT
    "共有人同意."
    CO_OWNER_CONSENT
    "集体决议."
    COLLECTIVE_RESOLUTION
    "发包方备案."
    ISSUER_FILING
    "征信报告."
    CREDIT_REPORT
    "借款合同."
    LOAN_CONTRACT
    "抵押合同."
    MORTGAGE_CONTRACT
    "评估报告."
    VALUATION_REPORT
    "身份证明."
    IDENTITY
    "Anything else."
    OTHER
  }

  "A document: its kind and reference."
  type RightDocument {
    "Kind."
    kind: RightDocumentKind!
    "Number or reference."
    number: String!
    "Title."
    title: String!
    "Who issued it."
    issuedBy: String!
    "When it was issued."
    issuedOn: Date
  }

  "A document, as given with a command."
  input RightDocumentInput {
    "Kind."
    kind: RightDocumentKind!
    "Number or reference (this or the title is required)."
    number: String
    "Title."
    title: String
    "Who issued it."
    issuedBy: String
    "When it was issued."
    issuedOn: Date
  }

  "The right offered as security, named as its owning service knows it."
  type CollateralReference {
    "Kind of right."
    rightType: RightType!
    "Its id in the owning service (a land contract id, a right registered at the centre)."
    rightId: ID!
    "Plots covered; empty means the whole right."
    plotCodes: [String!]!
    "The circulation through which a transferee holds a management right."
    circulationId: ID
  }

  "The right offered as security, as given with a command."
  input CollateralReferenceInput {
    "Kind of right."
    rightType: RightType!
    "Its id in the owning service."
    rightId: ID!
    "Plots covered; empty means the whole right."
    plotCodes: [String!]
    "The circulation through which a transferee holds a management right."
    circulationId: ID
  }

  "基准价格 — a benchmark price of a right type in a township for a year; republishing makes a new version."
  type BenchmarkPrice {
    "Id of this version."
    id: ID!
    "Right type."
    rightType: RightType!
    "Township."
    township: Division
    "Year it applies to."
    year: Int!
    "Version of this key (1 = first)."
    version: Int!
    "Unit: PER_MU_YEAR, PER_MU, PER_SQUARE_METRE or PER_UNIT."
    unit: String!
    "The price in the unit."
    price: Fen!
    "When it was published."
    publishedOn: Date!
    "The notice that published it."
    documentRef: String!
    "Whether this is the latest version of its key."
    current: Boolean!
  }

  "市场可比价格 — the median per-mu-year price of certified deals in a township over a window."
  type MarketComparable {
    "Right type."
    rightType: RightType!
    "Township."
    township: Division
    "First day of the window."
    windowStart: Date!
    "Last day of the window."
    windowEnd: Date!
    "Deals counted."
    dealCount: Int!
    "Median per mu per year; 0 when too few deals."
    medianPerMuYear: Fen!
    "Fewer deals than the policy's minimum."
    insufficient: Boolean!
    "Transaction certificates of the deals counted."
    certificateNumbers: [String!]!
  }

  "评估报告 — a valuation report; it backs a mortgage only while valid."
  type Valuation {
    "Id."
    id: ID!
    "The right valued."
    collateral: CollateralReference!
    "Township of the right."
    township: Division
    "THIRD_PARTY_AGENCY, GOVERNMENT_PANEL, BANK_OWN or NEGOTIATED."
    method: String!
    "BENCHMARK_PRICE, MARKET_COMPARABLE, INCOME, COST or OTHER."
    basis: String!
    "The appraiser's account of how the value was reached."
    basisNote: String!
    "The value."
    value: Fen!
    "Appraiser (agency, panel or bank department)."
    appraiserName: String!
    "Valuation date."
    valuedOn: Date!
    "Last day it may back a mortgage."
    validUntil: Date!
    "Benchmark price × area × remaining term (undiscounted), for comparison."
    referenceValue: Fen!
    "Market comparable of the day."
    comparable: MarketComparable
    "Report number."
    reportNo: String!
  }

  "A right no other service owns, registered at the centre with its evidence."
  type RegisteredRight {
    "Id."
    id: ID!
    "Right type."
    rightType: RightType!
    "Holder."
    holder: ExchangeParty!
    "Township."
    township: Division
    "Village."
    village: Division
    "Description."
    description: String!
    "Area (0 for equipment, animals, IP)."
    area: Mu!
    "End of the right's term, when it has one."
    termEnd: Date
    "Owned by a collective economic organisation."
    collectiveProperty: Boolean!
    "Documents evidencing the right."
    evidence: [RightDocument!]!
    "Registration date."
    registeredOn: Date!
  }

  "挂牌 — a right offered on the exchange."
  type Listing {
    "Id."
    id: ID!
    "Right type."
    rightType: RightType!
    "The right's id."
    rightId: ID!
    "Seller."
    seller: ExchangeParty!
    "Collective asset: traded only through the centre (应进必进)."
    collectiveAsset: Boolean!
    "LEASE, SUBCONTRACT, TRANSFER, SHAREHOLDING, CONTRACT_OPERATION, AUCTION or OTHER."
    mode: String!
    "Area."
    area: Mu!
    "Asking price."
    askingPrice: Fen!
    "OPEN, DEALT or WITHDRAWN."
    status: String!
    "Listing date."
    listedOn: Date!
  }

  "成交 and its transaction certificate (交易鉴证书)."
  type Deal {
    "Id."
    id: ID!
    "The listing it came from."
    listingId: ID
    "Right type."
    rightType: RightType!
    "The right's id."
    rightId: ID!
    "Seller."
    seller: ExchangeParty!
    "Buyer."
    buyer: ExchangeParty!
    "Township."
    township: Division
    "Collective asset."
    collectiveAsset: Boolean!
    "How the right changes hands."
    mode: String!
    "Area."
    area: Mu!
    "Price."
    price: Fen!
    "Start of the term traded."
    termStart: Date
    "End of the term traded."
    termEnd: Date
    "Deal date."
    dealDate: Date!
    "RECORDED or CERTIFIED."
    status: String!
    "交易鉴证书编号, once certified."
    certificateNo: String
    "Certification date."
    certifiedOn: Date
    "Price per mu per year (0 without area or term)."
    perMuYear: Fen!
  }

  "A page of certified deals."
  type DealConnection {
    "Edges."
    edges: [DealEdge!]!
    "Nodes."
    nodes: [Deal!]!
    "Page information."
    pageInfo: PageInfo!
    "Deals matching the filter."
    totalCount: Int!
  }

  "A deal in a page."
  type DealEdge {
    "Cursor."
    cursor: String!
    "The deal."
    node: Deal!
  }

  "A cooperating bank's loan product on rural property rights."
  type LoanProduct {
    "Id."
    id: ID!
    "The bank's credit code."
    bankCreditCode: String!
    "The bank."
    bankName: String!
    "Product name."
    name: String!
    "Right types it lends on."
    eligibleRightTypes: [RightType!]!
    "Maximum loan-to-value, basis points; never above the policy cap."
    maxLtvBp: Int!
    "Longest term in months."
    maxTermMonths: Int!
    "Lowest annual rate, basis points."
    minRateBp: Int!
    "Highest annual rate, basis points."
    maxRateBp: Int!
    "Publication date."
    publishedOn: Date!
  }

  "What the right's owning service said when last asked."
  type MortgageCollateralCheck {
    "Day of the check."
    checkedOn: Date!
    "Service that answered."
    ownerService: String!
    "The owner accepts the right as collateral."
    eligible: Boolean!
    "Rules the owner found against it."
    ineligibility: [String!]!
    "Last day a mortgage on it may secure."
    securableUntil: Date
    "Days of term left."
    remainingDays: Int!
    "Area."
    area: Mu!
    "Secured by other mortgages in effect."
    encumbered: Fen!
  }

  "Borrower conditions of the 2016 pilot measures, as the bank attests them."
  input BorrowerConditionsInput {
    "具有完全民事行为能力."
    fullCivilCapacity: Boolean!
    "无不良信用记录."
    noBadCredit: Boolean!
    "权属清晰无争议."
    rightUndisputed: Boolean!
    "持有权属证书."
    certificateHeld: Boolean!
    "The credit report relied on."
    creditReportRef: String
  }

  "Where a mortgage stands: APPLIED → APPROVED (or REJECTED) → REGISTERED → FILED → RELEASED."
  enum MortgageStatus {
    "Application received."
    APPLIED
    "Reviewed and approved."
    APPROVED
    "Rejected at review."
    REJECTED
    "Registered, certificate issued."
    REGISTERED
    "Filed with the competent department."
    FILED
    "Released."
    RELEASED
    "Withdrawn."
    WITHDRAWN
  }

  "抵押 — a mortgage from its application to its release."
  type Mortgage {
    "Id."
    id: ID!
    "Application number."
    applicationNo: String!
    "Status."
    status: MortgageStatus!
    "The loan product."
    productId: ID!
    "The mortgagee bank's credit code."
    bankCreditCode: String!
    "抵押人."
    mortgagor: ExchangeParty!
    "借款人."
    debtor: ExchangeParty!
    "The right."
    collateral: CollateralReference!
    "Township."
    township: Division
    "The valuation backing it."
    valuationId: ID!
    "Its value."
    valuation: Fen!
    "Loan-to-value cap applied, basis points."
    ltvBp: Int!
    "Valuation × LTV: the most all mortgages on the right may secure."
    cap: Fen!
    "Amount secured."
    securedAmount: Fen!
    "First day secured (registration)."
    termStart: Date
    "Last day secured."
    termEnd: Date!
    "Documents filed."
    documents: [RightDocument!]!
    "The owner's answer when last asked."
    collateralCheck: MortgageCollateralCheck
    "Application date."
    appliedOn: Date!
    "Review date."
    reviewedOn: Date
    "Reviewer's note."
    reviewNote: String!
    "Rules named at rejection."
    rejectionRules: [String!]!
    "抵押登记证书编号."
    certificateNo: String
    "顺位 — 1 for the first mortgage on the right."
    ranking: Int!
    "Registration date."
    registeredOn: Date
    "Competent department it was filed with."
    filedWith: String!
    "Filing reference."
    filingRef: String!
    "Filing date."
    filedOn: Date
    "Release date."
    releasedOn: Date
    "REPAID, DISPOSED or BANK_CONSENT."
    releaseReason: String!
    "Loans it secures."
    loans: [Loan!]!
  }

  "A page of mortgages."
  type MortgageConnection {
    "Edges."
    edges: [MortgageEdge!]!
    "Nodes."
    nodes: [Mortgage!]!
    "Page information."
    pageInfo: PageInfo!
    "Mortgages matching the filter within your scope."
    totalCount: Int!
  }

  "A mortgage in a page."
  type MortgageEdge {
    "Cursor."
    cursor: String!
    "The mortgage."
    node: Mortgage!
  }

  "Filters of the mortgage list."
  input MortgageFilter {
    "9-digit township code."
    townshipCode: String
    "Mortgagee bank."
    bankCreditCode: String
    "Status."
    status: MortgageStatus
    "Right type."
    rightType: RightType
    "One right (its id in the owning service)."
    rightId: ID
  }

  "五级分类 — the five categories of the 2023 rules; the last three are non-performing."
  enum LoanClass {
    "正常."
    NORMAL
    "关注."
    SPECIAL_MENTION
    "次级."
    SUBSTANDARD
    "可疑."
    DOUBTFUL
    "损失."
    LOSS
  }

  "One installment of a loan's schedule."
  type Installment {
    "Number."
    seq: Int!
    "Due date."
    dueDate: Date!
    "Principal due."
    principal: Fen!
    "Interest due."
    interest: Fen!
    "Principal paid."
    principalPaid: Fen!
    "Interest paid."
    interestPaid: Fen!
  }

  "A repayment and how it was applied."
  type Repayment {
    "Id."
    id: ID!
    "Payment date."
    paidOn: Date!
    "Amount."
    amount: Fen!
    "BORROWER, DISPOSAL, INSURER or GUARANTOR."
    source: String!
    "Applied to interest."
    interest: Fen!
    "Applied to principal."
    principal: Fen!
  }

  "A loan secured by a registered mortgage."
  type Loan {
    "Id."
    id: ID!
    "The mortgage securing it."
    mortgageId: ID!
    "Lending bank."
    bankCreditCode: String!
    "Borrower."
    borrower: ExchangeParty!
    "Right type of its collateral."
    rightType: RightType!
    "Township."
    township: Division
    "Principal."
    principal: Fen!
    "Annual rate, basis points."
    annualRateBp: Int!
    "Disbursal date."
    disbursedOn: Date!
    "Maturity."
    maturityDate: Date!
    "EQUAL_PRINCIPAL or INTEREST_ONLY_BULLET."
    method: String!
    "Schedule."
    schedule: [Installment!]!
    "Repayments."
    repayments: [Repayment!]!
    "Principal outstanding."
    outstandingPrincipal: Fen!
    "Scheduled interest due and unpaid."
    interestDueUnpaid: Fen!
    "Days since the earliest unpaid installment fell due."
    overdueDays: Int!
    "Amount past due."
    overdueAmount: Fen!
    "Five-category classification."
    classification: LoanClass!
    "Rule that set it."
    classificationRule: String!
    "Day it was classified as of."
    classifiedAsOf: Date
    "不良 (substandard or worse)."
    nonPerforming: Boolean!
    "ACTIVE, SETTLED, IN_DISPOSAL or CLOSED_WITH_LOSS."
    status: String!
    "Due date of the installment the bank marked as an operational delay (up to the policy's grace days it does not make the loan 关注)."
    operationalDelayDueDate: Date
  }

  "A page of loans."
  type LoanConnection {
    "Edges."
    edges: [LoanEdge!]!
    "Nodes."
    nodes: [Loan!]!
    "Page information."
    pageInfo: PageInfo!
    "Loans matching the filter within your scope."
    totalCount: Int!
  }

  "A loan in a page."
  type LoanEdge {
    "Cursor."
    cursor: String!
    "The loan."
    node: Loan!
  }

  "Filters of the loan list."
  input LoanFilter {
    "9-digit township code."
    townshipCode: String
    "Lending bank."
    bankCreditCode: String
    "Classification."
    classification: LoanClass
    "Loans of one mortgage."
    mortgageId: ID
  }

  "A bid in an online auction."
  type Bid {
    "Id."
    id: ID!
    "Bidder."
    bidder: ExchangeParty!
    "Amount."
    amount: Fen!
    "Deposit paid."
    deposit: Fen!
    "Whether it won."
    winning: Boolean!
  }

  "处置 — disposal of a non-performing loan's collateral."
  type Disposal {
    "Id."
    id: ID!
    "The loan."
    loanId: ID!
    "The collateral."
    collateral: CollateralReference!
    "ONLINE_AUCTION, MARKET_TRANSFER, STORAGE_ACQUISITION or THIRD_PARTY_RECIRCULATION."
    method: String!
    "Reserve (floor) price."
    reservePrice: Fen!
    "Deposit to bid."
    deposit: Fen!
    "Opening day."
    opensOn: Date!
    "Closing day."
    closesOn: Date!
    "The buyer gets the right until this day only (its remaining term)."
    transferTermEnd: Date
    "OPEN, COMPLETED or FAILED."
    status: String!
    "Bids."
    bids: [Bid!]!
    "Buyer."
    buyer: ExchangeParty
    "Price."
    price: Fen!
    "Costs paid from the price."
    costs: Fen!
    "Price less costs."
    netProceeds: Fen!
    "Applied to interest due."
    appliedInterest: Fen!
    "Applied to principal."
    appliedPrincipal: Fen!
    "Returned to the mortgagor."
    surplus: Fen!
    "Principal and interest due at completion."
    claimAtDisposal: Fen!
    "Applied ÷ claim, basis points."
    recoveryRateBp: Int!
    "Completion date."
    completedOn: Date
    "Transaction certificate of the disposal."
    certificateNo: String
  }

  "A loss split: the parts add up to the loss exactly."
  type LossShares {
    "The fund's part."
    fund: Fen!
    "The bank's part (it bears the rounding)."
    bank: Fen!
    "The insurer's part."
    insurer: Fen!
    "The guarantor's part."
    guarantor: Fen!
  }

  "A claim on the risk compensation fund for the loss left after disposal."
  type FundClaim {
    "Id."
    id: ID!
    "The loan."
    loanId: ID!
    "ORDINARY or NATURAL_DISASTER."
    cause: String!
    "Principal outstanding at disposal."
    principalAtDisposal: Fen!
    "Interest due at disposal."
    interestAtDisposal: Fen!
    "Proceeds applied to principal."
    proceedsPrincipal: Fen!
    "Proceeds applied to interest."
    proceedsInterest: Fen!
    "Net principal loss."
    netPrincipalLoss: Fen!
    "Net interest loss."
    netInterestLoss: Fen!
    "Principal loss split."
    principalShares: LossShares!
    "Interest loss split."
    interestShares: LossShares!
    "Paid by the fund."
    fundPayout: Fen!
    "Loss-sharing policy version."
    policyVersion: Int!
    "Payment date."
    paidOn: Date!
  }

  "One entry of the fund's ledger."
  type FundEntry {
    "Sequence."
    seq: Int!
    "CONTRIBUTION or CLAIM_PAYOUT."
    kind: String!
    "Signed amount: in positive, out negative."
    amount: Fen!
    "Balance after the entry."
    balanceAfter: Fen!
    "Contributor, or the bank paid."
    counterparty: String!
    "Date."
    entryDate: Date!
  }

  "风险补偿基金 — the fund's statement and claims."
  type RiskFund {
    "Balance."
    balance: Fen!
    "All contributions."
    contributions: Fen!
    "All payouts."
    payouts: Fen!
    "Balance = contributions − payouts = the ledger's running balance."
    reconciled: Boolean!
    "Latest ledger entries."
    entries: [FundEntry!]!
    "Claims (a bank sees its own)."
    claims: [FundClaim!]!
  }

  "The figures of track B's weekly report and monthly dispatch."
  type MortgageReportFigures {
    "Loans disbursed in the period."
    loansDisbursed: Int!
    "Amount disbursed."
    disbursed: Fen!
    "Loans outstanding at the end."
    loansOutstanding: Int!
    "Balance at the end."
    balance: Fen!
    "Non-performing balance at the end."
    nplBalance: Fen!
    "NPL ratio, basis points."
    nplRatioBp: Int!
    "Mortgages registered in the period."
    mortgagesRegistered: Int!
    "Amount they secure."
    secured: Fen!
    "Disposals completed."
    disposalsCompleted: Int!
    "Their prices."
    disposalProceeds: Fen!
    "Proceeds applied to loans."
    recovered: Fen!
    "Recovery rate, basis points."
    recoveryRateBp: Int!
    "Fund claims paid."
    fundClaimsPaid: Int!
    "Fund payouts."
    fundPayouts: Fen!
    "Transactions certified."
    certifiedTransactions: Int!
    "Their amount."
    certifiedAmount: Fen!
  }

  "One row of a report: a township, a bank or a right type."
  type MortgageReportRow {
    "Township code, bank credit code or right type."
    key: String!
    "Its figures."
    figures: MortgageReportFigures!
  }

  "周汇报 / 月调度 — track B's report for a period, by township, bank and right type."
  type MortgageReport {
    "WEEKLY or MONTHLY."
    kind: String!
    "First day."
    periodStart: Date!
    "Last day."
    periodEnd: Date!
    "Totals."
    totals: MortgageReportFigures!
    "By township."
    byTownship: [MortgageReportRow!]!
    "By bank."
    byBank: [MortgageReportRow!]!
    "By right type."
    byRightType: [MortgageReportRow!]!
    "Fund balance now."
    fundBalance: Fen!
  }

  extend type Household {
    "Mortgages where the household is mortgagor or debtor (property-mortgage)."
    mortgages: [Mortgage!]!
    "Loans of the household (property-mortgage)."
    loans: [Loan!]!
  }

  "Registers a right no other service owns."
  input RegisterRightInput {
    "Right type (one registered at the centre)."
    rightType: RightType!
    "Holder."
    holder: ExchangePartyInput!
    "12-digit village code."
    villageCode: String!
    "Description."
    description: String!
    "Area."
    area: Mu
    "End of the term, for rights with one."
    termEnd: Date
    "Quantity for counted assets."
    quantity: Int
    "Evidence documents."
    evidence: [RightDocumentInput!]!
    "Why."
    change: ChangeInput!
  }

  "Result of registerRight."
  type RegisterRightPayload {
    "The right."
    right: RegisteredRight
    "Refusals."
    userErrors: [UserError!]!
  }

  "Offers a right on the exchange."
  input CreateListingInput {
    "Right type."
    rightType: RightType!
    "The right's id."
    rightId: ID!
    "Plots offered."
    plotCodes: [String!]
    "Seller."
    seller: ExchangePartyInput!
    "12-digit village code."
    villageCode: String!
    "A collective asset (a collective seller always is)."
    collectiveAsset: Boolean = false
    "LEASE, SUBCONTRACT, TRANSFER, SHAREHOLDING, CONTRACT_OPERATION or OTHER."
    mode: String!
    "Area."
    area: Mu
    "Asking price."
    askingPrice: Fen!
    "Start of the term offered."
    termStart: Date
    "End of the term offered."
    termEnd: Date
    "Why."
    change: ChangeInput!
  }

  "Result of createListing."
  type CreateListingPayload {
    "The listing."
    listing: Listing
    "Refusals."
    userErrors: [UserError!]!
  }

  "Records a deal; a collective asset's only from a listing."
  input RecordDealInput {
    "The listing (required for collective assets)."
    listingId: ID
    "Right type (without a listing)."
    rightType: RightType
    "The right's id (without a listing)."
    rightId: ID
    "The owning service's record of the deal."
    ownerRecordId: String
    "Seller (without a listing)."
    seller: ExchangePartyInput
    "Buyer."
    buyer: ExchangePartyInput!
    "12-digit village code (without a listing)."
    villageCode: String
    "A collective asset."
    collectiveAsset: Boolean = false
    "How the right changes hands (without a listing)."
    mode: String
    "Area."
    area: Mu
    "Price."
    price: Fen!
    "Start of the term traded."
    termStart: Date
    "End of the term traded."
    termEnd: Date
    "Deal date (today when omitted)."
    dealDate: Date
    "Why."
    change: ChangeInput!
  }

  "Result of recordDeal."
  type RecordDealPayload {
    "The deal."
    deal: Deal
    "Refusals."
    userErrors: [UserError!]!
  }

  "Issues a deal's transaction certificate."
  input CertifyTransactionInput {
    "The deal."
    dealId: ID!
    "Why."
    change: ChangeInput!
  }

  "Result of certifyTransaction."
  type CertifyTransactionPayload {
    "The certified deal."
    deal: Deal
    "Refusals."
    userErrors: [UserError!]!
  }

  "Publishes a benchmark price."
  input PublishBenchmarkPriceInput {
    "Right type."
    rightType: RightType!
    "9-digit township code."
    townshipCode: String!
    "Year."
    year: Int!
    "Price in the right type's unit."
    price: Fen!
    "Why (the notice)."
    change: ChangeInput!
  }

  "Result of publishBenchmarkPrice."
  type PublishBenchmarkPricePayload {
    "The new version."
    price: BenchmarkPrice
    "Refusals."
    userErrors: [UserError!]!
  }

  "Records a valuation report."
  input RecordValuationInput {
    "The right valued."
    collateral: CollateralReferenceInput!
    "THIRD_PARTY_AGENCY, GOVERNMENT_PANEL, BANK_OWN or NEGOTIATED."
    method: String!
    "BENCHMARK_PRICE, MARKET_COMPARABLE, INCOME, COST or OTHER."
    basis: String!
    "How the value was reached."
    basisNote: String
    "Value."
    value: Fen!
    "Appraiser."
    appraiserName: String!
    "Agency's credit code."
    appraiserCreditCode: String
    "Valuation date (today when omitted)."
    valuedOn: Date
    "Last day it may back a mortgage."
    validUntil: Date!
    "Report number."
    reportNo: String
    "The bank that made or commissioned it."
    bankCreditCode: String
    "Why."
    change: ChangeInput!
  }

  "Result of recordValuation."
  type RecordValuationPayload {
    "The valuation."
    valuation: Valuation
    "Refusals."
    userErrors: [UserError!]!
  }

  "Publishes a loan product."
  input PublishLoanProductInput {
    "Bank credit code."
    bankCreditCode: String!
    "Bank name."
    bankName: String!
    "Product name."
    name: String!
    "Right types lent on."
    eligibleRightTypes: [RightType!]!
    "Max LTV, basis points; 0 or omitted for the policy cap."
    maxLtvBp: Int
    "Longest term, months."
    maxTermMonths: Int!
    "Lowest annual rate, basis points."
    minRateBp: Int!
    "Highest annual rate, basis points."
    maxRateBp: Int!
    "Why."
    change: ChangeInput!
  }

  "Result of publishLoanProduct."
  type PublishLoanProductPayload {
    "The product."
    product: LoanProduct
    "Refusals."
    userErrors: [UserError!]!
  }

  "Applies for a mortgage registration."
  input ApplyForMortgageInput {
    "Loan product."
    productId: ID!
    "抵押人."
    mortgagor: ExchangePartyInput!
    "借款人, when not the mortgagor."
    debtor: ExchangePartyInput
    "The right."
    collateral: CollateralReferenceInput!
    "Valuation."
    valuationId: ID!
    "Amount to secure."
    securedAmount: Fen!
    "Last day secured."
    termEnd: Date!
    "Documents, consents included."
    documents: [RightDocumentInput!]!
    "Borrower conditions."
    borrowerConditions: BorrowerConditionsInput
    "Why."
    change: ChangeInput!
  }

  "Result of applyForMortgage."
  type ApplyForMortgagePayload {
    "The application."
    mortgage: Mortgage
    "Refusals."
    userErrors: [UserError!]!
  }

  "Reviews an application."
  input ReviewMortgageApplicationInput {
    "The mortgage."
    mortgageId: ID!
    "Approve (every rule again) or reject."
    approve: Boolean!
    "Reviewer's note."
    note: String
    "Why."
    change: ChangeInput!
  }

  "Result of reviewMortgageApplication."
  type ReviewMortgageApplicationPayload {
    "The mortgage."
    mortgage: Mortgage
    "Refusals."
    userErrors: [UserError!]!
  }

  "Registers an approved mortgage."
  input RegisterMortgageInput {
    "The mortgage."
    mortgageId: ID!
    "Why."
    change: ChangeInput!
  }

  "Result of registerMortgage."
  type RegisterMortgagePayload {
    "The mortgage."
    mortgage: Mortgage
    "Refusals."
    userErrors: [UserError!]!
  }

  "Files a registration with the competent department."
  input FileMortgageInput {
    "The mortgage."
    mortgageId: ID!
    "Department."
    filedWith: String!
    "Filing reference."
    filingRef: String
    "Why."
    change: ChangeInput!
  }

  "Result of fileMortgage."
  type FileMortgagePayload {
    "The mortgage."
    mortgage: Mortgage
    "Refusals."
    userErrors: [UserError!]!
  }

  "Releases a mortgage."
  input ReleaseMortgageInput {
    "The mortgage."
    mortgageId: ID!
    "Why."
    change: ChangeInput!
  }

  "Result of releaseMortgage."
  type ReleaseMortgagePayload {
    "The mortgage."
    mortgage: Mortgage
    "Refusals."
    userErrors: [UserError!]!
  }

  "Disburses a loan against a registered mortgage."
  input DisburseLoanInput {
    "The mortgage."
    mortgageId: ID!
    "Principal."
    principal: Fen!
    "Annual rate, basis points."
    annualRateBp: Int!
    "Disbursal date (today when omitted)."
    disbursedOn: Date
    "Term in months."
    termMonths: Int!
    "EQUAL_PRINCIPAL or INTEREST_ONLY_BULLET."
    method: String!
    "Months between installments: 1, 3, 6 or 12."
    periodMonths: Int!
    "Why."
    change: ChangeInput!
  }

  "Result of disburseLoan."
  type DisburseLoanPayload {
    "The loan."
    loan: Loan
    "Refusals."
    userErrors: [UserError!]!
  }

  "Records a repayment."
  input RecordRepaymentInput {
    "The loan."
    loanId: ID!
    "Amount."
    amount: Fen!
    "Payment date (today when omitted)."
    paidOn: Date
    "Why."
    change: ChangeInput!
  }

  "Result of recordRepayment."
  type RecordRepaymentPayload {
    "The loan."
    loan: Loan
    "Refusals."
    userErrors: [UserError!]!
  }

  "Starts the disposal of a non-performing loan's collateral."
  input StartDisposalInput {
    "The loan."
    loanId: ID!
    "ONLINE_AUCTION, MARKET_TRANSFER, STORAGE_ACQUISITION or THIRD_PARTY_RECIRCULATION."
    method: String!
    "Reserve price."
    reservePrice: Fen!
    "Deposit to bid."
    deposit: Fen!
    "Opening day."
    opensOn: Date!
    "Closing day."
    closesOn: Date!
    "End of the term transferred (the right's remaining term when omitted)."
    transferTermEnd: Date
    "Why."
    change: ChangeInput!
  }

  "Result of startDisposal."
  type StartDisposalPayload {
    "The disposal."
    disposal: Disposal
    "Refusals."
    userErrors: [UserError!]!
  }

  "Places a bid in an online auction."
  input PlaceBidInput {
    "The disposal."
    disposalId: ID!
    "Bidder."
    bidder: ExchangePartyInput!
    "Amount."
    amount: Fen!
    "Deposit paid."
    depositPaid: Fen!
    "Why."
    change: ChangeInput!
  }

  "Result of placeBid."
  type PlaceBidPayload {
    "The disposal."
    disposal: Disposal
    "Refusals."
    userErrors: [UserError!]!
  }

  "Completes a disposal."
  input CompleteDisposalInput {
    "The disposal."
    disposalId: ID!
    "Buyer (not for auctions)."
    buyer: ExchangePartyInput
    "Price (not for auctions)."
    price: Fen
    "Costs paid from the price."
    costs: Fen
    "Completion date (today when omitted)."
    completedOn: Date
    "Why."
    change: ChangeInput!
  }

  "Result of completeDisposal."
  type CompleteDisposalPayload {
    "The disposal."
    disposal: Disposal
    "Refusals."
    userErrors: [UserError!]!
  }

  "Pays money into the risk compensation fund."
  input ContributeToFundInput {
    "Amount."
    amount: Fen!
    "Contributor."
    contributor: String!
    "Date (today when omitted)."
    contributedOn: Date
    "Why."
    change: ChangeInput!
  }

  "Result of contributeToFund."
  type ContributeToFundPayload {
    "The fund."
    fund: RiskFund
    "Refusals."
    userErrors: [UserError!]!
  }

  "Claims the fund's share of a loss after disposal."
  input ClaimCompensationInput {
    "The loan."
    loanId: ID!
    "ORDINARY or NATURAL_DISASTER."
    cause: String!
    "Received from the insurer."
    insurerRecovered: Fen
    "Received from the guarantor."
    guarantorRecovered: Fen
    "Why."
    change: ChangeInput!
  }

  "Result of claimCompensation."
  type ClaimCompensationPayload {
    "The claim."
    claim: FundClaim
    "Refusals."
    userErrors: [UserError!]!
  }

  "Runs the five-category classification (五级分类) of every open loan as of a day, as the daily job does for today."
  input ClassifyLoansInput {
    "The day to classify as of: today when omitted, never after today. Loans already classified as of a later day are left as they are."
    asOf: Date
  }

  "What one classification run did."
  type LoanClassificationRun {
    "The day the loans were classified as of."
    asOf: Date!
    "Open loans classified."
    loansClassified: Int!
    "Loans whose category changed or that fell overdue."
    changed: Int!
    "Loans that first had an amount past due (LoanOverdue)."
    becameOverdue: Int!
    "Loans that became non-performing, 次级 or worse (LoanNonPerforming)."
    becameNonPerforming: Int!
  }

  "Result of classifyLoans."
  type ClassifyLoansPayload {
    "The run; null when refused."
    run: LoanClassificationRun
    "Refusals."
    userErrors: [UserError!]!
  }

  "Records that the overdue installment of a loan is late for operational reasons (e.g. a transfer held up)."
  input MarkOperationalDelayInput {
    "The loan."
    loanId: ID!
    "Due date of the installment that is overdue now (the earliest one not paid in full)."
    dueDate: Date!
    "Why, e.g. the bank's note of the delayed transfer."
    change: ChangeInput!
  }

  "Result of markOperationalDelay."
  type MarkOperationalDelayPayload {
    "The loan with the delay recorded."
    loan: Loan
    "Refusals: NOT_THE_OVERDUE_INSTALLMENT when the date is not the overdue installment's, LOAN_NOT_FOUND."
    userErrors: [UserError!]!
  }

  "农村产权抵押 — the exchange centre's part of the township view (track B)."
  type TownshipPropertyMortgage {
    "周汇报 — the township's row of the weekly report for the seven days ending on the view's date: loans and registrations in the week, balance and NPL at its end."
    weeklyFigures: TownshipMortgageFigures!
    "Benchmark prices of the township (current versions)."
    benchmarkPrices("Only this year." year: Int): [BenchmarkPrice!]!
    "Mortgages on rights in the township as registered today, in order of application."
    mortgages(
      "Only this status."
      status: MortgageStatus
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last mortgage of the previous page."
      after: String
    ): MortgageConnection!
    "Loans in the township as they stand today."
    loans(
      "Only this classification."
      classification: LoanClass
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last loan of the previous page."
      after: String
    ): LoanConnection!
  }

  "Track B figures of one township over a period."
  type TownshipMortgageFigures {
    "First day of the period."
    periodStart: Date!
    "Last day of the period (the view's date)."
    periodEnd: Date!
    "The township's figures; all zero when nothing happened there."
    figures: MortgageReportFigures!
  }

  extend type Township {
    "农村产权抵押 — mortgages, loans and prices in the township (track B, property-mortgage). FORBIDDEN for lead units of other tracks."
    propertyMortgage: TownshipPropertyMortgage
  }

  extend type Mutation {
    "五级分类 — classifies every open loan as of a day (today when omitted), publishing LoanOverdue, LoanClassified and LoanNonPerforming; track B's lead unit only. Idempotent per day."
    classifyLoans(input: ClassifyLoansInput!): ClassifyLoansPayload!
    "The bank records that a loan's overdue installment is an operational delay; up to the policy's grace (7 days) it then does not make the loan 关注."
    markOperationalDelay(input: MarkOperationalDelayInput!): MarkOperationalDelayPayload!
    "Registers a right no other service owns (forest right, four-wastes, equipment, …) with its evidence."
    registerRight(input: RegisterRightInput!): RegisterRightPayload!
    "挂牌 — offers a right on the exchange."
    createListing(input: CreateListingInput!): CreateListingPayload!
    "成交 — records a deal (a collective asset's only from a listing)."
    recordDeal(input: RecordDealInput!): RecordDealPayload!
    "交易鉴证 — issues the transaction certificate and announces it."
    certifyTransaction(input: CertifyTransactionInput!): CertifyTransactionPayload!
    "基准价格 — publishes (a new version of) a benchmark price."
    publishBenchmarkPrice(input: PublishBenchmarkPriceInput!): PublishBenchmarkPricePayload!
    "评估报告 — records a valuation of a right its owner confirms."
    recordValuation(input: RecordValuationInput!): RecordValuationPayload!
    "Publishes a cooperating bank's loan product."
    publishLoanProduct(input: PublishLoanProductInput!): PublishLoanProductPayload!
    "抵押申请 — verified in the right's owner, within valuation × LTV."
    applyForMortgage(input: ApplyForMortgageInput!): ApplyForMortgagePayload!
    "审核 — approves or rejects an application."
    reviewMortgageApplication(input: ReviewMortgageApplicationInput!): ReviewMortgageApplicationPayload!
    "登记 — registers an approved mortgage, verified again in the owner."
    registerMortgage(input: RegisterMortgageInput!): RegisterMortgagePayload!
    "备案 — files a registration with the competent department."
    fileMortgage(input: FileMortgageInput!): FileMortgagePayload!
    "注销 — releases a mortgage whose loans are repaid or disposed of."
    releaseMortgage(input: ReleaseMortgageInput!): ReleaseMortgagePayload!
    "Disburses a loan against a registered mortgage."
    disburseLoan(input: DisburseLoanInput!): DisburseLoanPayload!
    "Records a repayment."
    recordRepayment(input: RecordRepaymentInput!): RecordRepaymentPayload!
    "处置 — starts the disposal of a non-performing loan's collateral."
    startDisposal(input: StartDisposalInput!): StartDisposalPayload!
    "竞价 — a bid in an online auction."
    placeBid(input: PlaceBidInput!): PlaceBidPayload!
    "Completes a disposal and applies its proceeds."
    completeDisposal(input: CompleteDisposalInput!): CompleteDisposalPayload!
    "出资 — pays money into the risk compensation fund."
    contributeToFund(input: ContributeToFundInput!): ContributeToFundPayload!
    "理赔 — the fund's share of the loss left after disposal."
    claimCompensation(input: ClaimCompensationInput!): ClaimCompensationPayload!
  }

  extend type Query {
    "A mortgage by id, application number or certificate number; null when unknown or outside your scope."
    mortgage(idOrNumber: String!): Mortgage
    "Mortgages within your scope (a bank: its own), Relay-style paginated (at most 100 per page)."
    mortgages(filter: MortgageFilter, first: Int = 20, after: String): MortgageConnection!
    "A loan; null when unknown or outside your scope."
    loan(id: ID!): Loan
    "Loans within your scope (a bank: its own), Relay-style paginated (at most 100 per page)."
    loans(filter: LoanFilter, first: Int = 20, after: String): LoanConnection!
    "Loan products of the cooperating banks."
    loanProducts(bankCreditCode: String, rightType: RightType): [LoanProduct!]!
    "Benchmark prices: current versions, or every version with allVersions."
    benchmarkPrices(rightType: RightType, townshipCode: String, year: Int, allVersions: Boolean = false): [BenchmarkPrice!]!
    "The market comparable of a right type in a township, as of a day (today when omitted)."
    marketComparable(rightType: RightType!, townshipCode: String!, asOf: Date): MarketComparable
    "A valuation report; null when unknown or not yours to see."
    valuation(id: ID!): Valuation
    "A right registered at the centre."
    registeredRight(id: ID!): RegisteredRight
    "Certified transactions (交易鉴证), Relay-style paginated (at most 100 per page)."
    certifiedDeals(townshipCode: String, rightType: RightType, first: Int = 20, after: String): DealConnection!
    "A disposal; null when unknown or outside your scope."
    disposal(id: ID!): Disposal
    "The risk compensation fund: balance, ledger and claims (a bank: its own claims)."
    riskFund(entries: Int = 20): RiskFund
    "周汇报 — the week ending on a day (yesterday when omitted)."
    mortgageWeeklyReport(weekEnding: Date): MortgageReport
    "月调度 — one month, YYYY-MM."
    mortgageMonthlyDispatch(month: String!): MortgageReport
  }
`;

type Obj = Record<string, unknown>;

const bare = (prefix: string) => (value: unknown) =>
  typeof value === 'string' && value.startsWith(prefix) && !value.endsWith('_UNSPECIFIED')
    ? value.slice(prefix.length)
    : null;
const orNullText = (value: unknown) => (typeof value === 'string' && value ? value : null);

/**
 * Field resolvers by naming convention: money fields read `<name>Fen`, dates `<name>Date` (empty →
 * null), areas `<name>Mu4`, enums strip their proto prefix. Keeps the GraphQL names short.
 */
function fields(spec: {
  fen?: string[];
  date?: string[];
  mu?: string[];
  enums?: Record<string, string>;
  nullable?: string[];
}) {
  const out: Record<string, (o: Obj) => unknown> = {};
  for (const n of spec.fen ?? []) out[n] = (o) => o[`${n}Fen`] ?? 0;
  for (const n of spec.date ?? []) out[n] = (o) => orNullText(o[`${n}Date`] ?? o[n]);
  for (const n of spec.mu ?? []) out[n] = (o) => o[`${n}Mu4`] ?? 0;
  for (const [n, prefix] of Object.entries(spec.enums ?? {})) out[n] = (o) => bare(prefix)(o[n]);
  for (const n of spec.nullable ?? []) out[n] = (o) => orNullText(o[n]);
  return out;
}

const township = { township: (o: Obj) => divisionOf(String(o['townshipCode'] ?? '')) };
const rightType = { rightType: (o: Obj) => bare('RIGHT_TYPE_')(o['rightType']) };

const call = (ctx: GatewayContext) => ({ principal: ctx.principal, deadline: ctx.deadlineMs });

interface ChangeArg {
  reason?: string | null;
  documentRef?: string | null;
  idempotencyKey?: string | null;
}
const changeOf = (c: ChangeArg) => ({
  reason: c.reason ?? '',
  documentRef: c.documentRef ?? '',
  idempotencyKey: c.idempotencyKey ?? '',
});

interface PartyArg {
  kind: string;
  name: string;
  idNumber: string;
  householdId?: string | null;
}
const partyOf = (p: PartyArg): Party => ({
  kind: `PARTY_KIND_${p.kind}` as Party['kind'],
  name: p.name,
  idNumber: p.idNumber,
  householdId: p.householdId ?? '',
});
const optionalParty = (p: PartyArg | null | undefined): Party | undefined => (p ? partyOf(p) : undefined);

interface DocumentArg {
  kind: string;
  number?: string | null;
  title?: string | null;
  issuedBy?: string | null;
  issuedOn?: string | null;
}
const documentOf = (d: DocumentArg): Document => ({
  kind: `DOCUMENT_KIND_${d.kind}` as Document['kind'],
  number: d.number ?? '',
  title: d.title ?? '',
  issuedBy: d.issuedBy ?? '',
  issuedOn: d.issuedOn ?? '',
});

interface CollateralArg {
  rightType: string;
  rightId: string;
  plotCodes?: string[] | null;
  circulationId?: string | null;
}
const collateralOf = (c: CollateralArg): CollateralRef => ({
  rightType: `RIGHT_TYPE_${c.rightType}` as RightType,
  rightId: c.rightId,
  plotCodes: c.plotCodes ?? [],
  circulationId: c.circulationId ?? '',
});
const rightTypeArg = (t: string | null | undefined) =>
  t ? (`RIGHT_TYPE_${t}` as RightType) : 'RIGHT_TYPE_UNSPECIFIED';
const enumArg = <T extends string>(prefix: string, value: string | null | undefined) =>
  (value ? `${prefix}${value}` : `${prefix}UNSPECIFIED`) as T;

function checkFirst(first: number | null | undefined): number {
  const n = first ?? 20;
  if (n < 1 || n > 100)
    throw badUserInput([violation('PAGE_SIZE', 'first', 'first must be between 1 and 100.')]);
  return n;
}

/** A Relay connection over a keyset page of the service (ids are UUIDv7, so cursors are opaque tokens). */
function connection<T extends { id: string }>(items: T[], nextToken: string, total: number) {
  const endCursor = nextToken || null;
  return {
    nodes: items,
    edges: items.map((node, i) => ({
      node,
      cursor:
        i === items.length - 1 && endCursor ? endCursor : Buffer.from(`pm:${node.id}`).toString('base64url'),
    })),
    pageInfo: {
      hasNextPage: Boolean(endCursor),
      hasPreviousPage: false,
      startCursor: items[0] ? Buffer.from(`pm:${items[0].id}`).toString('base64url') : null,
      endCursor,
    },
    totalCount: total,
  };
}

type Args<T> = { input: T & { change: ChangeArg } };

const pm = (ctx: GatewayContext) => ctx.downstream.propertyMortgage;

/**
 * A loan command's payload. An unknown loan id is a refusal the caller can act on (LOAN_NOT_FOUND in
 * userErrors), not an internal error; everything else as every other mutation.
 */
async function loanPayload(
  call: () => Promise<Loan | undefined>,
): Promise<Record<string, Loan | null | UserError[]>> {
  try {
    return { loan: (await call()) ?? null, userErrors: [] };
  } catch (error) {
    if (describeClientError(error)?.code === Status.NOT_FOUND) {
      return {
        loan: null,
        userErrors: [
          { code: 'LOAN_NOT_FOUND', field: ['input', 'loanId'], message: 'There is no such loan.' },
        ],
      };
    }
    return runMutation('loan', () => Promise.reject(error));
  }
}

/** The township view's parent value (see schema/views.ts). */
interface TownshipParent {
  code: string;
  asOf: LocalDate;
}

export const propertyMortgageResolvers = {
  Mutation: {
    classifyLoans: (_: unknown, { input }: { input: { asOf?: string | null } }, ctx: GatewayContext) =>
      runMutation('run', async () => {
        try {
          const r = await pm(ctx).classifyLoans({ asOfDate: input.asOf ?? '' }, call(ctx));
          return {
            asOf: r.asOfDate,
            loansClassified: r.loansClassified,
            changed: r.changed,
            becameOverdue: r.becameOverdue,
            becameNonPerforming: r.becameNonPerforming,
          };
        } catch (error) {
          // The service names its request field (asOfDate); the client knows it as input.asOf.
          const failure = describeClientError(error);
          if (failure?.code !== Status.INVALID_ARGUMENT) throw error;
          throw badUserInput(
            failure.violations.length
              ? failure.violations.map((v) => ({ ...v, field: v.field === 'asOfDate' ? 'asOf' : v.field }))
              : [{ rule: 'INVALID', field: 'asOf', message: failure.message }],
            'input.',
          );
        }
      }),
    markOperationalDelay: (
      _: unknown,
      { input }: Args<{ loanId: string; dueDate: string }>,
      ctx: GatewayContext,
    ) =>
      loanPayload(() =>
        pm(ctx)
          .markOperationalDelay(
            { loanId: input.loanId, dueDate: input.dueDate, context: changeOf(input.change) },
            call(ctx),
          )
          .then((r) => r.loan),
      ),
    registerRight: (
      _: unknown,
      {
        input,
      }: Args<{
        rightType: string;
        holder: PartyArg;
        villageCode: string;
        description: string;
        area?: number | null;
        termEnd?: string | null;
        quantity?: number | null;
        evidence: DocumentArg[];
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('right', () =>
        pm(ctx)
          .registerRight(
            {
              rightType: rightTypeArg(input.rightType),
              holder: partyOf(input.holder),
              villageCode: input.villageCode,
              description: input.description,
              areaMu4: input.area ?? 0,
              termEndDate: input.termEnd ?? '',
              quantity: input.quantity ?? 0,
              evidence: input.evidence.map(documentOf),
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.right),
      ),
    createListing: (
      _: unknown,
      {
        input,
      }: Args<{
        rightType: string;
        rightId: string;
        plotCodes?: string[] | null;
        seller: PartyArg;
        villageCode: string;
        collectiveAsset?: boolean | null;
        mode: string;
        area?: number | null;
        askingPrice: number;
        termStart?: string | null;
        termEnd?: string | null;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('listing', () =>
        pm(ctx)
          .createListing(
            {
              rightType: rightTypeArg(input.rightType),
              rightId: input.rightId,
              plotCodes: input.plotCodes ?? [],
              seller: partyOf(input.seller),
              villageCode: input.villageCode,
              collectiveAsset: input.collectiveAsset ?? false,
              mode: enumArg('TRANSACTION_MODE_', input.mode),
              areaMu4: input.area ?? 0,
              askingPriceFen: input.askingPrice,
              termStartDate: input.termStart ?? '',
              termEndDate: input.termEnd ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.listing),
      ),
    recordDeal: (
      _: unknown,
      {
        input,
      }: Args<{
        listingId?: string | null;
        rightType?: string | null;
        rightId?: string | null;
        ownerRecordId?: string | null;
        seller?: PartyArg | null;
        buyer: PartyArg;
        villageCode?: string | null;
        collectiveAsset?: boolean | null;
        mode?: string | null;
        area?: number | null;
        price: number;
        termStart?: string | null;
        termEnd?: string | null;
        dealDate?: string | null;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('deal', () =>
        pm(ctx)
          .recordDeal(
            {
              listingId: input.listingId ?? '',
              rightType: rightTypeArg(input.rightType),
              rightId: input.rightId ?? '',
              plotCodes: [],
              ownerRecordId: input.ownerRecordId ?? '',
              seller: optionalParty(input.seller),
              buyer: partyOf(input.buyer),
              villageCode: input.villageCode ?? '',
              collectiveAsset: input.collectiveAsset ?? false,
              mode: enumArg('TRANSACTION_MODE_', input.mode),
              areaMu4: input.area ?? 0,
              priceFen: input.price,
              termStartDate: input.termStart ?? '',
              termEndDate: input.termEnd ?? '',
              dealDate: input.dealDate ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.deal),
      ),
    certifyTransaction: (_: unknown, { input }: Args<{ dealId: string }>, ctx: GatewayContext) =>
      runMutation('deal', () =>
        pm(ctx)
          .certifyTransaction({ dealId: input.dealId, context: changeOf(input.change) }, call(ctx))
          .then((r) => r.deal),
      ),
    publishBenchmarkPrice: (
      _: unknown,
      { input }: Args<{ rightType: string; townshipCode: string; year: number; price: number }>,
      ctx: GatewayContext,
    ) =>
      runMutation('price', () =>
        pm(ctx)
          .publishBenchmarkPrice(
            {
              rightType: rightTypeArg(input.rightType),
              townshipCode: input.townshipCode,
              year: input.year,
              unit: 'PRICE_UNIT_UNSPECIFIED',
              priceFen: input.price,
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.price),
      ),
    recordValuation: (
      _: unknown,
      {
        input,
      }: Args<{
        collateral: CollateralArg;
        method: string;
        basis: string;
        basisNote?: string | null;
        value: number;
        appraiserName: string;
        appraiserCreditCode?: string | null;
        valuedOn?: string | null;
        validUntil: string;
        reportNo?: string | null;
        bankCreditCode?: string | null;
      }>,
      ctx: GatewayContext,
    ) => {
      const request: RecordValuationRequest = {
        collateral: collateralOf(input.collateral),
        method: enumArg('VALUATION_METHOD_', input.method),
        basis: enumArg('VALUATION_BASIS_', input.basis),
        basisNote: input.basisNote ?? '',
        valueFen: input.value,
        appraiser: { name: input.appraiserName, creditCode: input.appraiserCreditCode ?? '', licenceNo: '' },
        valuedOn: input.valuedOn ?? '',
        validUntilDate: input.validUntil,
        reportNo: input.reportNo ?? '',
        bankCreditCode: input.bankCreditCode ?? '',
        context: changeOf(input.change),
      };
      return runMutation('valuation', () =>
        pm(ctx)
          .recordValuation(request, call(ctx))
          .then((r) => r.valuation),
      );
    },
    publishLoanProduct: (
      _: unknown,
      {
        input,
      }: Args<{
        bankCreditCode: string;
        bankName: string;
        name: string;
        eligibleRightTypes: string[];
        maxLtvBp?: number | null;
        maxTermMonths: number;
        minRateBp: number;
        maxRateBp: number;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('product', () =>
        pm(ctx)
          .publishLoanProduct(
            {
              bankCreditCode: input.bankCreditCode,
              bankName: input.bankName,
              name: input.name,
              eligibleRightTypes: input.eligibleRightTypes.map(rightTypeArg),
              maxLtvBp: input.maxLtvBp ?? 0,
              maxTermMonths: input.maxTermMonths,
              minRateBp: input.minRateBp,
              maxRateBp: input.maxRateBp,
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.product),
      ),
    applyForMortgage: (
      _: unknown,
      {
        input,
      }: Args<{
        productId: string;
        mortgagor: PartyArg;
        debtor?: PartyArg | null;
        collateral: CollateralArg;
        valuationId: string;
        securedAmount: number;
        termEnd: string;
        documents: DocumentArg[];
        borrowerConditions?: {
          fullCivilCapacity: boolean;
          noBadCredit: boolean;
          rightUndisputed: boolean;
          certificateHeld: boolean;
          creditReportRef?: string | null;
        } | null;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('mortgage', () =>
        pm(ctx)
          .applyForMortgage(
            {
              productId: input.productId,
              mortgagor: partyOf(input.mortgagor),
              debtor: optionalParty(input.debtor),
              collateral: collateralOf(input.collateral),
              valuationId: input.valuationId,
              securedAmountFen: input.securedAmount,
              termEndDate: input.termEnd,
              documents: input.documents.map(documentOf),
              borrowerConditions: input.borrowerConditions
                ? {
                    ...input.borrowerConditions,
                    creditReportRef: input.borrowerConditions.creditReportRef ?? '',
                  }
                : undefined,
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.mortgage),
      ),
    reviewMortgageApplication: (
      _: unknown,
      { input }: Args<{ mortgageId: string; approve: boolean; note?: string | null }>,
      ctx: GatewayContext,
    ) =>
      runMutation('mortgage', () =>
        pm(ctx)
          .reviewMortgageApplication(
            {
              mortgageId: input.mortgageId,
              approve: input.approve,
              note: input.note ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.mortgage),
      ),
    registerMortgage: (_: unknown, { input }: Args<{ mortgageId: string }>, ctx: GatewayContext) =>
      runMutation('mortgage', () =>
        pm(ctx)
          .registerMortgage({ mortgageId: input.mortgageId, context: changeOf(input.change) }, call(ctx))
          .then((r) => r.mortgage),
      ),
    fileMortgage: (
      _: unknown,
      { input }: Args<{ mortgageId: string; filedWith: string; filingRef?: string | null }>,
      ctx: GatewayContext,
    ) =>
      runMutation('mortgage', () =>
        pm(ctx)
          .fileMortgage(
            {
              mortgageId: input.mortgageId,
              filedWith: input.filedWith,
              filingRef: input.filingRef ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.mortgage),
      ),
    releaseMortgage: (_: unknown, { input }: Args<{ mortgageId: string }>, ctx: GatewayContext) =>
      runMutation('mortgage', () =>
        pm(ctx)
          .releaseMortgage({ mortgageId: input.mortgageId, context: changeOf(input.change) }, call(ctx))
          .then((r) => r.mortgage),
      ),
    disburseLoan: (
      _: unknown,
      {
        input,
      }: Args<{
        mortgageId: string;
        principal: number;
        annualRateBp: number;
        disbursedOn?: string | null;
        termMonths: number;
        method: string;
        periodMonths: number;
      }>,
      ctx: GatewayContext,
    ) => {
      const request: DisburseLoanRequest = {
        mortgageId: input.mortgageId,
        principalFen: input.principal,
        annualRateBp: input.annualRateBp,
        disbursedOn: input.disbursedOn ?? '',
        termMonths: input.termMonths,
        method: enumArg('REPAYMENT_METHOD_', input.method),
        periodMonths: input.periodMonths,
        context: changeOf(input.change),
      };
      return runMutation('loan', () =>
        pm(ctx)
          .disburseLoan(request, call(ctx))
          .then((r) => r.loan),
      );
    },
    recordRepayment: (
      _: unknown,
      { input }: Args<{ loanId: string; amount: number; paidOn?: string | null }>,
      ctx: GatewayContext,
    ) =>
      runMutation('loan', () =>
        pm(ctx)
          .recordRepayment(
            {
              loanId: input.loanId,
              amountFen: input.amount,
              paidOn: input.paidOn ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.loan),
      ),
    startDisposal: (
      _: unknown,
      {
        input,
      }: Args<{
        loanId: string;
        method: string;
        reservePrice: number;
        deposit: number;
        opensOn: string;
        closesOn: string;
        transferTermEnd?: string | null;
      }>,
      ctx: GatewayContext,
    ) => {
      const request: StartDisposalRequest = {
        loanId: input.loanId,
        method: enumArg('DISPOSAL_METHOD_', input.method),
        reservePriceFen: input.reservePrice,
        depositFen: input.deposit,
        opensOn: input.opensOn,
        closesOn: input.closesOn,
        transferTermEndDate: input.transferTermEnd ?? '',
        context: changeOf(input.change),
      };
      return runMutation('disposal', () =>
        pm(ctx)
          .startDisposal(request, call(ctx))
          .then((r) => r.disposal),
      );
    },
    placeBid: (
      _: unknown,
      { input }: Args<{ disposalId: string; bidder: PartyArg; amount: number; depositPaid: number }>,
      ctx: GatewayContext,
    ) => {
      const request: PlaceBidRequest = {
        disposalId: input.disposalId,
        bidder: partyOf(input.bidder),
        amountFen: input.amount,
        depositPaidFen: input.depositPaid,
        context: changeOf(input.change),
      };
      return runMutation('disposal', () =>
        pm(ctx)
          .placeBid(request, call(ctx))
          .then((r) => r.disposal),
      );
    },
    completeDisposal: (
      _: unknown,
      {
        input,
      }: Args<{
        disposalId: string;
        buyer?: PartyArg | null;
        price?: number | null;
        costs?: number | null;
        completedOn?: string | null;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('disposal', () =>
        pm(ctx)
          .completeDisposal(
            {
              disposalId: input.disposalId,
              buyer: optionalParty(input.buyer),
              priceFen: input.price ?? 0,
              costsFen: input.costs ?? 0,
              completedOn: input.completedOn ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.disposal),
      ),
    contributeToFund: (
      _: unknown,
      { input }: Args<{ amount: number; contributor: string; contributedOn?: string | null }>,
      ctx: GatewayContext,
    ) =>
      runMutation('fund', () =>
        pm(ctx)
          .contributeToFund(
            {
              amountFen: input.amount,
              contributor: input.contributor,
              contributedOn: input.contributedOn ?? '',
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => (r.statement ? { ...r.statement, claims: [] } : undefined)),
      ),
    claimCompensation: (
      _: unknown,
      {
        input,
      }: Args<{
        loanId: string;
        cause: string;
        insurerRecovered?: number | null;
        guarantorRecovered?: number | null;
      }>,
      ctx: GatewayContext,
    ) =>
      runMutation('claim', () =>
        pm(ctx)
          .claimCompensation(
            {
              loanId: input.loanId,
              cause: enumArg('LOSS_CAUSE_', input.cause),
              insurerRecoveredFen: input.insurerRecovered ?? 0,
              guarantorRecoveredFen: input.guarantorRecovered ?? 0,
              context: changeOf(input.change),
            },
            call(ctx),
          )
          .then((r) => r.claim),
      ),
  },
  Query: {
    mortgage: (_: unknown, args: { idOrNumber: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getMortgage({ idOrNumber: args.idOrNumber }, call(ctx))
          .then((r) => r.mortgage ?? null),
      ),
    async mortgages(
      _: unknown,
      args: {
        filter?: {
          townshipCode?: string | null;
          bankCreditCode?: string | null;
          status?: string | null;
          rightType?: string | null;
          rightId?: string | null;
        } | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      try {
        const r = await pm(ctx).listMortgages(
          {
            page: { pageSize: first, pageToken: args.after ?? '' },
            townshipCode: args.filter?.townshipCode ?? '',
            bankCreditCode: args.filter?.bankCreditCode ?? '',
            status: enumArg('MORTGAGE_STATUS_', args.filter?.status),
            rightType: rightTypeArg(args.filter?.rightType),
            rightId: args.filter?.rightId ?? '',
          },
          call(ctx),
        );
        return connection(r.mortgages, r.pageInfo?.nextPageToken ?? '', r.pageInfo?.totalCount ?? 0);
      } catch (error) {
        throw fromDownstream(error, 'filter.');
      }
    },
    loan: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getLoan({ id: args.id }, call(ctx))
          .then((r) => r.loan ?? null),
      ),
    async loans(
      _: unknown,
      args: {
        filter?: {
          townshipCode?: string | null;
          bankCreditCode?: string | null;
          classification?: string | null;
          mortgageId?: string | null;
        } | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      try {
        const r = await pm(ctx).listLoans(
          {
            page: { pageSize: first, pageToken: args.after ?? '' },
            townshipCode: args.filter?.townshipCode ?? '',
            bankCreditCode: args.filter?.bankCreditCode ?? '',
            classification: enumArg('LOAN_CLASS_', args.filter?.classification),
            status: 'LOAN_STATUS_UNSPECIFIED',
            mortgageId: args.filter?.mortgageId ?? '',
          },
          call(ctx),
        );
        return connection(r.loans, r.pageInfo?.nextPageToken ?? '', r.pageInfo?.totalCount ?? 0);
      } catch (error) {
        throw fromDownstream(error, 'filter.');
      }
    },
    async loanProducts(
      _: unknown,
      args: { bankCreditCode?: string | null; rightType?: string | null },
      ctx: GatewayContext,
    ) {
      try {
        return (
          await pm(ctx).listLoanProducts(
            { bankCreditCode: args.bankCreditCode ?? '', rightType: rightTypeArg(args.rightType) },
            call(ctx),
          )
        ).products;
      } catch (error) {
        throw fromDownstream(error);
      }
    },
    async benchmarkPrices(
      _: unknown,
      args: {
        rightType?: string | null;
        townshipCode?: string | null;
        year?: number | null;
        allVersions?: boolean | null;
      },
      ctx: GatewayContext,
    ) {
      try {
        return (
          await pm(ctx).listBenchmarkPrices(
            {
              rightType: rightTypeArg(args.rightType),
              townshipCode: args.townshipCode ?? '',
              year: args.year ?? 0,
              allVersions: args.allVersions ?? false,
            },
            call(ctx),
          )
        ).prices;
      } catch (error) {
        throw fromDownstream(error);
      }
    },
    marketComparable: (
      _: unknown,
      args: { rightType: string; townshipCode: string; asOf?: string | null },
      ctx: GatewayContext,
    ) =>
      orNull(
        pm(ctx)
          .getMarketComparable(
            {
              rightType: rightTypeArg(args.rightType),
              townshipCode: args.townshipCode,
              asOfDate: args.asOf ?? '',
            },
            call(ctx),
          )
          .then((r) => r.comparable ?? null),
      ),
    valuation: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getValuation({ id: args.id }, call(ctx))
          .then((r) => r.valuation ?? null),
      ),
    registeredRight: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getRight({ id: args.id }, call(ctx))
          .then((r) => r.right ?? null),
      ),
    async certifiedDeals(
      _: unknown,
      args: {
        townshipCode?: string | null;
        rightType?: string | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      try {
        const r = await pm(ctx).listDeals(
          {
            page: { pageSize: first, pageToken: args.after ?? '' },
            townshipCode: args.townshipCode ?? '',
            rightType: rightTypeArg(args.rightType),
            certifiedOnly: true,
          },
          call(ctx),
        );
        return connection(r.deals, r.pageInfo?.nextPageToken ?? '', r.pageInfo?.totalCount ?? 0);
      } catch (error) {
        throw fromDownstream(error);
      }
    },
    disposal: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getDisposal({ id: args.id }, call(ctx))
          .then((r) => r.disposal ?? null),
      ),
    async riskFund(_: unknown, args: { entries?: number | null }, ctx: GatewayContext) {
      try {
        const r = await pm(ctx).getFundStatement(
          { entries: Math.min(Math.max(args.entries ?? 20, 0), 500) },
          call(ctx),
        );
        return r.statement ? { ...r.statement, claims: r.claims } : null;
      } catch (error) {
        throw fromDownstream(error);
      }
    },
    mortgageWeeklyReport: (_: unknown, args: { weekEnding?: string | null }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getWeeklyReport({ weekEndingDate: args.weekEnding ?? '' }, call(ctx))
          .then((r) => r.report ?? null),
      ),
    mortgageMonthlyDispatch: (_: unknown, args: { month: string }, ctx: GatewayContext) =>
      orNull(
        pm(ctx)
          .getMonthlyDispatch({ month: args.month }, call(ctx))
          .then((r) => r.report ?? null),
      ),
  },
  Township: {
    propertyMortgage: (t: TownshipParent, _: unknown, ctx: RequestContext) => {
      if (!canReadTrack(ctx.principal, 'B')) throw forbidden();
      return t;
    },
  },
  TownshipPropertyMortgage: {
    async weeklyFigures(t: TownshipParent, _: unknown, ctx: RequestContext) {
      const report = await ctx.views.mortgage.weeklyReport.load(t.asOf);
      const row = report?.byTownship.find((r) => r.key === t.code);
      return {
        periodStart: report?.periodStartDate || addDays(t.asOf, -6),
        periodEnd: report?.periodEndDate || t.asOf,
        // The report lists only townships where something happened; elsewhere every figure is zero.
        figures: row?.figures ?? ReportFigures.fromPartial({}),
      };
    },
    benchmarkPrices: (t: TownshipParent, args: { year?: number | null }, ctx: GatewayContext) =>
      propertyMortgageResolvers.Query.benchmarkPrices(
        undefined,
        { townshipCode: t.code, year: args.year ?? null, allVersions: false },
        ctx,
      ),
    mortgages: (
      t: TownshipParent,
      args: { status?: string | null; first?: number | null; after?: string | null },
      ctx: GatewayContext,
    ) =>
      propertyMortgageResolvers.Query.mortgages(
        undefined,
        {
          filter: { townshipCode: t.code, status: args.status ?? null },
          first: args.first,
          after: args.after,
        },
        ctx,
      ),
    loans: (
      t: TownshipParent,
      args: { classification?: string | null; first?: number | null; after?: string | null },
      ctx: GatewayContext,
    ) =>
      propertyMortgageResolvers.Query.loans(
        undefined,
        {
          filter: { townshipCode: t.code, classification: args.classification ?? null },
          first: args.first,
          after: args.after,
        },
        ctx,
      ),
  },
  Household: {
    mortgages: async (h: Household, _: unknown, ctx: GatewayContext) =>
      (await ctx.loaders.financeByHousehold.load(h.id)).mortgages,
    loans: async (h: Household, _: unknown, ctx: GatewayContext) =>
      (await ctx.loaders.financeByHousehold.load(h.id)).loans,
  },
  ExchangeParty: {
    kind: (p: Obj) => bare('PARTY_KIND_')(p['kind']),
    householdId: (p: Obj) => orNullText(p['householdId']),
  },
  RightDocument: {
    kind: (d: Obj) => bare('DOCUMENT_KIND_')(d['kind']),
    issuedOn: (d: Obj) => orNullText(d['issuedOn']),
  },
  CollateralReference: { ...rightType, circulationId: (c: Obj) => orNullText(c['circulationId']) },
  BenchmarkPrice: {
    ...rightType,
    ...township,
    ...fields({ fen: ['price'], enums: { unit: 'PRICE_UNIT_' } }),
  },
  MarketComparable: {
    ...rightType,
    ...township,
    ...fields({ fen: ['medianPerMuYear'], date: ['windowStart', 'windowEnd'] }),
    certificateNumbers: (c: Obj) => c['certificateNos'] ?? [],
  },
  Valuation: {
    ...township,
    ...fields({
      fen: ['value', 'referenceValue'],
      date: ['validUntil'],
      enums: { method: 'VALUATION_METHOD_', basis: 'VALUATION_BASIS_' },
    }),
    appraiserName: (v: Obj) => (v['appraiser'] as Obj | undefined)?.['name'] ?? '',
  },
  RegisteredRight: {
    ...rightType,
    ...township,
    village: (r: Obj) => divisionOf(String(r['villageCode'] ?? '')),
    ...fields({ mu: ['area'], date: ['termEnd'] }),
  },
  Listing: {
    ...rightType,
    ...fields({
      mu: ['area'],
      fen: ['askingPrice'],
      enums: { mode: 'TRANSACTION_MODE_', status: 'LISTING_STATUS_' },
    }),
  },
  Deal: {
    ...rightType,
    ...township,
    ...fields({
      mu: ['area'],
      fen: ['price', 'perMuYear'],
      date: ['termStart', 'termEnd'],
      enums: { mode: 'TRANSACTION_MODE_', status: 'DEAL_STATUS_' },
      nullable: ['listingId', 'certificateNo', 'certifiedOn'],
    }),
    perMuYear: (d: Obj) => d['fenPerMuYear'] ?? 0,
  },
  LoanProduct: {
    eligibleRightTypes: (p: Obj) => ((p['eligibleRightTypes'] as string[]) ?? []).map(bare('RIGHT_TYPE_')),
  },
  MortgageCollateralCheck: {
    ...fields({ mu: ['area'], date: ['securableUntil'], nullable: ['checkedOn'] }),
    encumbered: (c: Obj) => c['encumberedFen'] ?? 0,
  },
  Mortgage: {
    ...township,
    ...fields({
      fen: ['securedAmount'],
      date: ['termStart', 'termEnd'],
      enums: { status: 'MORTGAGE_STATUS_' },
      nullable: ['reviewedOn', 'certificateNo', 'registeredOn', 'filedOn', 'releasedOn'],
    }),
    valuation: (m: Obj) => m['valuationFen'] ?? 0,
    cap: (m: Obj) => m['capFen'] ?? 0,
    loans: async (m: Obj, _: unknown, ctx: GatewayContext) => {
      try {
        return (
          await pm(ctx).listLoans(
            {
              page: { pageSize: 100, pageToken: '' },
              townshipCode: '',
              bankCreditCode: '',
              classification: 'LOAN_CLASS_UNSPECIFIED',
              status: 'LOAN_STATUS_UNSPECIFIED',
              mortgageId: String(m['id']),
            },
            call(ctx),
          )
        ).loans;
      } catch (error) {
        throw fromDownstream(error);
      }
    },
  },
  Installment: { ...fields({ fen: ['principal', 'interest', 'principalPaid', 'interestPaid'] }) },
  Repayment: {
    ...fields({ fen: ['amount', 'interest', 'principal'], enums: { source: 'REPAYMENT_SOURCE_' } }),
  },
  Loan: {
    ...rightType,
    ...township,
    ...fields({
      fen: ['principal', 'outstandingPrincipal', 'interestDueUnpaid', 'overdueAmount'],
      date: ['classifiedAsOf'],
      enums: { method: 'REPAYMENT_METHOD_', classification: 'LOAN_CLASS_', status: 'LOAN_STATUS_' },
    }),
    operationalDelayDueDate: (l: Obj) => orNullText(l['operationalDelayDueDate']),
  },
  Bid: { ...fields({ fen: ['amount', 'deposit'] }) },
  Disposal: {
    ...fields({
      fen: [
        'reservePrice',
        'deposit',
        'price',
        'costs',
        'netProceeds',
        'appliedInterest',
        'appliedPrincipal',
        'surplus',
        'claimAtDisposal',
      ],
      date: ['transferTermEnd'],
      enums: { method: 'DISPOSAL_METHOD_', status: 'DISPOSAL_STATUS_' },
      nullable: ['completedOn', 'certificateNo'],
    }),
  },
  LossShares: { ...fields({ fen: ['fund', 'bank', 'insurer', 'guarantor'] }) },
  FundClaim: {
    ...fields({
      fen: [
        'principalAtDisposal',
        'interestAtDisposal',
        'proceedsPrincipal',
        'proceedsInterest',
        'netPrincipalLoss',
        'netInterestLoss',
        'fundPayout',
      ],
      enums: { cause: 'LOSS_CAUSE_' },
    }),
  },
  FundEntry: { ...fields({ fen: ['amount', 'balanceAfter'], enums: { kind: 'FUND_ENTRY_KIND_' } }) },
  RiskFund: { ...fields({ fen: ['balance', 'contributions', 'payouts'] }) },
  MortgageReportFigures: {
    ...fields({
      fen: [
        'disbursed',
        'balance',
        'nplBalance',
        'secured',
        'disposalProceeds',
        'recovered',
        'fundPayouts',
        'certifiedAmount',
      ],
    }),
  },
  MortgageReport: {
    ...fields({ fen: ['fundBalance'], date: ['periodStart', 'periodEnd'] }),
  },
};
