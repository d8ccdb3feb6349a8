import type { ContractMode, Fen, LocalDate, Mu4 } from '@pingquan/reference';

/**
 * 承包方式 — contracting mode: `FAMILY` is 家庭承包 (members' households); the others (招标, 拍卖,
 * 公开协商) are for barren land (四荒) and may go to non-members. Defined with the contract-code digit
 * in `@pingquan/reference`, so the code and the mode cannot drift apart.
 */
export type { ContractMode };

// Data only: the shapes every rule module shares. Rules live next to the concept they govern.

/**
 * Contract status. `EXTENDED` is a contract in force in its 30-year extension; it behaves as
 * `ACTIVE` for every right (circulation, mortgage, transfer, surrender). The other four are final.
 */
export type ContractStatus =
  | 'ACTIVE'
  | 'EXTENDED'
  | 'TRANSFERRED'
  | 'SURRENDERED'
  | 'RECLAIMED'
  | 'TERMINATED';

/** 土地类别 — cultivated (耕地), garden (园地), forest (林地), grass (草地), other. */
export type LandClass = 'CULTIVATED' | 'GARDEN' | 'FOREST' | 'GRASS' | 'OTHER';

/** 四至 — the four boundaries of a plot as the register describes them (neighbour, road, ditch…). */
export interface Boundaries {
  east: string;
  south: string;
  west: string;
  north: string;
}

/** A GeoJSON geometry (RFC 7946); kept opaque here, validated where it enters. */
export interface GeoJsonGeometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: unknown;
}

/** 地块 — a contracted plot. */
export interface Plot {
  /** 地块编码: 19 characters, issuer code (14) + plot sequence (5). */
  code: string;
  name: string;
  /** 合同面积 — the area written in the contract; rights and figures use this one. */
  contractAreaMu4: Mu4;
  /** 实测面积 — the surveyed area from the certification campaign. */
  surveyedAreaMu4: Mu4;
  landClass: LandClass;
  /** 永久基本农田 */
  basicFarmland: boolean;
  boundaries: Boundaries;
  geometry?: GeoJsonGeometry;
}

export type MemberRelation =
  | 'HEAD'
  | 'SPOUSE'
  | 'CHILD'
  | 'PARENT'
  | 'GRANDCHILD'
  | 'GRANDPARENT'
  | 'SIBLING'
  | 'OTHER';

/** 脱贫人口 and 防止返贫监测对象. */
export type PovertyFlag = 'LIFTED_OUT_OF_POVERTY' | 'RETURN_TO_POVERTY_MONITORING';

/** 家庭成员 — a member of a contracting household. */
export interface Member {
  /** 18-character resident ID number; personal information, shown masked. */
  residentId: string;
  name: string;
  relation: MemberRelation;
  alive: boolean;
  deceasedOn?: LocalDate;
  /** 进城落户 */
  movedToTown: boolean;
  povertyFlags: readonly PovertyFlag[];
}

/** 承包方 — the contracting household (农户). */
export interface Household {
  id: string;
  /** 承包方编码: 18 characters, issuer code (14) + household sequence (4). */
  code: string;
  /** The collective it belongs to; transfers and exchanges stay inside it. */
  issuerCode: string;
  members: readonly Member[];
}

/** 承包合同 — a land contract between an issuer (发包方) and a household. */
export interface Contract {
  id: string;
  /** 承包合同代码: 19 characters, household code (issuer 14 + sequence 4) + mode (1). */
  code: string;
  /** 发包方编码: 14 characters, village division code (12) + group (2; `00` for the village). */
  issuerCode: string;
  householdId: string;
  mode: ContractMode;
  termStart: LocalDate;
  /** Expiry date; after a 30-year extension this is the end of the extended term. */
  termEnd: LocalDate;
  status: ContractStatus;
  plots: readonly Plot[];
  /**
   * Expiry of the second-round term (第二轮承包期届满). Kept after extension because the new term is
   * counted from it, which is what makes a repeated extension recognisable and harmless.
   */
  secondRoundEnd?: LocalDate;
  /** 承包合同约定不得调整 — the contract itself forbids individual adjustment. */
  adjustmentForbidden: boolean;
}

