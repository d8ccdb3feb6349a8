import type { Fen, LocalDate, Mu4, RuleViolation } from '@pingquan/reference';

// Plain data of the exchange centre. Proto enums are prefixed strings (RIGHT_TYPE_FOREST); the domain
// and the database use the bare name (FOREST). app/mapping.ts is the only place the two meet.

/** The rights of the plan's list (附件2 一(三)) plus collective income and ecological product rights. */
export const RIGHT_TYPE_NAMES = [
  'LAND_MANAGEMENT',
  'FARMER_HOUSE',
  'FOREST',
  'FOUR_WASTES',
  'COLLECTIVE_CONSTRUCTION_LAND',
  'COLLECTIVE_EQUITY',
  'COLLECTIVE_ASSET_OPERATION',
  'SMALL_WATER_FACILITY',
  'PRODUCTION_EQUIPMENT',
  'BIOLOGICAL_ASSET',
  'AGRICULTURAL_IP',
  'COLLECTIVE_INCOME',
  'ECO_PRODUCT',
] as const;
export type RightTypeName = (typeof RIGHT_TYPE_NAMES)[number];

export const PARTY_KINDS = [
  'HOUSEHOLD',
  'INDIVIDUAL',
  'COLLECTIVE',
  'COOPERATIVE',
  'FAMILY_FARM',
  'ENTERPRISE',
  'STORAGE_COMPANY',
] as const;
export type PartyKindName = (typeof PARTY_KINDS)[number];

export interface Party {
  kind: PartyKindName;
  name: string;
  /** Resident ID for households and individuals, unified social credit code for everyone else. */
  idNumber: string;
  householdId?: string;
}

export const DOCUMENT_KINDS = [
  'RIGHT_CERTIFICATE',
  'RIGHT_CONTRACT',
  'PURCHASE_INVOICE',
  'CONTRACTOR_WRITTEN_CONSENT',
  'CO_OWNER_CONSENT',
  'COLLECTIVE_RESOLUTION',
  'ISSUER_FILING',
  'CREDIT_REPORT',
  'LOAN_CONTRACT',
  'MORTGAGE_CONTRACT',
  'VALUATION_REPORT',
  'IDENTITY',
  'OTHER',
] as const;
export type DocumentKindName = (typeof DOCUMENT_KINDS)[number];

export interface DocumentRef {
  kind: DocumentKindName;
  number: string;
  title: string;
  issuedBy: string;
  issuedOn: string;
}

/** The right offered as security, named as its owning service knows it. */
export interface CollateralRef {
  rightType: RightTypeName;
  rightId: string;
  /** Plots covered (land management rights); empty means the whole right. */
  plotCodes: string[];
  /** Set when the mortgagor holds a management right by circulation. */
  circulationId: string;
}

/**
 * What the owning service says about a right on a day: who holds it, until when a mortgage on it may
 * secure, what is already secured on it, and whether it may be pledged at all.
 */
export interface CollateralFacts {
  ownerService: string;
  asOf: LocalDate;
  rightType: RightTypeName;
  rightId: string;
  townshipCode: string;
  villageCode: string;
  /** The household of the register holding the right (land management, farmer house). */
  holderHouseholdId: string;
  /** Identity number of the holder when the owner knows it (rights registered at the centre). */
  holderIdNumber: string;
  /** Last day a mortgage on the offered scope may secure; undefined when the right has no term. */
  securableUntil: LocalDate | undefined;
  remainingDays: number;
  areaMu4: Mu4;
  /** The owner's own judgement: in force, not extinct, not frozen. */
  eligible: boolean;
  ineligibility: RuleViolation[];
  /** Mortgages in effect on the offered scope, as the owner records them. */
  encumbrances: { mortgageId: string; securedAmountFen: Fen }[];
  collectiveProperty: boolean;
  /** The offered right is a transferee's circulated management right. */
  heldByTransferee: boolean;
  /** A family's only home (farmer houses): never disposed of. Undefined when the owner cannot say. */
  onlyHome: boolean | undefined;
}

export type MortgageStatusName =
  | 'APPLIED'
  | 'APPROVED'
  | 'REJECTED'
  | 'REGISTERED'
  | 'FILED'
  | 'RELEASED'
  | 'WITHDRAWN';

/** A registered mortgage stands from registration until release. */
export const STANDING_MORTGAGE: readonly MortgageStatusName[] = ['REGISTERED', 'FILED'];

export type LoanClassName = 'NORMAL' | 'SPECIAL_MENTION' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';
export type LoanStatusName = 'ACTIVE' | 'SETTLED' | 'IN_DISPOSAL' | 'CLOSED_WITH_LOSS';
export type RepaymentMethodName = 'EQUAL_PRINCIPAL' | 'INTEREST_ONLY_BULLET';
export type RepaymentSourceName = 'BORROWER' | 'DISPOSAL' | 'INSURER' | 'GUARANTOR';
export type DisposalMethodName =
  | 'ONLINE_AUCTION'
  | 'MARKET_TRANSFER'
  | 'STORAGE_ACQUISITION'
  | 'THIRD_PARTY_RECIRCULATION';
export type DisposalStatusName = 'OPEN' | 'COMPLETED' | 'FAILED';
export type LossCauseName = 'ORDINARY' | 'NATURAL_DISASTER';
export type ValuationMethodName = 'THIRD_PARTY_AGENCY' | 'GOVERNMENT_PANEL' | 'BANK_OWN' | 'NEGOTIATED';
export type ValuationBasisName = 'BENCHMARK_PRICE' | 'MARKET_COMPARABLE' | 'INCOME' | 'COST' | 'OTHER';
export type PriceUnitName = 'PER_MU_YEAR' | 'PER_MU' | 'PER_SQUARE_METRE' | 'PER_UNIT';
export type TransactionModeName =
  | 'LEASE'
  | 'SUBCONTRACT'
  | 'TRANSFER'
  | 'SHAREHOLDING'
  | 'CONTRACT_OPERATION'
  | 'AUCTION'
  | 'OTHER';

/** One scheduled installment and what has been paid on it. */
export interface Installment {
  seq: number;
  dueDate: LocalDate;
  principalFen: Fen;
  interestFen: Fen;
  principalPaidFen: Fen;
  interestPaidFen: Fen;
}
