import type {
  Collateral,
  CollateralScope,
  VerifyCollateralRequest,
} from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import type { Contract, Household, Plot } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type {
  AbandonmentReport,
  Circulation,
  CirculationReview,
  CompensationBreakdown,
  Encumbrance,
  ExchangeReviewItem,
  ExtinctHousehold,
  IssuerMeasure,
  RecordedAct,
  ReturnedPlot,
  Transferee,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { violation } from '@pingquan/reference';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { GatewayContext } from '../context.js';
import { badUserInput, fromDownstream, orNull, runMutation, type UserError } from '../errors.js';
import { divisionOf } from './base.js';

// GraphQL for land-contract's LandRightsService and CollateralService: household extinction and
// reclaim, transfer and exchange, voluntary paid surrender, management-right circulation with the
// township ledger, abandoned land, and the mortgages (encumbrances) on contracts and households.
// Shared types (Contract, Household, Plot, UserError, ChangeInput, ContractMode) come from the
// land-contract part.

export const landContractRightsTypeDefs = /* GraphQL */ `
  """
  Money in CNY as a whole number of fen (分, 1/100 yuan), e.g. 30000 for 300 yuan. Serialised as a
  JSON integer; accepted as an integer or a string of digits.
  """
  scalar Fen

  "A dated act with the document that proves it: a consent, a filing (备案), an acceptance, a decision."
  type RecordedAct {
    "Day of the act."
    actedOn: Date!
    "Document reference: approval number, filing number, scanned letter id."
    reference: String!
    "Who performed it, as they signed."
    by: String!
  }

  "A dated act with its document, as given with a command."
  input RecordedActInput {
    "Day of the act; not in the future."
    actedOn: Date!
    "Document reference; required."
    reference: String!
    "Who performed it, as they signed."
    by: String
  }

  "One rule that refuses (or would refuse) something: its stable name, the field and a sentence."
  type RuleFinding {
    "Stable rule name, e.g. RIGHT_ENCUMBERED."
    rule: String!
    "Path of the field concerned, e.g. contract.status."
    field: String!
    "A sentence a clerk can act on."
    message: String!
  }

  # ---------------------------------------------------------------------------------------------
  # Household extinction (承包方消亡) and reclaim (收回)

  "The death of a household member, to be recorded."
  input RecordMemberDeathInput {
    "The member's household."
    householdId: ID!
    "18-character resident ID of the member who died."
    residentId: String!
    "Date of death; not in the future."
    deceasedOn: Date!
    "Why: the death certificate or another document."
    change: ChangeInput!
  }

  "Result of recordMemberDeath."
  type RecordMemberDeathPayload {
    "The household with the member marked deceased."
    household: Household
    "Every member has now died: the issuer is to reclaim the household's family contracts."
    householdExtinct: Boolean
    "Refusals by rule (e.g. MEMBER_ALREADY_DECEASED); empty on success."
    userErrors: [UserError!]!
  }

  "An extinct household (every member deceased) that still holds a contract in force."
  type ExtinctHousehold {
    "The household, every member deceased."
    household: Household!
    "Ids of its contracts still ACTIVE or EXTENDED: what the issuer has to reclaim."
    contractIdsInForce: [ID!]!
    "Date of the last recorded death."
    lastDeathOn: Date
  }

  "Extinct households still holding contracts, in household-code order."
  type ExtinctHouseholdConnection {
    "The households with their cursors."
    edges: [ExtinctHouseholdEdge!]!
    "The households of this page."
    nodes: [ExtinctHousehold!]!
    "Where this page sits in the list."
    pageInfo: PageInfo!
    "Number of extinct households matching (within your scope)."
    totalCount: Int!
  }

  "One extinct household in a connection."
  type ExtinctHouseholdEdge {
    "Cursor of this item."
    cursor: String!
    "The extinct household."
    node: ExtinctHousehold!
  }

  "What a review item is: a certificate or a disposal the exchange centre sent."
  enum ExchangeReviewItemKind {
    "A 交易鉴证书 no circulation or contract transfer could be matched to."
    TRANSACTION_CERTIFICATE
    "A disposal of a mortgaged management right that wrote no circulation."
    DISPOSAL
  }

  "待复核 — a certificate or disposal from the exchange centre that the register could not place."
  type ExchangeReviewItem {
    "Certificate or disposal."
    kind: ExchangeReviewItemKind!
    "The deal id (certificate) or the disposal id, as the exchange centre sent it."
    id: ID!
    "交易鉴证书 number."
    certificateNo: String!
    "The township of the right."
    township: Division
    "The right as the centre named it (contract id or code, or the owner record)."
    rightId: String!
    "Why it waits, e.g. OWNER_RECORD_MISSING, CERTIFICATE_CONFLICT, CONTRACT_UNKNOWN."
    reason: String!
    "What the register found, in words."
    note: String!
    "Price of the deal or disposal."
    price: Fen!
    "When land-contract received it."
    receivedAt: DateTime!
    "When it was settled by hand; null while it waits."
    settledAt: DateTime
    "Who settled it."
    settledBy: String
    "What was done about it."
    settlement: String
  }

  "The review queue, oldest first."
  type ExchangeReviewItemConnection {
    "The items with their cursors."
    edges: [ExchangeReviewItemEdge!]!
    "The items of this page."
    nodes: [ExchangeReviewItem!]!
    "Where this page sits in the list."
    pageInfo: PageInfo!
    "Number of items waiting (within your scope)."
    totalCount: Int!
  }

  "One review item in a connection."
  type ExchangeReviewItemEdge {
    "Cursor of this item."
    cursor: String!
    "The review item."
    node: ExchangeReviewItem!
  }

  "承包收益 — contract income earned before the land was reclaimed."
  input IncomeEntryInput {
    "What the income was, e.g. 2026年耕地地力保护补贴."
    description: String!
    "Amount earned."
    amount: Fen!
    "Day it was earned; on or before the reclaim decision."
    earnedOn: Date!
  }

  "继承人 — a named heir and their part of the earned income."
  input HeirInput {
    "The heir's name."
    name: String!
    "Resident ID of the heir, when known (check character validated)."
    residentId: String
    "Relation to the deceased, as in the inheritance document."
    relation: String!
    "The heir's part of the earned income."
    amount: Fen!
  }

  "The issuer's reclaim (收回) of an extinct household's family contract."
  input ReclaimContractInput {
    "The family contract of the extinct household."
    contractId: ID!
    "Day the issuer decided to reclaim."
    decidedOn: Date!
    "The issuer's decision document."
    decisionRef: String!
    "Contract income the household had earned."
    earnedIncome: [IncomeEntryInput!]!
    "The heirs' parts must add up to the earned income exactly."
    heirs: [HeirInput!]!
    "Why: the decision or another document."
    change: ChangeInput!
  }

  "承包收益 — contract income earned before the land was reclaimed."
  type IncomeEntry {
    "What the income was."
    description: String!
    "Amount earned."
    amount: Fen!
    "Day it was earned."
    earnedOn: Date!
  }

  "继承人 — a named heir and their part of the earned income."
  type Heir {
    "The heir's name."
    name: String!
    "Masked (130881********123X) unless your role needs it."
    residentId: String
    "Relation to the deceased."
    relation: String!
    "The heir's part."
    amount: Fen!
  }

  "What a reclaim decided."
  type Reclamation {
    "The reclaimed contract."
    contractId: ID!
    "The extinct household."
    householdId: ID!
    "Day the issuer decided."
    decidedOn: Date!
    "The issuer's decision document."
    decisionRef: String!
    "Income the household had earned."
    earnedIncome: [IncomeEntry!]!
    "Sum of the earned income."
    totalIncome: Fen!
    "Their parts add up to totalIncome exactly."
    heirs: [Heir!]!
    "Plots back with the issuer for contracting anew (另行发包)."
    returnedPlotCodes: [String!]!
    "Circulations still running on the land; the issuer stands in the contractor's place until they end."
    continuingCirculationIds: [ID!]!
  }

  "Result of reclaimContract."
  type ReclaimContractPayload {
    "The contract, now RECLAIMED."
    contract: Contract
    "What the reclaim decided."
    reclamation: Reclamation
    "Refusals by rule (e.g. HOUSEHOLD_NOT_EXTINCT, INHERITANCE_SUM_MISMATCH, RIGHT_ENCUMBERED); empty on success."
    userErrors: [UserError!]!
  }

  "Why a plot is back with its issuer."
  enum ReturnReason {
    "收回 — reclaimed from an extinct household."
    RECLAIMED
    "交回 — surrendered voluntarily against compensation."
    SURRENDERED
  }

  "A plot in an issuer's pool, waiting to be contracted anew."
  type ReturnedPlot {
    "The plot as registered."
    plot: Plot!
    "The issuer whose pool it is in."
    issuerCode: String!
    "Township of the issuer."
    township: Division
    "The contract it came back from."
    fromContractId: ID!
    "Reclaimed or surrendered."
    reason: ReturnReason!
    "Day it came back."
    returnedOn: Date!
  }

  "Plots in issuers' pools, in plot-code order."
  type ReturnedPlotConnection {
    "The plots with their cursors."
    edges: [ReturnedPlotEdge!]!
    "The plots of this page."
    nodes: [ReturnedPlot!]!
    "Where this page sits in the list."
    pageInfo: PageInfo!
    "Number of pooled plots matching (within your scope)."
    totalCount: Int!
  }

  "One pooled plot in a connection."
  type ReturnedPlotEdge {
    "Cursor of this item."
    cursor: String!
    "The pooled plot."
    node: ReturnedPlot!
  }

  "另行发包 — plots of an issuer's pool contracted to a household."
  input RecontractPlotsInput {
    "The household that takes the plots; for a family contract, of the plots' collective."
    householdId: ID!
    "Contracting mode of the contract."
    mode: ContractMode!
    "Start of the term."
    termStart: Date!
    "End of the term; equal to the household's existing contract of the mode, when it has one."
    termEnd: Date!
    "Plots from the issuer's pool (returnedPlots)."
    plotCodes: [String!]!
    "Expiry of the second-round term, when the new contract runs within it."
    secondRoundEnd: Date
    "The contract forbids individual adjustment."
    adjustmentForbidden: Boolean = false
    "Why: the issuer's decision or another document."
    change: ChangeInput!
  }

  "Result of recontractPlots."
  type RecontractPlotsPayload {
    "The household's new or amended contract."
    contract: Contract
    "False when the plots joined the household's existing contract of the same mode."
    newContract: Boolean
    "Refusals by rule (e.g. RETURNED_PLOT_NOT_AVAILABLE, SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT); empty on success."
    userErrors: [UserError!]!
  }

  # ---------------------------------------------------------------------------------------------
  # Transfer (承包权转让) and exchange (互换)

  "承包权转让 — a contract right passed to another household of the same collective."
  input TransferContractRightInput {
    "The transferor's contract."
    contractId: ID!
    "The receiving household, of the same collective."
    toHouseholdId: ID!
    "Plots transferred; all of them when omitted or empty."
    plotCodes: [String!]
    "Day of the transfer; not in the future."
    transferDate: Date!
    "发包方同意 — the issuer's written consent."
    issuerConsent: RecordedActInput
    "Agreed price, when the transfer is paid."
    price: Fen
    "Why: the transfer contract or another document."
    change: ChangeInput!
  }

  "Result of transferContractRight."
  type TransferContractRightPayload {
    "TRANSFERRED when every plot went; otherwise the contract without the transferred plots."
    transferor: Contract
    "The transferee's new contract (remaining term) or its amended existing one."
    transferee: Contract
    "Plots that changed hands."
    transferredPlotCodes: [String!]
    "Some plots stayed with the transferor."
    partial: Boolean
    "The transferee got a new contract (rather than plots added to its own)."
    transfereeContractNew: Boolean
    "Refusals by rule (e.g. TRANSFER_OUTSIDE_COLLECTIVE, RIGHT_ENCUMBERED); empty on success."
    userErrors: [UserError!]!
  }

  "One side of an exchange: a contract and the plots it gives."
  input ExchangeSideInput {
    "The household's contract."
    contractId: ID!
    "Plots it gives."
    plotCodes: [String!]!
  }

  "互换 — two households of one collective swap plots."
  input ExchangePlotsInput {
    "First side."
    a: ExchangeSideInput!
    "Second side."
    b: ExchangeSideInput!
    "Day of the exchange; not in the future."
    exchangeDate: Date!
    "向发包方备案 — the filing with the issuer."
    filing: RecordedActInput
    "Why: the exchange agreement or another document."
    change: ChangeInput!
  }

  "Result of exchangePlots."
  type ExchangePlotsPayload {
    "First side's contract after the exchange."
    a: Contract
    "Second side's contract after the exchange."
    b: Contract
    "Refusals by rule (e.g. EXCHANGE_FILING_REQUIRED, PLOT_UNDER_CIRCULATION); empty on success."
    userErrors: [UserError!]!
  }

  # ---------------------------------------------------------------------------------------------
  # Voluntary paid surrender (自愿有偿退出)

  "One named term of the compensation formula with its exact value."
  type FormulaTerm {
    "area_mu, per_mu_annual_price_fen, remaining_years, soil_improvement_fen or land_compensation_fen."
    name: String!
    "Exact value as text."
    value: String!
    "Where the value comes from."
    note: String!
  }

  "The surrender compensation and how it was reached."
  type CompensationBreakdown {
    "Version of the surrender-compensation policy applied."
    policyVersion: String!
    "area_mu × per_mu_annual_price_fen × remaining_years + soil_improvement_fen"
    formula: String!
    "Each named term with its value."
    terms: [FormulaTerm!]!
    "The formula with its numbers, e.g. 7.5000 mu × 30000 fen × (1 + 309/365) years + 0 fen = 415438 fen."
    text: String!
    "Contract area surrendered."
    area: Mu!
    "Days from the surrender date to the term end."
    remainingDays: Int!
    "Whole calendar years of the remaining term."
    remainingWholeYears: Int!
    "Days left over after the whole years."
    remainingExtraDays: Int!
    "The land part, rounded half up to a whole fen."
    landCompensation: Fen!
    "The assessed soil improvement."
    soilImprovement: Fen!
    "The compensation: land part plus soil improvement."
    amount: Fen!
  }

  "A computed compensation and what would refuse the surrender today; nothing is recorded."
  type SurrenderCompensationPreview {
    "The compensation with its formula."
    compensation: CompensationBreakdown!
    "Status, term and mortgage rules that would refuse it; notice and acceptance are checked when it is recorded."
    blocking: [RuleFinding!]!
  }

  "The household's written notice to the issuer (six months ahead)."
  input SurrenderNoticeInput {
    "Day the notice was given."
    givenOn: Date!
    "Given in writing (required)."
    written: Boolean!
    "Reference of the notice letter."
    reference: String!
  }

  "The household's written notice to the issuer."
  type SurrenderNotice {
    "Day the notice was given."
    givenOn: Date!
    "Given in writing."
    written: Boolean!
    "Reference of the notice letter."
    reference: String!
  }

  "自愿有偿退出 — a household surrenders its contract to the collective."
  input SurrenderContractInput {
    "The contract surrendered (all its plots)."
    contractId: ID!
    "Day of the surrender; at least six months after the notice, not in the future."
    surrenderDate: Date!
    "The written notice."
    notice: SurrenderNoticeInput!
    "The household's own free choice; false is refused."
    voluntary: Boolean!
    "Whether surrender was made a condition of an urban hukou; the law forbids it, so true is refused."
    hukouCondition: Boolean!
    "The household agrees the compensation computed."
    compensationAgreed: Boolean!
    "Assessed investment that improved the soil."
    soilImprovement: Fen = 0
    "发包方接受 — the issuer's acceptance."
    issuerAcceptance: RecordedActInput
    "Why: the surrender agreement or another document."
    change: ChangeInput!
  }

  "A recorded surrender."
  type Surrender {
    "Id of the surrender record."
    id: ID!
    "The surrendered contract."
    contractId: ID!
    "The household that surrendered."
    householdId: ID!
    "Day of the surrender."
    surrenderedOn: Date!
    "The written notice."
    notice: SurrenderNotice!
    "The issuer's acceptance."
    issuerAcceptance: RecordedAct
    "The compensation with its formula."
    compensation: CompensationBreakdown!
    "Plots back with the collective."
    returnedPlotCodes: [String!]!
    "The household may not contract land again before this day."
    noNewContractUntil: Date!
    "Circulations still running on the land."
    continuingCirculationIds: [ID!]!
  }

  "Result of surrenderContract."
  type SurrenderContractPayload {
    "The contract, now SURRENDERED."
    contract: Contract
    "The surrender record."
    surrender: Surrender
    "Refusals by rule (e.g. RIGHT_ENCUMBERED, SURRENDER_NOTICE_SIX_MONTHS); empty on success."
    userErrors: [UserError!]!
  }

  # ---------------------------------------------------------------------------------------------
  # Circulation of the management right (土地经营权流转)

  "流转方式 — how the management right circulates."
  enum CirculationMode {
    "出租 — lease."
    LEASE
    "转包 — sub-contract."
    SUBCONTRACT
    "入股 — shareholding."
    SHAREHOLDING
    "Another lawful mode."
    OTHER
  }

  "受让方类型; enterprises and non-member individuals are social capital (社会资本)."
  enum TransfereeKind {
    "A farming household."
    HOUSEHOLD
    "农民专业合作社"
    COOPERATIVE
    "家庭农场"
    FAMILY_FARM
    "工商企业"
    ENTERPRISE
    "An individual who is not a member of the collective."
    NON_MEMBER_INDIVIDUAL
  }

  "Use the transferee puts the land to; NON_AGRICULTURAL is refused."
  enum LandUse {
    "Grain crops."
    GRAIN
    "Cash crops."
    CASH_CROPS
    "Fruit, vegetables, flowers."
    HORTICULTURE
    "Greenhouses and other facility agriculture."
    FACILITY_AGRICULTURE
    "Livestock."
    LIVESTOCK
    "Aquaculture."
    AQUACULTURE
    "Forestry."
    FORESTRY
    "Anything outside agriculture (refused)."
    NON_AGRICULTURAL
  }

  "Status of a circulation."
  enum CirculationStatus {
    "In force."
    ACTIVE
    "Ended early."
    TERMINATED
    "Ran out."
    EXPIRED
  }

  "Level of the tiered review of social capital (分级资格审查和项目审核)."
  enum ReviewLevel {
    "By the township."
    TOWNSHIP
    "By the city."
    CITY
  }

  "Kind of review."
  enum ReviewKind {
    "资格审查 — of the transferee."
    QUALIFICATION
    "项目审核 — of the project."
    PROJECT
  }

  "Grounds for ending a circulation early (LCL Art 42; the issuer, Art 64, the first three only)."
  enum TerminationGround {
    "The transferee changed the agricultural use."
    CHANGED_AGRICULTURAL_USE
    "弃耕抛荒连续两年以上 — shown by abandonment reports."
    IDLE_TWO_YEARS
    "Serious damage to the land or its ecology."
    SERIOUS_DAMAGE
    "Another serious breach (contractor only)."
    OTHER_SERIOUS_BREACH
  }

  "Who ends a circulation early."
  enum TerminatingParty {
    "The contracting household."
    CONTRACTOR
    "The issuer (发包方)."
    ISSUER
  }

  "受让方 — who receives a management right."
  type Transferee {
    "Kind of transferee."
    kind: TransfereeKind!
    "Name."
    name: String!
    "Unified social credit code (enterprises, cooperatives, registered family farms)."
    creditCode: String
    "Masked unless your role needs it."
    residentId: String
    "For a household of the register."
    householdId: ID
    "Member of the issuing collective (members have priority)."
    memberOfCollective: Boolean!
  }

  "Who receives a management right, as given with a command."
  input TransfereeInput {
    "Kind of transferee."
    kind: TransfereeKind!
    "Name; for a household of the register, its head's name when empty."
    name: String!
    "Unified social credit code (check character validated)."
    creditCode: String
    "Resident ID (check character validated)."
    residentId: String
    "For a household of the register; membership and the head's ID are then read from the register."
    householdId: ID
    "Member of the issuing collective."
    memberOfCollective: Boolean = false
  }

  "A plot (or part of one) in a circulation."
  type CirculatedPlot {
    "Plot code."
    plotCode: String!
    "Area circulated."
    area: Mu!
  }

  "A plot (or part of one) to circulate."
  input CirculatedPlotInput {
    "Plot code."
    plotCode: String!
    "Area circulated; at most the plot's contract area."
    area: Mu!
  }

  "One review of a social-capital transferee."
  type CirculationReview {
    "Id of the review; cite it in recordCirculation.reviewIds."
    id: ID!
    "Township or city."
    level: ReviewLevel!
    "Qualification or project."
    kind: ReviewKind!
    "Whether it approved."
    approved: Boolean!
    "The review decision."
    act: RecordedAct
    "The transferee reviewed."
    transferee: Transferee
    "Area the review covers."
    area: Mu!
    "The project reviewed."
    project: String!
    "Township where the land lies."
    township: Division
  }

  "土地经营权流转 — a circulation of the management right of some plots of one contract."
  type Circulation {
    "Id of the circulation."
    id: ID!
    "The contract whose plots circulate."
    contractId: ID!
    "Its contract code."
    contractCode: String!
    "The contracting household granting it."
    contractorHouseholdId: ID!
    "The issuer of the contract."
    issuerCode: String!
    "Township of the land."
    township: Division
    "Village of the land."
    village: Division
    "Lease, sub-contract, shareholding or other."
    mode: CirculationMode!
    "Who receives the management right."
    transferee: Transferee
    "Plots and areas circulated."
    plots: [CirculatedPlot!]!
    "Total area circulated."
    area: Mu!
    "Start of the term."
    termStart: Date!
    "End of the term; never after the contract's."
    termEnd: Date!
    "Agricultural use."
    use: LandUse!
    "书面合同 signed."
    written: Boolean!
    "备案 with the issuer."
    filing: RecordedAct
    "Active, terminated or expired."
    status: CirculationStatus!
    "Day it was ended early."
    terminatedOn: Date
    "Ground it was ended on."
    terminationGround: TerminationGround
    "Who ended it."
    terminatedBy: TerminatingParty
    "Document that established the ground."
    terminationEvidenceRef: String
    "Price per mu and year, when agreed in money."
    annualPricePerMu: Fen
    "For a re-circulation (再流转): the circulation it derives from."
    parentCirculationId: ID
    "The contractor's written consent to a re-circulation."
    contractorConsent: RecordedAct
    "Reviews cited for it."
    reviews: [CirculationReview!]!
    "风险保障金 paid."
    riskDepositPaid: Fen!
    "风险保障金 the policy required."
    requiredRiskDeposit: Fen!
    "Review level the policy required; null when none."
    requiredReviewLevel: ReviewLevel
    "The transferee counts as social capital under the policy."
    socialCapital: Boolean!
    "Five years or more: may be registered (LCL Art 41)."
    registrable: Boolean!
    "Version of the circulation policy it was checked under."
    policyVersion: String!
    "Optimistic-locking version; increases with every change."
    version: Int!
  }

  "流转台账 — a township's ledger of circulations, in recording order."
  type CirculationConnection {
    "The circulations with their cursors."
    edges: [CirculationEdge!]!
    "The circulations of this page."
    nodes: [Circulation!]!
    "Where this page sits in the ledger."
    pageInfo: PageInfo!
    "Number of circulations matching (within your scope)."
    totalCount: Int!
    "Circulated area of every matching first circulation (re-circulations pass on area already counted)."
    totalArea: Mu!
  }

  "One circulation in the ledger."
  type CirculationEdge {
    "Cursor of this item."
    cursor: String!
    "The circulation."
    node: Circulation!
  }

  "Filters of the circulation ledger; all optional."
  input CirculationFilter {
    "12-digit village code."
    villageCode: String
    "One contract's circulations."
    contractId: ID
    "One contractor household's circulations."
    householdId: ID
    "Only this status."
    status: CirculationStatus
    "Only this kind of transferee."
    transfereeKind: TransfereeKind
  }

  "A review of a social-capital transferee, to be recorded."
  input RecordCirculationReviewInput {
    "Township or city (a township official records township reviews only)."
    level: ReviewLevel!
    "Qualification or project."
    kind: ReviewKind!
    "Whether it approved."
    approved: Boolean!
    "The review decision."
    act: RecordedActInput!
    "The transferee reviewed."
    transferee: TransfereeInput!
    "Area the review covers."
    area: Mu!
    "The project reviewed."
    project: String!
    "9-digit township where the land lies."
    townshipCode: String!
    "Why: the review decision or another document."
    change: ChangeInput!
  }

  "Result of recordCirculationReview."
  type RecordCirculationReviewPayload {
    "The recorded review."
    review: CirculationReview
    "Refusals by rule; empty on success."
    userErrors: [UserError!]!
  }

  "A circulation of the management right, to be recorded in the township ledger."
  input RecordCirculationInput {
    "The contract whose plots circulate."
    contractId: ID!
    "Lease, sub-contract, shareholding or other."
    mode: CirculationMode!
    "Who receives the management right."
    transferee: TransfereeInput!
    "Plots and areas."
    plots: [CirculatedPlotInput!]!
    "Start of the term."
    termStart: Date!
    "No later than the contract's term end."
    termEnd: Date!
    "Agricultural use."
    use: LandUse!
    "A written contract was signed (required)."
    written: Boolean!
    "备案 with the issuer (required)."
    filing: RecordedActInput
    "Price per mu and year, when agreed in money."
    annualPricePerMu: Fen
    "For a re-circulation: the circulation the transferee holds."
    parentCirculationId: ID
    "The contractor's written consent to a re-circulation."
    contractorConsent: RecordedActInput
    "Reviews (recordCirculationReview) of this transferee covering the circulation."
    reviewIds: [ID!]
    "风险保障金 paid."
    riskDepositPaid: Fen = 0
    "Why: the circulation contract or another document."
    change: ChangeInput!
  }

  "Result of recordCirculation."
  type RecordCirculationPayload {
    "The recorded circulation."
    circulation: Circulation
    "Refusals by rule (e.g. CIRCULATION_REVIEW_REQUIRED, CIRCULATION_TERM_BEYOND_CONTRACT); empty on success."
    userErrors: [UserError!]!
  }

  "An early termination of a circulation."
  input TerminateCirculationInput {
    "The circulation to end."
    circulationId: ID!
    "Ground of the law."
    ground: TerminationGround!
    "Contractor or issuer."
    by: TerminatingParty!
    "Day it ends; not in the future."
    terminationDate: Date!
    "The document that establishes the ground."
    evidenceRef: String!
    "Why: the notice of termination or another document."
    change: ChangeInput!
  }

  "Result of terminateCirculation."
  type TerminateCirculationPayload {
    "The circulation, now TERMINATED."
    circulation: Circulation
    "Refusals by rule (e.g. CIRCULATION_EARLY_TERMINATION_GROUND, IDLENESS_NOT_ESTABLISHED); empty on success."
    userErrors: [UserError!]!
  }

  "Takes one item off the review queue by hand."
  input SettleExchangeReviewItemInput {
    "Certificate or disposal."
    kind: ExchangeReviewItemKind!
    "The deal id (certificate) or the disposal id."
    id: ID!
    "What was done about it (at most 2,000 characters)."
    settlement: String!
    "Why: the reason or the document."
    change: ChangeInput!
  }

  "Result of settleExchangeReviewItem."
  type SettleExchangeReviewItemPayload {
    "The item, now settled (no longer in the queue)."
    item: ExchangeReviewItem
    "Refusals by rule (NOT_UNDER_REVIEW: placed or settled already); empty on success."
    userErrors: [UserError!]!
  }

  "A sweep of a township's circulations left idle two years."
  input TerminateIdleCirculationsInput {
    "9-digit township code."
    townshipCode: String!
    "Day on which idleness is judged; today when omitted."
    asOf: Date
    "Why: the issuer's decision or another document."
    change: ChangeInput!
  }

  "Result of terminateIdleCirculations."
  type TerminateIdleCirculationsPayload {
    "Circulations ended (with their re-circulations)."
    terminated: [Circulation!]
    "Refusals by rule; empty on success."
    userErrors: [UserError!]!
  }

  # ---------------------------------------------------------------------------------------------
  # Abandoned land (弃耕抛荒)

  "发包方措施 — what the issuer did about abandoned land."
  enum IssuerMeasureKind {
    "督促"
    REMINDER
    "责令恢复耕种"
    ORDER_TO_RESUME
    "代耕"
    SUBSTITUTE_CULTIVATION
    "A demand that the contractor end the circulation."
    DEMAND_CIRCULATION_TERMINATION
    "Another measure (say what in the note)."
    OTHER
  }

  "A corrective measure the issuer took about a report."
  type IssuerMeasure {
    "Id of the measure."
    id: ID!
    "The report it answers."
    reportId: ID!
    "What was done."
    kind: IssuerMeasureKind!
    "Day it was taken."
    takenOn: Date!
    "Details."
    note: String!
    "The document of the measure."
    act: RecordedAct
  }

  "弃耕抛荒报告 — land found left uncultivated."
  type AbandonmentReport {
    "Id of the report."
    id: ID!
    "The contract of the land."
    contractId: ID!
    "The plot."
    plotCode: String!
    "Area left idle."
    area: Mu!
    "First day the land was seen uncultivated."
    since: Date!
    "Day of the report."
    reportedOn: Date!
    "Day cultivation resumed; null while idle."
    resumedOn: Date
    "Who reported (principal subject)."
    reportedBy: String!
    "Township of the land."
    township: Division
    "Village of the land."
    village: Division
    "The issuer's measures about it."
    measures: [IssuerMeasure!]!
  }

  "Abandonment reports in recording order."
  type AbandonmentReportConnection {
    "The reports with their cursors."
    edges: [AbandonmentReportEdge!]!
    "The reports of this page."
    nodes: [AbandonmentReport!]!
    "Where this page sits in the list."
    pageInfo: PageInfo!
    "Number of reports matching (within your scope)."
    totalCount: Int!
    "Abandoned area of every matching report."
    totalArea: Mu!
  }

  "One report in a connection."
  type AbandonmentReportEdge {
    "Cursor of this item."
    cursor: String!
    "The report."
    node: AbandonmentReport!
  }

  "A report of land left uncultivated."
  input ReportAbandonmentInput {
    "The contract of the land (in force)."
    contractId: ID!
    "The plot."
    plotCode: String!
    "Area left idle; at most the plot's contract area."
    area: Mu!
    "First day the land was seen uncultivated."
    since: Date!
    "Day of the report; not in the future."
    reportedOn: Date!
    "Why: the inspection record or another document."
    change: ChangeInput!
  }

  "Result of reportAbandonment."
  type ReportAbandonmentPayload {
    "The recorded report."
    report: AbandonmentReport
    "Refusals by rule (e.g. AREA_EXCEEDS_PLOT); empty on success."
    userErrors: [UserError!]!
  }

  "Cultivation resumed on reported land."
  input RecordCultivationResumedInput {
    "The report."
    reportId: ID!
    "Day cultivation resumed."
    resumedOn: Date!
    "Why: the inspection record or another document."
    change: ChangeInput!
  }

  "Result of recordCultivationResumed."
  type RecordCultivationResumedPayload {
    "The report with its resumption day."
    report: AbandonmentReport
    "Refusals by rule; empty on success."
    userErrors: [UserError!]!
  }

  "The issuer's corrective measure about a report."
  input RecordIssuerMeasureInput {
    "The report it answers."
    reportId: ID!
    "What was done."
    kind: IssuerMeasureKind!
    "Day it was taken; not before the report."
    takenOn: Date!
    "Details; required when kind is OTHER."
    note: String = ""
    "The document of the measure."
    act: RecordedActInput
    "Why: the measure's document or another reference."
    change: ChangeInput!
  }

  "Result of recordIssuerMeasure."
  type RecordIssuerMeasurePayload {
    "The recorded measure."
    measure: IssuerMeasure
    "Refusals by rule (e.g. MEASURE_BEFORE_REPORT); empty on success."
    userErrors: [UserError!]!
  }

  # ---------------------------------------------------------------------------------------------
  # Encumbrance and collateral

  "A registered mortgage (抵押登记) on a land management right, learned from the exchange centre."
  type Encumbrance {
    "Mortgage id in property-mortgage."
    mortgageId: ID!
    "The mortgaged contract."
    contractId: ID!
    "The contracting household at registration."
    householdId: ID
    "Plots covered; empty means the whole contract."
    plotCodes: [String!]!
    "Set when the mortgagor holds the right by circulation."
    circulationId: ID
    "Amount secured."
    securedAmount: Fen!
    "Day registered."
    registeredOn: Date
    "Day released; null while it stands."
    releasedOn: Date
    "Last day it secures; never beyond the contract's or the circulation's term."
    securedUntil: Date
    "Mortgagee bank's unified social credit code."
    mortgageeCreditCode: String!
    "抵押登记证书 number."
    certificateNo: String!
    "Ranking among mortgages on the right (1 = first)."
    ranking: Int!
    "Registered and not released today."
    inEffect: Boolean!
    "Township of the land."
    township: Division
  }

  extend type Contract {
    "Mortgages on this contract: those in effect, or all with includeReleased."
    encumbrances(includeReleased: Boolean = false): [Encumbrance!]!
  }

  extend type Household {
    "Mortgages on this household's contracts: those in effect, or all with includeReleased."
    encumbrances(includeReleased: Boolean = false): [Encumbrance!]!
  }

  "What is left of a term on the day asked about."
  type RemainingTerm {
    "Days to the end."
    totalDays: Int!
    "Whole calendar years."
    wholeYears: Int!
    "Days after the whole years."
    extraDays: Int!
  }

  "A plot as a collateral check sees it."
  type CollateralPlot {
    "Plot code."
    code: String!
    "Local name."
    name: String!
    "Contract area."
    contractArea: Mu!
    "Land class."
    landClass: LandClass!
    "永久基本农田."
    basicFarmland: Boolean!
    "A registered mortgage covers it."
    encumbered: Boolean!
    "Area whose management right a transferee holds on the day."
    circulatedArea: Mu!
  }

  "A management right a transferee holds by circulation, as a bank sees it."
  type CirculatedRight {
    "The circulation."
    circulationId: ID!
    "Who holds it."
    transferee: Transferee
    "Plots and areas."
    plots: [CirculatedPlot!]!
    "Total area."
    area: Mu!
    "Start of the circulation."
    termStart: Date!
    "End of the circulation."
    termEnd: Date!
    "What is left of it."
    remaining: RemainingTerm
    "A transferee's mortgage secures only what the circulation term covers."
    securableUntil: Date!
    "Mortgages the transferee registered on it."
    encumbrances: [Encumbrance!]!
    "Their secured total."
    securedTotal: Fen!
  }

  "The part offered as security (the plots or circulation asked about)."
  type CollateralScope {
    "Plots offered."
    plotCodes: [String!]!
    "The transferee's circulation offered, if any."
    circulationId: ID
    "Area offered."
    area: Mu!
    "Last day a mortgage on it may secure."
    securableUntil: Date!
    "Mortgages in effect over any plot offered."
    encumbrances: [Encumbrance!]!
    "Their secured total."
    securedTotal: Fen!
    "The scope can secure a loan."
    eligible: Boolean!
    "Why not, when not."
    ineligibility: [RuleFinding!]!
  }

  "A collateral check on contracted land (土地经营权抵押): who holds the right, for how long, over what, under which mortgages."
  type LandCollateral {
    "Day of the check."
    asOf: Date!
    "The contract."
    contractId: ID!
    "Its contract code."
    contractCode: String!
    "Its issuer."
    issuerCode: String!
    "Township of the land."
    township: Division
    "The contracting household that holds the right."
    holderHouseholdId: ID!
    "Its household code."
    holderHouseholdCode: String!
    "Contract status."
    status: ContractStatus!
    "The contractor's right can secure a loan: in force, term left, household not extinct."
    eligible: Boolean!
    "Why not, when not."
    ineligibility: [RuleFinding!]!
    "End of the contract term."
    termEnd: Date!
    "What is left of the term."
    remaining: RemainingTerm
    "Contract area."
    area: Mu!
    "The plots."
    plots: [CollateralPlot!]!
    "Mortgages in effect on the contract."
    encumbrances: [Encumbrance!]!
    "Their secured total."
    securedTotal: Fen!
    "Management rights transferees hold by circulation."
    circulatedRights: [CirculatedRight!]!
    "The scope asked about."
    requested: CollateralScope
  }

  extend type Mutation {
    "Records the death of a household member; says whether the household is now extinct (承包方消亡)."
    recordMemberDeath(input: RecordMemberDeathInput!): RecordMemberDeathPayload!
    "收回 — the issuer reclaims an extinct household's family contract; earned income passes to the named heirs."
    reclaimContract(input: ReclaimContractInput!): ReclaimContractPayload!
    "另行发包 — contracts plots from the issuer's pool to a household."
    recontractPlots(input: RecontractPlotsInput!): RecontractPlotsPayload!
    "承包权转让 — transfers all or some plots to another household of the same collective, with the issuer's consent."
    transferContractRight(input: TransferContractRightInput!): TransferContractRightPayload!
    "互换 — two households of the same collective swap plots, filed with the issuer."
    exchangePlots(input: ExchangePlotsInput!): ExchangePlotsPayload!
    "自愿有偿退出 — the household surrenders its contract to the collective against compensation."
    surrenderContract(input: SurrenderContractInput!): SurrenderContractPayload!
    "Records a review of a social-capital transferee (分级资格审查和项目审核)."
    recordCirculationReview(input: RecordCirculationReviewInput!): RecordCirculationReviewPayload!
    "土地经营权流转 — records a circulation filed with the issuer, entered in the township ledger."
    recordCirculation(input: RecordCirculationInput!): RecordCirculationPayload!
    "Ends a circulation early on a ground of the law."
    terminateCirculation(input: TerminateCirculationInput!): TerminateCirculationPayload!
    "Takes an item of the exchange review queue (待复核) off it by hand, saying what was done; audited."
    settleExchangeReviewItem(input: SettleExchangeReviewItemInput!): SettleExchangeReviewItemPayload!
    "Ends every circulation of a township left idle two consecutive years (from abandonment reports)."
    terminateIdleCirculations(input: TerminateIdleCirculationsInput!): TerminateIdleCirculationsPayload!
    "弃耕抛荒 — reports land left uncultivated."
    reportAbandonment(input: ReportAbandonmentInput!): ReportAbandonmentPayload!
    "Records that cultivation resumed on reported land."
    recordCultivationResumed(input: RecordCultivationResumedInput!): RecordCultivationResumedPayload!
    "Records the issuer's corrective measure about a report."
    recordIssuerMeasure(input: RecordIssuerMeasureInput!): RecordIssuerMeasurePayload!
  }

  extend type Query {
    "流转台账 — the township's ledger of management-right circulations (at most 100 per page)."
    circulations(townshipCode: String!, filter: CirculationFilter, first: Int = 20, after: String): CirculationConnection!
    "A circulation by id; null when it does not exist or is outside your scope."
    circulation(id: ID!): Circulation
    "The surrender compensation the policy in force on the date computes, with its formula; records nothing."
    surrenderCompensationPreview(contractId: ID!, surrenderDate: Date, soilImprovement: Fen = 0): SurrenderCompensationPreview
    "Mortgages on a contract or on a household's contracts."
    encumbrances(contractId: ID, householdId: ID, includeReleased: Boolean = false): [Encumbrance!]!
    "Extinct households still holding contracts in force: the issuers' reclaim work list."
    extinctHouseholds(townshipCode: String, issuerCode: String, first: Int = 20, after: String): ExtinctHouseholdConnection!
    "待复核 — certificates and disposals from the exchange centre the register could not place, oldest first: the operators' work list. Township officials see their townships; banks, county systems and village task forces are refused."
    exchangeReviewQueue(townshipCode: String, first: Int = 20, after: String): ExchangeReviewItemConnection!
    "Plots back with their issuers, waiting to be contracted anew."
    returnedPlots(issuerCode: String, townshipCode: String, first: Int = 20, after: String): ReturnedPlotConnection!
    "Abandonment reports; openOnly keeps those still idle on asOf (today when omitted)."
    abandonmentReports(townshipCode: String, contractId: ID, openOnly: Boolean = false, asOf: Date, first: Int = 20, after: String): AbandonmentReportConnection!
    "A collateral check on a land contract (for banks and the exchange centre); null when the contract is not found."
    landCollateral(contractId: ID!, plotCodes: [String!], circulationId: ID, asOf: Date): LandCollateral
  }
`;

// ---------------------------------------------------------------------------------------------
// Scalars and small helpers

function parseFen(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new GraphQLError(`Fen must be a whole number of fen, zero or more, got ${JSON.stringify(value)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return n;
}

export const FenScalar = new GraphQLScalarType({
  name: 'Fen',
  serialize: (v) => Number(v),
  parseValue: parseFen,
  parseLiteral: (ast) =>
    parseFen(ast.kind === Kind.INT ? Number(ast.value) : ast.kind === Kind.STRING ? ast.value : undefined),
});

const bare = (prefix: string) => (value: string) =>
  value.startsWith(prefix) && !value.endsWith('_UNSPECIFIED') ? value.slice(prefix.length) : null;
const orNullText = (value: string) => value || null;
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

interface ActArg {
  actedOn: string;
  reference: string;
  by?: string | null;
}
const actOf = (a: ActArg | null | undefined): RecordedAct | undefined =>
  a ? { actedOn: a.actedOn, reference: a.reference, by: a.by ?? '' } : undefined;

/** A mutation whose payload spreads the service's response, refusals as userErrors. */
async function payload<T extends object>(
  run: () => Promise<T>,
): Promise<Partial<T> & { userErrors: UserError[] }> {
  const result = await runMutation('result', run);
  const value = (result['result'] as T | null) ?? {};
  return { ...value, userErrors: result['userErrors'] as UserError[] } as Partial<T> & {
    userErrors: UserError[];
  };
}

function checkFirst(first: number | null | undefined): number {
  const n = first ?? 20;
  if (n < 1 || n > 100)
    throw badUserInput([violation('PAGE_SIZE', 'first', 'first must be between 1 and 100.')]);
  return n;
}

function checkCode(value: string | null | undefined, digits: number, field: string): void {
  if (value && !new RegExp(`^\\d{${digits}}$`).test(value)) {
    throw badUserInput([violation('CODE_FORMAT', field, `${field} must be ${digits} digits.`)]);
  }
}

const cursorOf = (key: string) => Buffer.from(`c:${key}`).toString('base64url');

/** A Relay connection over one page of a keyset-paged list; `keyOf` gives each item's cursor key. */
function connection<T>(
  nodes: T[],
  nextPageToken: string | undefined,
  totalCount: number,
  keyOf: (node: T) => string,
) {
  const endCursor = nextPageToken || null;
  return {
    nodes,
    edges: nodes.map((node) => ({ node, cursor: cursorOf(keyOf(node)) })),
    pageInfo: {
      hasNextPage: Boolean(endCursor),
      endCursor,
      startCursor: nodes[0] ? cursorOf(keyOf(nodes[0])) : null,
    },
    totalCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Argument shapes

interface TransfereeArg {
  kind: string;
  name: string;
  creditCode?: string | null;
  residentId?: string | null;
  householdId?: string | null;
  memberOfCollective?: boolean | null;
}
const transfereeOf = (t: TransfereeArg): Transferee => ({
  kind: `TRANSFEREE_KIND_${t.kind}` as Transferee['kind'],
  name: t.name,
  creditCode: t.creditCode ?? '',
  residentId: t.residentId ?? '',
  householdId: t.householdId ?? '',
  memberOfCollective: t.memberOfCollective ?? false,
});

type Input<T> = { input: T & { change: ChangeArg } };

// ---------------------------------------------------------------------------------------------
// Resolvers

export const landContractRightsResolvers = {
  Fen: FenScalar,

  Mutation: {
    recordMemberDeath: (
      _: unknown,
      { input }: Input<{ householdId: string; residentId: string; deceasedOn: string }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recordMemberDeath(
          {
            householdId: input.householdId,
            residentId: input.residentId,
            deceasedOn: input.deceasedOn,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    reclaimContract: (
      _: unknown,
      {
        input,
      }: Input<{
        contractId: string;
        decidedOn: string;
        decisionRef: string;
        earnedIncome: { description: string; amount: number; earnedOn: string }[];
        heirs: { name: string; residentId?: string | null; relation: string; amount: number }[];
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.reclaimContract(
          {
            contractId: input.contractId,
            decidedOn: input.decidedOn,
            decisionRef: input.decisionRef,
            earnedIncome: input.earnedIncome.map((e) => ({
              description: e.description,
              amountFen: e.amount,
              earnedOn: e.earnedOn,
            })),
            heirs: input.heirs.map((h) => ({
              name: h.name,
              residentId: h.residentId ?? '',
              relation: h.relation,
              amountFen: h.amount,
            })),
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    recontractPlots: (
      _: unknown,
      {
        input,
      }: Input<{
        householdId: string;
        mode: string;
        termStart: string;
        termEnd: string;
        plotCodes: string[];
        secondRoundEnd?: string | null;
        adjustmentForbidden?: boolean | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recontractPlots(
          {
            householdId: input.householdId,
            mode: `CONTRACT_MODE_${input.mode}` as Contract['mode'],
            termStartDate: input.termStart,
            termEndDate: input.termEnd,
            plotCodes: input.plotCodes,
            secondRoundEndDate: input.secondRoundEnd ?? '',
            adjustmentForbidden: input.adjustmentForbidden ?? false,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    transferContractRight: (
      _: unknown,
      {
        input,
      }: Input<{
        contractId: string;
        toHouseholdId: string;
        plotCodes?: string[] | null;
        transferDate: string;
        issuerConsent?: ActArg | null;
        price?: number | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.transferContractRight(
          {
            contractId: input.contractId,
            toHouseholdId: input.toHouseholdId,
            plotCodes: input.plotCodes ?? [],
            transferDate: input.transferDate,
            issuerConsent: actOf(input.issuerConsent),
            ...(input.price !== null && input.price !== undefined ? { priceFen: input.price } : {}),
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    exchangePlots: (
      _: unknown,
      {
        input,
      }: Input<{
        a: { contractId: string; plotCodes: string[] };
        b: { contractId: string; plotCodes: string[] };
        exchangeDate: string;
        filing?: ActArg | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.exchangePlots(
          {
            a: input.a,
            b: input.b,
            exchangeDate: input.exchangeDate,
            filing: actOf(input.filing),
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    surrenderContract: (
      _: unknown,
      {
        input,
      }: Input<{
        contractId: string;
        surrenderDate: string;
        notice: { givenOn: string; written: boolean; reference: string };
        voluntary: boolean;
        hukouCondition: boolean;
        compensationAgreed: boolean;
        soilImprovement?: number | null;
        issuerAcceptance?: ActArg | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.surrenderContract(
          {
            contractId: input.contractId,
            surrenderDate: input.surrenderDate,
            notice: input.notice,
            voluntary: input.voluntary,
            hukouCondition: input.hukouCondition,
            compensationAgreed: input.compensationAgreed,
            soilImprovementFen: input.soilImprovement ?? 0,
            issuerAcceptance: actOf(input.issuerAcceptance),
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    recordCirculationReview: (
      _: unknown,
      {
        input,
      }: Input<{
        level: string;
        kind: string;
        approved: boolean;
        act: ActArg;
        transferee: TransfereeArg;
        area: number;
        project: string;
        townshipCode: string;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recordCirculationReview(
          {
            level: `REVIEW_LEVEL_${input.level}` as CirculationReview['level'],
            kind: `REVIEW_KIND_${input.kind}` as CirculationReview['kind'],
            approved: input.approved,
            act: actOf(input.act),
            transferee: transfereeOf(input.transferee),
            areaMu4: input.area,
            project: input.project,
            townshipCode: input.townshipCode,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    recordCirculation: (
      _: unknown,
      {
        input,
      }: Input<{
        contractId: string;
        mode: string;
        transferee: TransfereeArg;
        plots: { plotCode: string; area: number }[];
        termStart: string;
        termEnd: string;
        use: string;
        written: boolean;
        filing?: ActArg | null;
        annualPricePerMu?: number | null;
        parentCirculationId?: string | null;
        contractorConsent?: ActArg | null;
        reviewIds?: string[] | null;
        riskDepositPaid?: number | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recordCirculation(
          {
            contractId: input.contractId,
            mode: `CIRCULATION_MODE_${input.mode}` as Circulation['mode'],
            transferee: transfereeOf(input.transferee),
            plots: input.plots.map((p) => ({ plotCode: p.plotCode, areaMu4: p.area })),
            termStartDate: input.termStart,
            termEndDate: input.termEnd,
            use: `LAND_USE_${input.use}` as Circulation['use'],
            written: input.written,
            filing: actOf(input.filing),
            ...(input.annualPricePerMu !== null && input.annualPricePerMu !== undefined
              ? { annualPricePerMuFen: input.annualPricePerMu }
              : {}),
            parentCirculationId: input.parentCirculationId ?? '',
            contractorConsent: actOf(input.contractorConsent),
            reviewIds: input.reviewIds ?? [],
            riskDepositPaidFen: input.riskDepositPaid ?? 0,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    terminateCirculation: (
      _: unknown,
      {
        input,
      }: Input<{
        circulationId: string;
        ground: string;
        by: string;
        terminationDate: string;
        evidenceRef: string;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.terminateCirculation(
          {
            circulationId: input.circulationId,
            ground: `TERMINATION_GROUND_${input.ground}` as Circulation['terminationGround'],
            by: `TERMINATING_PARTY_${input.by}` as Circulation['terminatedBy'],
            terminationDate: input.terminationDate,
            evidenceRef: input.evidenceRef,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    settleExchangeReviewItem: (
      _: unknown,
      { input }: Input<{ kind: string; id: string; settlement: string }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.settleExchangeReviewItem(
          {
            kind: `EXCHANGE_REVIEW_ITEM_KIND_${input.kind}` as ExchangeReviewItem['kind'],
            id: input.id,
            settlement: input.settlement,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    terminateIdleCirculations: (
      _: unknown,
      { input }: Input<{ townshipCode: string; asOf?: string | null }>,
      ctx: GatewayContext,
    ) => {
      checkCode(input.townshipCode, 9, 'input.townshipCode');
      return payload(() =>
        ctx.downstream.landRights.terminateIdleCirculations(
          { townshipCode: input.townshipCode, asOfDate: input.asOf ?? '', context: changeOf(input.change) },
          call(ctx),
        ),
      );
    },

    reportAbandonment: (
      _: unknown,
      {
        input,
      }: Input<{ contractId: string; plotCode: string; area: number; since: string; reportedOn: string }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.reportAbandonment(
          {
            contractId: input.contractId,
            plotCode: input.plotCode,
            areaMu4: input.area,
            sinceDate: input.since,
            reportedOn: input.reportedOn,
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),

    recordCultivationResumed: (
      _: unknown,
      { input }: Input<{ reportId: string; resumedOn: string }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recordCultivationResumed(
          { reportId: input.reportId, resumedOn: input.resumedOn, context: changeOf(input.change) },
          call(ctx),
        ),
      ),

    recordIssuerMeasure: (
      _: unknown,
      {
        input,
      }: Input<{
        reportId: string;
        kind: string;
        takenOn: string;
        note?: string | null;
        act?: ActArg | null;
      }>,
      ctx: GatewayContext,
    ) =>
      payload(() =>
        ctx.downstream.landRights.recordIssuerMeasure(
          {
            reportId: input.reportId,
            kind: `ISSUER_MEASURE_KIND_${input.kind}` as IssuerMeasure['kind'],
            takenOn: input.takenOn,
            note: input.note ?? '',
            act: actOf(input.act),
            context: changeOf(input.change),
          },
          call(ctx),
        ),
      ),
  },

  Query: {
    async circulations(
      _: unknown,
      args: {
        townshipCode: string;
        filter?: {
          villageCode?: string | null;
          contractId?: string | null;
          householdId?: string | null;
          status?: string | null;
          transfereeKind?: string | null;
        } | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      checkCode(args.townshipCode, 9, 'townshipCode');
      checkCode(args.filter?.villageCode, 12, 'filter.villageCode');
      try {
        const r = await ctx.downstream.landRights.listCirculations(
          {
            townshipCode: args.townshipCode,
            villageCode: args.filter?.villageCode ?? '',
            contractId: args.filter?.contractId ?? '',
            householdId: args.filter?.householdId ?? '',
            status: args.filter?.status
              ? (`CIRCULATION_STATUS_${args.filter.status}` as Circulation['status'])
              : 'CIRCULATION_STATUS_UNSPECIFIED',
            transfereeKind: args.filter?.transfereeKind
              ? (`TRANSFEREE_KIND_${args.filter.transfereeKind}` as Transferee['kind'])
              : 'TRANSFEREE_KIND_UNSPECIFIED',
            page: { pageSize: first, pageToken: args.after ?? '' },
          },
          call(ctx),
        );
        return {
          ...connection(r.circulations, r.pageInfo?.nextPageToken, r.pageInfo?.totalCount ?? 0, (x) => x.id),
          totalArea: r.totalAreaMu4,
        };
      } catch (error) {
        throw fromDownstream(error, 'filter.');
      }
    },

    circulation: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landRights
          .getCirculation({ id: args.id }, call(ctx))
          .then((r) => r.circulation ?? null),
      ),

    surrenderCompensationPreview: (
      _: unknown,
      args: { contractId: string; surrenderDate?: string | null; soilImprovement?: number | null },
      ctx: GatewayContext,
    ) =>
      orNull(
        ctx.downstream.landRights.previewSurrenderCompensation(
          {
            contractId: args.contractId,
            surrenderDate: args.surrenderDate ?? '',
            soilImprovementFen: args.soilImprovement ?? 0,
          },
          call(ctx),
        ),
      ),

    async encumbrances(
      _: unknown,
      args: { contractId?: string | null; householdId?: string | null; includeReleased?: boolean | null },
      ctx: GatewayContext,
    ) {
      if (!args.contractId && !args.householdId) {
        throw badUserInput([
          violation('ENCUMBRANCE_SUBJECT_REQUIRED', 'contractId', 'Give a contractId or a householdId.'),
        ]);
      }
      const all = args.contractId
        ? await ctx.loaders.encumbrancesByContract.load(args.contractId)
        : await ctx.loaders.encumbrancesByHousehold.load(args.householdId ?? '');
      return args.includeReleased ? all : all.filter((e) => e.inEffect);
    },

    async extinctHouseholds(
      _: unknown,
      args: {
        townshipCode?: string | null;
        issuerCode?: string | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      checkCode(args.townshipCode, 9, 'townshipCode');
      checkCode(args.issuerCode, 14, 'issuerCode');
      try {
        const r = await ctx.downstream.landRights.listExtinctHouseholds(
          {
            townshipCode: args.townshipCode ?? '',
            issuerCode: args.issuerCode ?? '',
            page: { pageSize: first, pageToken: args.after ?? '' },
          },
          call(ctx),
        );
        return connection(
          r.households,
          r.pageInfo?.nextPageToken,
          r.pageInfo?.totalCount ?? 0,
          (x) => x.household?.code ?? '',
        );
      } catch (error) {
        throw fromDownstream(error);
      }
    },

    async exchangeReviewQueue(
      _: unknown,
      args: { townshipCode?: string | null; first?: number | null; after?: string | null },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      checkCode(args.townshipCode, 9, 'townshipCode');
      try {
        const r = await ctx.downstream.landRights.listExchangeReviewItems(
          { townshipCode: args.townshipCode ?? '', page: { pageSize: first, pageToken: args.after ?? '' } },
          call(ctx),
        );
        // The service gives each item its own page token, so every edge can continue the list.
        const endCursor = r.pageInfo?.nextPageToken || null;
        return {
          nodes: r.items,
          edges: r.items.map((node) => ({ node, cursor: node.cursor })),
          pageInfo: { hasNextPage: Boolean(endCursor), endCursor, startCursor: r.items[0]?.cursor ?? null },
          totalCount: r.pageInfo?.totalCount ?? 0,
        };
      } catch (error) {
        throw fromDownstream(error);
      }
    },

    async returnedPlots(
      _: unknown,
      args: {
        issuerCode?: string | null;
        townshipCode?: string | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      checkCode(args.townshipCode, 9, 'townshipCode');
      checkCode(args.issuerCode, 14, 'issuerCode');
      try {
        const r = await ctx.downstream.landRights.listReturnedPlots(
          {
            issuerCode: args.issuerCode ?? '',
            townshipCode: args.townshipCode ?? '',
            page: { pageSize: first, pageToken: args.after ?? '' },
          },
          call(ctx),
        );
        return connection(
          r.plots,
          r.pageInfo?.nextPageToken,
          r.pageInfo?.totalCount ?? 0,
          (x) => x.plot?.code ?? '',
        );
      } catch (error) {
        throw fromDownstream(error);
      }
    },

    async abandonmentReports(
      _: unknown,
      args: {
        townshipCode?: string | null;
        contractId?: string | null;
        openOnly?: boolean | null;
        asOf?: string | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      const first = checkFirst(args.first);
      checkCode(args.townshipCode, 9, 'townshipCode');
      try {
        const r = await ctx.downstream.landRights.listAbandonmentReports(
          {
            townshipCode: args.townshipCode ?? '',
            contractId: args.contractId ?? '',
            openOnly: args.openOnly ?? false,
            asOfDate: args.asOf ?? '',
            page: { pageSize: first, pageToken: args.after ?? '' },
          },
          call(ctx),
        );
        return {
          ...connection(r.reports, r.pageInfo?.nextPageToken, r.pageInfo?.totalCount ?? 0, (x) => x.id),
          totalArea: r.totalAreaMu4,
        };
      } catch (error) {
        throw fromDownstream(error);
      }
    },

    landCollateral: (
      _: unknown,
      args: {
        contractId: string;
        plotCodes?: string[] | null;
        circulationId?: string | null;
        asOf?: string | null;
      },
      ctx: GatewayContext,
    ) => {
      const request: VerifyCollateralRequest = {
        contractId: args.contractId,
        plotCodes: args.plotCodes ?? [],
        circulationId: args.circulationId ?? '',
        asOfDate: args.asOf ?? '',
      };
      return orNull(
        ctx.downstream.collateral.verifyCollateral(request, call(ctx)).then((r) => r.collateral ?? null),
      );
    },
  },

  Contract: {
    encumbrances: async (c: Contract, args: { includeReleased?: boolean | null }, ctx: GatewayContext) => {
      const all = await ctx.loaders.encumbrancesByContract.load(c.id);
      return args.includeReleased ? all : all.filter((e) => e.inEffect);
    },
  },

  Household: {
    encumbrances: async (h: Household, args: { includeReleased?: boolean | null }, ctx: GatewayContext) => {
      const all = await ctx.loaders.encumbrancesByHousehold.load(h.id);
      return args.includeReleased ? all : all.filter((e) => e.inEffect);
    },
  },

  RecordedAct: {
    actedOn: (a: RecordedAct) => a.actedOn,
  },

  ExchangeReviewItem: {
    kind: (i: ExchangeReviewItem) => bare('EXCHANGE_REVIEW_ITEM_KIND_')(i.kind),
    township: (i: ExchangeReviewItem) => (i.townshipCode ? divisionOf(i.townshipCode) : null),
    price: (i: ExchangeReviewItem) => i.priceFen,
    settledAt: (i: ExchangeReviewItem) => i.settledAt ?? null,
    settledBy: (i: ExchangeReviewItem) => orNullText(i.settledBy),
    settlement: (i: ExchangeReviewItem) => orNullText(i.settlement),
  },

  ExtinctHousehold: {
    lastDeathOn: (x: ExtinctHousehold) => orNullText(x.lastDeathOn),
  },

  Heir: {
    residentId: (h: { residentId: string }) => orNullText(h.residentId),
    amount: (h: { amountFen: number }) => h.amountFen,
  },

  IncomeEntry: {
    amount: (e: { amountFen: number }) => e.amountFen,
  },

  Reclamation: {
    totalIncome: (r: { totalIncomeFen: number }) => r.totalIncomeFen,
  },

  ReturnedPlot: {
    plot: (p: ReturnedPlot): Plot | undefined => p.plot,
    reason: (p: ReturnedPlot) => bare('RETURN_REASON_')(p.reason),
    township: (p: ReturnedPlot) => divisionOf(p.townshipCode),
  },

  CompensationBreakdown: {
    area: (c: CompensationBreakdown) => c.areaMu4,
    landCompensation: (c: CompensationBreakdown) => c.landCompensationFen,
    soilImprovement: (c: CompensationBreakdown) => c.soilImprovementFen,
    amount: (c: CompensationBreakdown) => c.amountFen,
  },

  Surrender: {
    noNewContractUntil: (s: { noNewContractUntilDate: string }) => s.noNewContractUntilDate,
  },

  Transferee: {
    kind: (t: Transferee) => bare('TRANSFEREE_KIND_')(t.kind),
    creditCode: (t: Transferee) => orNullText(t.creditCode),
    residentId: (t: Transferee) => orNullText(t.residentId),
    householdId: (t: Transferee) => orNullText(t.householdId),
  },

  CirculatedPlot: {
    area: (p: { areaMu4: number }) => p.areaMu4,
  },

  CirculationReview: {
    level: (r: CirculationReview) => bare('REVIEW_LEVEL_')(r.level),
    kind: (r: CirculationReview) => bare('REVIEW_KIND_')(r.kind),
    area: (r: CirculationReview) => r.areaMu4,
    township: (r: CirculationReview) => divisionOf(r.townshipCode),
  },

  Circulation: {
    township: (c: Circulation) => divisionOf(c.townshipCode),
    village: (c: Circulation) => divisionOf(c.villageCode),
    mode: (c: Circulation) => bare('CIRCULATION_MODE_')(c.mode),
    area: (c: Circulation) => c.areaMu4,
    termStart: (c: Circulation) => c.termStartDate,
    termEnd: (c: Circulation) => c.termEndDate,
    use: (c: Circulation) => bare('LAND_USE_')(c.use),
    status: (c: Circulation) => bare('CIRCULATION_STATUS_')(c.status),
    terminatedOn: (c: Circulation) => orNullText(c.terminatedOn),
    terminationGround: (c: Circulation) => bare('TERMINATION_GROUND_')(c.terminationGround),
    terminatedBy: (c: Circulation) => bare('TERMINATING_PARTY_')(c.terminatedBy),
    terminationEvidenceRef: (c: Circulation) => orNullText(c.terminationEvidenceRef),
    annualPricePerMu: (c: Circulation) => c.annualPricePerMuFen ?? null,
    parentCirculationId: (c: Circulation) => orNullText(c.parentCirculationId),
    riskDepositPaid: (c: Circulation) => c.riskDepositPaidFen,
    requiredRiskDeposit: (c: Circulation) => c.requiredRiskDepositFen,
    requiredReviewLevel: (c: Circulation) => bare('REVIEW_LEVEL_')(c.requiredReviewLevel),
  },

  IssuerMeasure: {
    kind: (m: IssuerMeasure) => bare('ISSUER_MEASURE_KIND_')(m.kind),
  },

  AbandonmentReport: {
    area: (r: AbandonmentReport) => r.areaMu4,
    since: (r: AbandonmentReport) => r.sinceDate,
    resumedOn: (r: AbandonmentReport) => orNullText(r.resumedOn),
    reportedBy: (r: AbandonmentReport) => r.reporter?.subject ?? '',
    township: (r: AbandonmentReport) => divisionOf(r.townshipCode),
    village: (r: AbandonmentReport) => divisionOf(r.villageCode),
  },

  Encumbrance: {
    householdId: (e: Encumbrance) => orNullText(e.householdId),
    circulationId: (e: Encumbrance) => orNullText(e.circulationId),
    securedAmount: (e: Encumbrance) => e.securedAmountFen,
    registeredOn: (e: Encumbrance) => orNullText(e.registeredOn),
    releasedOn: (e: Encumbrance) => orNullText(e.releasedOn),
    securedUntil: (e: Encumbrance) => orNullText(e.securedUntilDate),
    township: (e: Encumbrance) => (e.townshipCode ? divisionOf(e.townshipCode) : null),
  },

  CollateralPlot: {
    contractArea: (p: { contractAreaMu4: number }) => p.contractAreaMu4,
    landClass: (p: { landClass: string }) => bare('LAND_CLASS_')(p.landClass),
    circulatedArea: (p: { circulatedAreaMu4: number }) => p.circulatedAreaMu4,
  },

  CirculatedRight: {
    area: (c: { areaMu4: number }) => c.areaMu4,
    termStart: (c: { termStartDate: string }) => c.termStartDate,
    termEnd: (c: { termEndDate: string }) => c.termEndDate,
    securableUntil: (c: { securableUntilDate: string }) => c.securableUntilDate,
    securedTotal: (c: { securedTotalFen: number }) => c.securedTotalFen,
  },

  CollateralScope: {
    circulationId: (s: CollateralScope) => orNullText(s.circulationId),
    area: (s: CollateralScope) => s.areaMu4,
    securableUntil: (s: CollateralScope) => s.securableUntilDate,
    securedTotal: (s: CollateralScope) => s.securedTotalFen,
  },

  LandCollateral: {
    asOf: (c: Collateral) => c.asOfDate,
    township: (c: Collateral) => divisionOf(c.townshipCode),
    status: (c: Collateral) => bare('CONTRACT_STATUS_')(c.status),
    termEnd: (c: Collateral) => c.termEndDate,
    area: (c: Collateral) => c.areaMu4,
    securedTotal: (c: Collateral) => c.securedTotalFen,
  },
};
