import { defineEntity, type InferEntity } from '@mikro-orm/core';

// Persistence mapping of the certification campaign (确权登记颁证): one case per household with its
// objections, legacy cases and register entries. Child rows reference the case by id (no ORM
// relations): the use case loads a whole case at once and the domain works on plain data.

export const CertificationCaseEntity = defineEntity({
  name: 'CertificationCase',
  tableName: 'certification_case',
  properties: (p) => ({
    id: p.uuid().primary(),
    householdId: p.uuid().unique(),
    householdCode: p.string().length(18),
    issuerCode: p.string().length(14),
    villageCode: p.string().length(12),
    townshipCode: p.string().length(9),
    /** Null until the survey is done. */
    stage: p.string().nullable(),
    surveyedOn: p.date().nullable(),
    publiclyNoticedOn: p.date().nullable(),
    signedOn: p.date().nullable(),
    registeredOn: p.date().nullable(),
    certifiedOn: p.date().nullable(),
    /** Window of the policy in effect on the notice date, kept so a later policy change never moves a running notice. */
    noticeWindowDays: p.integer().nullable(),
    noticePolicyVersion: p.integer().nullable(),
    certificateNo: p.string().nullable(),
    realEstateRegisterNo: p.string().nullable(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type CertificationCaseRow = InferEntity<typeof CertificationCaseEntity>;

export const CertificationObjectionEntity = defineEntity({
  name: 'CertificationObjection',
  tableName: 'certification_objection',
  properties: (p) => ({
    id: p.uuid().primary(),
    caseId: p.uuid().index(),
    seq: p.integer(),
    raisedOn: p.date(),
    raisedBy: p.string(),
    subject: p.text(),
    resolvedOn: p.date().nullable(),
    resolution: p.text().nullable(),
  }),
});
export type CertificationObjectionRow = InferEntity<typeof CertificationObjectionEntity>;

export const CertificationLegacyCaseEntity = defineEntity({
  name: 'CertificationLegacyCase',
  tableName: 'certification_legacy_case',
  properties: (p) => ({
    id: p.uuid().primary(),
    caseId: p.uuid().index(),
    seq: p.integer(),
    kind: p.string(),
    owner: p.string(),
    state: p.string(),
    openedOn: p.date(),
    closedOn: p.date().nullable(),
    note: p.text().default(''),
  }),
});
export type CertificationLegacyCaseRow = InferEntity<typeof CertificationLegacyCaseEntity>;

export const CertificationRegisterEntryEntity = defineEntity({
  name: 'CertificationRegisterEntry',
  tableName: 'certification_register_entry',
  properties: (p) => ({
    id: p.uuid().primary(),
    caseId: p.uuid().index(),
    seq: p.integer(),
    kind: p.string(),
    recordedOn: p.date(),
    registerBookNo: p.string().default(''),
    contractCodes: p.array().default([]),
    totalAreaMu4: p.bigint('number').default(0),
    certificateNo: p.string().default(''),
    realEstateRegisterNo: p.string().default(''),
  }),
});
export type CertificationRegisterEntryRow = InferEntity<typeof CertificationRegisterEntryEntity>;

export const certificationEntities = [
  CertificationCaseEntity,
  CertificationObjectionEntity,
  CertificationLegacyCaseEntity,
  CertificationRegisterEntryEntity,
];
