import { defineEntity, type InferEntity } from '@mikro-orm/core';

// Persistence mapping of what land-contract received from the exchange centre besides mortgages
// (see 20261130-exchange.ts): transaction certificates and disposals of mortgaged management rights,
// each with the record it became or why it waits for review.

/** Where a received certificate or disposal went. */
export type ExchangeMatch = 'CIRCULATION' | 'CONTRACT_TRANSFER' | 'DISPOSAL';

/** 交易鉴证书 — one certified deal on a land management right, as received. */
export const TransactionCertificateEntity = defineEntity({
  name: 'TransactionCertificate',
  tableName: 'transaction_certificate',
  properties: (p) => ({
    dealId: p.string().length(64).primary(),
    certificateNo: p.string().length(64).index(),
    certifiedOn: p.date(),
    rightId: p.string().length(64),
    ownerRecordId: p.string().length(64),
    mode: p.string().length(40),
    priceFen: p.bigint('number'),
    townshipCode: p.string().length(9),
    matchedKind: p.string().length(24).nullable(),
    matchedId: p.string().length(64).nullable(),
    /** Set while nobody has matched the certificate to a record: the review queue. */
    reviewReason: p.string().length(64).nullable(),
    reviewNote: p.text().default(''),
    /** Settled by hand (off the review queue): when, by whom, what was done. */
    settledAt: p.datetime().nullable(),
    settledBy: p.string().nullable(),
    settlement: p.text().nullable(),
    eventId: p.string().length(64),
    /** The payload as received (personal ID numbers masked by the centre). */
    received: p.json<unknown>(),
    version: p.integer().version(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  }),
});
export type TransactionCertificateRow = InferEntity<typeof TransactionCertificateEntity>;

/** 处置 — one disposal of a mortgaged land management right, as received. */
export const DisposalTransferEntity = defineEntity({
  name: 'DisposalTransfer',
  tableName: 'disposal_transfer',
  properties: (p) => ({
    disposalId: p.string().length(64).primary(),
    mortgageId: p.string().length(64),
    loanId: p.string().length(64),
    /** The right as the centre named it (contract id or code). */
    rightId: p.string().length(64),
    contractId: p.uuid().nullable().index(),
    fromCirculationId: p.string().length(64).nullable(),
    /** The buyer's circulation; null while the disposal waits for review. */
    circulationId: p.uuid().nullable(),
    method: p.string().length(48),
    priceFen: p.bigint('number'),
    completedOn: p.date(),
    transferTermEnd: p.date().nullable(),
    certificateNo: p.string().length(64),
    townshipCode: p.string().length(9),
    reviewReason: p.string().length(64).nullable(),
    reviewNote: p.text().default(''),
    /** Settled by hand (off the review queue): when, by whom, what was done. */
    settledAt: p.datetime().nullable(),
    settledBy: p.string().nullable(),
    settlement: p.text().nullable(),
    eventId: p.string().length(64),
    received: p.json<unknown>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type DisposalTransferRow = InferEntity<typeof DisposalTransferEntity>;

export const exchangeEntities = [TransactionCertificateEntity, DisposalTransferEntity];