/** A dated act by an authority or party, with the document that proves it (consent, approval, filing). */
export interface RecordedAct {
  date: LocalDate;
  /** Document reference: approval number, filing number, scanned letter id. */
  reference: string;
  /** Who performed it: the unit or the person, as they signed. */
  by: string;
}

/** Which part of a contract a mortgage or another claim covers. */
export type PlotScope = { kind: 'WHOLE_CONTRACT' } | { kind: 'PLOTS'; plotCodes: readonly string[] };

/**
 * A registered mortgage on a land management right (土地经营权抵押), learned from `property-mortgage`
 * events. Held by the contractor, or by a transferee through a circulation (`circulationId`).
 */
export interface Encumbrance {
  mortgageId: string;
  contractId: string;
  scope: PlotScope;
  securedAmountFen: Fen;
  registeredOn: LocalDate;
  releasedOn?: LocalDate;
  /** Set when the mortgaged right is a transferee's management right obtained by circulation. */
  circulationId?: string;
  creditor: string;
  /** Last day the mortgage secures; never beyond the contract or circulation term. */
  securedUntil: LocalDate;
}

/** 流转方式 — lease or sub-contract (出租/转包), shareholding (入股), other. */
export type CirculationMode = 'LEASE' | 'SUBCONTRACT' | 'SHAREHOLDING' | 'OTHER';

/** 受让方类型. Enterprises and non-member individuals are social capital (社会资本). */
export type TransfereeKind =
  | 'HOUSEHOLD'
  | 'COOPERATIVE'
  | 'FAMILY_FARM'
  | 'ENTERPRISE'
  | 'NON_MEMBER_INDIVIDUAL';

/** Use the transferee puts the land to; only `NON_AGRICULTURAL` is outside the law's agricultural use. */
export type LandUse =
  | 'GRAIN'
  | 'CASH_CROPS'
  | 'HORTICULTURE'
  | 'FACILITY_AGRICULTURE'
  | 'LIVESTOCK'
  | 'AQUACULTURE'
  | 'FORESTRY'
  | 'NON_AGRICULTURAL';

/** 受让方 — who receives a management right. */
export interface Transferee {
  kind: TransfereeKind;
  name: string;
  /** Unified social credit code (enterprises, cooperatives, registered family farms). */
  creditCode?: string;
  /** Resident ID (households' heads, individuals). */
  residentId?: string;
  /** For a household of the register. */
  householdId?: string;
  /** Member of the issuing collective (members have priority, Art 38). */
  memberOfCollective: boolean;
}

export interface CirculatedPlot {
  plotCode: string;
  areaMu4: Mu4;
}

/** Review level for social capital above an area threshold (分级资格审查和项目审核). */
export type ReviewLevel = 'TOWNSHIP' | 'CITY';

/** One review of a social-capital circulation: the transferee's qualification or the project. */
export interface CirculationReview {
  level: ReviewLevel;
  kind: 'QUALIFICATION' | 'PROJECT';
  approved: boolean;
  act: RecordedAct;
}

export type CirculationStatus = 'ACTIVE' | 'TERMINATED' | 'EXPIRED';

/** 土地经营权流转 — a circulation of the management right of some plots of one contract. */
export interface Circulation {
  id: string;
  contractId: string;
  /** The contractor household granting it (for a re-circulation, still the original contractor). */
  contractorHouseholdId: string;
  mode: CirculationMode;
  transferee: Transferee;
  plots: readonly CirculatedPlot[];
  termStart: LocalDate;
  termEnd: LocalDate;
  use: LandUse;
  /** Written contract (书面合同) signed. */
  written: boolean;
  /** 备案 with the issuer. */
  filing?: RecordedAct;
  status: CirculationStatus;
  terminatedOn?: LocalDate;
  /** Price per mu and year, when agreed in money. */
  annualPricePerMuFen?: Fen;
  /** Set for a re-circulation (再流转) by a transferee: the circulation it derives from. */
  parentCirculationId?: string;
  /** Contractor's written consent to a re-circulation. */
  contractorConsent?: RecordedAct;
  reviews: readonly CirculationReview[];
  riskDepositPaidFen: Fen;
}
