import { defineEntity, type InferEntity } from '@mikro-orm/core';

// Persistence mapping of what happens to a right after registration (see 20261129-rights.ts). Child
// rows reference their parent by id, without ORM relations: a use case loads what it needs and the
// domain works on plain data.

/** A plot back with its issuer (reclaimed or surrendered), waiting to be contracted anew (另行发包). */
export const ReturnedPlotEntity = defineEntity({
  name: 'ReturnedPlot',
  tableName: 'returned_plot',
  properties: (p) => ({
    plotCode: p.string().length(19).primary(),
    issuerCode: p.string().length(14).index(),
    villageCode: p.string().length(12),
    townshipCode: p.string().length(9).index(),
    fromContractId: p.uuid(),
    /** RECLAIMED or SURRENDERED. */
    reason: p.string(),
    returnedOn: p.date(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ReturnedPlotRow = InferEntity<typeof ReturnedPlotEntity>;

/** 收回 — the issuer's reclaim of an extinct household's contract, with the income passed on. */
export const ReclamationEntity = defineEntity({
  name: 'Reclamation',
  tableName: 'reclamation',
  properties: (p) => ({
    contractId: p.uuid().primary(),
    householdId: p.uuid().index(),
    townshipCode: p.string().length(9),
    decidedOn: p.date(),
    decisionRef: p.string(),
    earnedIncome: p.json<{ description: string; amountFen: number; earnedOn: string }[]>(),
    totalIncomeFen: p.bigint('number'),
    returnedPlotCodes: p.json<string[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ReclamationRow = InferEntity<typeof ReclamationEntity>;

/** 继承人 — one named heir of a reclaim and their part of the earned income. */
export const ReclamationHeirEntity = defineEntity({
  name: 'ReclamationHeir',
  tableName: 'reclamation_heir',
  properties: (p) => ({
    id: p.uuid().primary(),
    contractId: p.uuid().index(),
    seq: p.integer(),
    name: p.string(),
    residentId: p.string().length(18).nullable(),
    relation: p.string(),
    amountFen: p.bigint('number'),
  }),
});
export type ReclamationHeirRow = InferEntity<typeof ReclamationHeirEntity>;

/** 承包权转让 — one transfer of a contract right, as registered. */
export const ContractTransferEntity = defineEntity({
  name: 'ContractTransfer',
  tableName: 'contract_transfer',
  properties: (p) => ({
    id: p.uuid().primary(),
    fromContractId: p.uuid().index(),
    toContractId: p.uuid().index(),
    fromHouseholdId: p.uuid(),
    toHouseholdId: p.uuid(),
    plotCodes: p.json<string[]>(),
    partial: p.boolean(),
    transferDate: p.date(),
    consentOn: p.date(),
    consentRef: p.string(),
    consentBy: p.string(),
    priceFen: p.bigint('number').nullable(),
    townshipCode: p.string().length(9),
    /** 交易鉴证书 of the exchange centre (20261130-exchange.ts); null while not certified. */
    certificateNo: p.string().length(64).nullable(),
    certifiedOn: p.date().nullable(),
    dealId: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type ContractTransferRow = InferEntity<typeof ContractTransferEntity>;

/** 互换 — one exchange of plots between two contracts, as filed. */
export const PlotExchangeEntity = defineEntity({
  name: 'PlotExchange',
  tableName: 'plot_exchange',
  properties: (p) => ({
    id: p.uuid().primary(),
    aContractId: p.uuid().index(),
    bContractId: p.uuid().index(),
    aPlotCodes: p.json<string[]>(),
    bPlotCodes: p.json<string[]>(),
    exchangeDate: p.date(),
    filingOn: p.date(),
    filingRef: p.string(),
    filingBy: p.string(),
    townshipCode: p.string().length(9),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type PlotExchangeRow = InferEntity<typeof PlotExchangeEntity>;

/** 自愿有偿退出 — a surrender, with the compensation as computed and the policy version used. */
export const SurrenderEntity = defineEntity({
  name: 'Surrender',
  tableName: 'surrender',
  properties: (p) => ({
    id: p.uuid().primary(),
    contractId: p.uuid().unique(),
    householdId: p.uuid().index(),
    issuerCode: p.string().length(14),
    villageCode: p.string().length(12),
    townshipCode: p.string().length(9).index(),
    surrenderedOn: p.date(),
    /** The household may not contract again before this day. */
    termEnd: p.date(),
    noticeGivenOn: p.date(),
    noticeRef: p.string(),
    acceptanceOn: p.date(),
    acceptanceRef: p.string(),
    acceptanceBy: p.string(),
    areaMu4: p.bigint('number'),
    soilImprovementFen: p.bigint('number'),
    landCompensationFen: p.bigint('number'),
    compensationFen: p.bigint('number'),
    policyVersion: p.string(),
    breakdown: p.json<unknown>(),
    returnedPlotCodes: p.json<string[]>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type SurrenderRow = InferEntity<typeof SurrenderEntity>;

/** 分级资格审查和项目审核 — one review of a social-capital transferee. */
export const CirculationReviewEntity = defineEntity({
  name: 'CirculationReview',
  tableName: 'circulation_review',
  properties: (p) => ({
    id: p.uuid().primary(),
    level: p.string(),
    kind: p.string(),
    approved: p.boolean(),
    actOn: p.date(),
    actRef: p.string(),
    actBy: p.string(),
    transfereeKind: p.string(),
    transfereeName: p.string(),
    transfereeCreditCode: p.string().length(18).nullable(),
    transfereeResidentId: p.string().length(18).nullable(),
    /** Credit code, else resident ID: how a review finds the circulations it covers. */
    transfereeKey: p.string().length(18).index(),
    areaMu4: p.bigint('number'),
    project: p.string(),
    townshipCode: p.string().length(9),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type CirculationReviewRow = InferEntity<typeof CirculationReviewEntity>;

/** 土地经营权流转 — a circulation of the management right, as entered in the township ledger. */
export const CirculationEntity = defineEntity({
  name: 'Circulation',
  tableName: 'circulation',
  properties: (p) => ({
    id: p.uuid().primary(),
    contractId: p.uuid().index(),
    contractCode: p.string().length(19),
    contractorHouseholdId: p.uuid().index(),
    issuerCode: p.string().length(14),
    villageCode: p.string().length(12).index(),
    townshipCode: p.string().length(9).index(),
    mode: p.string(),
    transfereeKind: p.string(),
    transfereeName: p.string(),
    transfereeCreditCode: p.string().length(18).nullable(),
    transfereeResidentId: p.string().length(18).nullable(),
    transfereeHouseholdId: p.uuid().nullable(),
    transfereeMember: p.boolean(),
    transfereeKey: p.string().length(18).index(),
    areaMu4: p.bigint('number'),
    termStart: p.date(),
    termEnd: p.date(),
    landUse: p.string(),
    written: p.boolean(),
    filingOn: p.date(),
    filingRef: p.string(),
    filingBy: p.string(),
    status: p.string().index(),
    terminatedOn: p.date().nullable(),
    terminationGround: p.string().nullable(),
    terminatedBy: p.string().nullable(),
    terminationEvidenceRef: p.string().nullable(),
    annualPricePerMuFen: p.bigint('number').nullable(),
    parentCirculationId: p.uuid().nullable().index(),
    consentOn: p.date().nullable(),
    consentRef: p.string().nullable(),
    consentBy: p.string().nullable(),
    reviewIds: p.json<string[]>(),
    riskDepositPaidFen: p.bigint('number'),
    requiredRiskDepositFen: p.bigint('number'),
    requiredReviewLevel: p.string().nullable(),
    socialCapital: p.boolean(),
    registrable: p.boolean(),
    policyVersion: p.string(),
    /** 交易鉴证书 of the exchange centre (20261130-exchange.ts): official from then; null before. */
    certificateNo: p.string().length(64).nullable(),
    certifiedOn: p.date().nullable(),
    dealId: p.string().length(64).nullable(),
    /** The exchange centre's disposal this circulation passed a mortgaged right on from. */
    disposalId: p.string().length(64).nullable(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type CirculationRow = InferEntity<typeof CirculationEntity>;

export const CirculationPlotEntity = defineEntity({
  name: 'CirculationPlot',
  tableName: 'circulation_plot',
  properties: (p) => ({
    circulationId: p.uuid().primary(),
    plotCode: p.string().length(19).primary().index(),
    areaMu4: p.bigint('number'),
  }),
});
export type CirculationPlotRow = InferEntity<typeof CirculationPlotEntity>;

/** 弃耕抛荒报告 — land reported left uncultivated. */
export const AbandonmentReportEntity = defineEntity({
  name: 'AbandonmentReport',
  tableName: 'abandonment_report',
  properties: (p) => ({
    id: p.uuid().primary(),
    contractId: p.uuid().index(),
    plotCode: p.string().length(19),
    areaMu4: p.bigint('number'),
    since: p.date(),
    reportedOn: p.date(),
    resumedOn: p.date().nullable(),
    reporterSubject: p.string(),
    reporterRole: p.string(),
    villageCode: p.string().length(12),
    townshipCode: p.string().length(9).index(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type AbandonmentReportRow = InferEntity<typeof AbandonmentReportEntity>;

/** 发包方措施 — a corrective measure the issuer took about a report. */
export const IssuerMeasureEntity = defineEntity({
  name: 'IssuerMeasure',
  tableName: 'issuer_measure',
  properties: (p) => ({
    id: p.uuid().primary(),
    reportId: p.uuid().index(),
    kind: p.string(),
    takenOn: p.date(),
    note: p.text(),
    actOn: p.date().nullable(),
    actRef: p.string().nullable(),
    actBy: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type IssuerMeasureRow = InferEntity<typeof IssuerMeasureEntity>;

/**
 * A registered mortgage on a contract right, learned from property-mortgage events. `registeredOn`
 * is null while only the release is known (the two events travel on separate consumers).
 */
export const EncumbranceEntity = defineEntity({
  name: 'Encumbrance',
  tableName: 'encumbrance',
  properties: (p) => ({
    mortgageId: p.string().length(64).primary(),
    contractId: p.string().length(64).index(),
    householdId: p.uuid().nullable().index(),
    townshipCode: p.string().length(9).default(''),
    /** Empty: the whole contract. */
    plotCodes: p.json<string[]>(),
    circulationId: p.string().length(64).nullable(),
    securedAmountFen: p.bigint('number').default(0),
    registeredOn: p.date().nullable(),
    releasedOn: p.date().nullable(),
    securedUntil: p.date().nullable(),
    mortgageeCreditCode: p.string().length(18).default(''),
    certificateNo: p.string().length(64).default(''),
    ranking: p.integer().default(0),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type EncumbranceRow = InferEntity<typeof EncumbranceEntity>;

export const rightsEntities = [
  ReturnedPlotEntity,
  ReclamationEntity,
  ReclamationHeirEntity,
  ContractTransferEntity,
  PlotExchangeEntity,
  SurrenderEntity,
  CirculationReviewEntity,
  CirculationEntity,
  CirculationPlotEntity,
  AbandonmentReportEntity,
  IssuerMeasureEntity,
  EncumbranceEntity,
];
