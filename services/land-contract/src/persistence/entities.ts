import { defineEntity, type InferEntity } from '@mikro-orm/core';

// Persistence mapping of the register. Domain rules live in ../domain and never see these types'
// ORM side; use cases translate between them.

export const IssuerEntity = defineEntity({
  name: 'Issuer',
  tableName: 'issuer',
  properties: (p) => ({
    id: p.uuid().primary(),
    code: p.string().length(14).unique(),
    creditCode: p.string().length(18).unique(),
    name: p.string(),
    villageCode: p.string().length(12).index(),
    townshipCode: p.string().length(9).index(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type IssuerRow = InferEntity<typeof IssuerEntity>;

export const HouseholdEntity = defineEntity({
  name: 'Household',
  tableName: 'household',
  properties: (p) => ({
    id: p.uuid().primary(),
    code: p.string().length(18).unique(),
    issuerCode: p.string().length(14).index(),
    villageCode: p.string().length(12).index(),
    townshipCode: p.string().length(9).index(),
    address: p.string().default(''),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type HouseholdRow = InferEntity<typeof HouseholdEntity>;

export const MemberEntity = defineEntity({
  name: 'HouseholdMember',
  tableName: 'household_member',
  properties: (p) => ({
    id: p.uuid().primary(),
    householdId: p.uuid().index(),
    seq: p.integer(),
    residentId: p.string().length(18).unique(),
    name: p.string(),
    relation: p.string(),
    alive: p.boolean(),
    deceasedOn: p.date().nullable(),
    movedToTown: p.boolean(),
    liftedOutOfPoverty: p.boolean(),
    povertyMonitoring: p.boolean(),
  }),
});
export type MemberRow = InferEntity<typeof MemberEntity>;

export const ContractEntity = defineEntity({
  name: 'Contract',
  tableName: 'contract',
  properties: (p) => ({
    id: p.uuid().primary(),
    code: p.string().length(19).unique(),
    issuerCode: p.string().length(14).index(),
    householdId: p.uuid().index(),
    mode: p.string(),
    termStart: p.date(),
    termEnd: p.date(),
    status: p.string().index(),
    villageCode: p.string().length(12).index(),
    townshipCode: p.string().length(9).index(),
    totalAreaMu4: p.bigint('number'),
    /** Expiry of the second-round term; the extension counts thirty years from it. */
    secondRoundEnd: p.date().nullable(),
    adjustmentForbidden: p.boolean().default(false),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type ContractRow = InferEntity<typeof ContractEntity>;

export const PlotEntity = defineEntity({
  name: 'Plot',
  tableName: 'plot',
  properties: (p) => ({
    code: p.string().length(19).primary(),
    contractId: p.uuid().index(),
    name: p.string(),
    contractAreaMu4: p.bigint('number'),
    surveyedAreaMu4: p.bigint('number'),
    landClass: p.string(),
    basicFarmland: p.boolean(),
    boundaryEast: p.string().default(''),
    boundarySouth: p.string().default(''),
    boundaryWest: p.string().default(''),
    boundaryNorth: p.string().default(''),
    geometry: p.json<unknown>().nullable(),
  }),
});
export type PlotRow = InferEntity<typeof PlotEntity>;

export const entities = [IssuerEntity, HouseholdEntity, MemberEntity, ContractEntity, PlotEntity];
