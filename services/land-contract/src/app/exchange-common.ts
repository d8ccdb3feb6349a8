import { LockMode } from '@mikro-orm/core';
import type { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import {
  type Change,
  type CommandContext,
  currentTraceId,
  type EntityManager,
  execInTransaction,
  isUuid,
  servicePrincipal,
} from '@pingquan/kit';
import { isLocalDate, type LocalDate, todayInShanghai } from '@pingquan/reference';
import { ContractEntity, PlotEntity } from '../persistence/entities.js';
import { ContractTransferEntity } from '../persistence/rights-entities.js';
import { contractFromRow, type LoadedContract } from './rights-common.js';

// Shared by the consumers of the exchange centre's transaction certificates and disposals
// (exchange-certificates.ts, exchange-disposals.ts).

/**
 * Why a certificate or a disposal from the exchange centre was recorded for review instead of
 * changing the register. A person settles it (the township or the track's lead unit); the stream
 * goes on meanwhile, because waiting would not make the answer arrive.
 */
export type ExchangeReviewReason =
  /** The centre announced a deal or disposal without its certificate number. */
  | 'CERTIFICATE_MISSING'
  /** owner_record_id names no circulation or transfer of this register. */
  | 'OWNER_RECORD_UNKNOWN'
  /** The deal names no record of ours and no disposal has claimed its certificate (yet). */
  | 'OWNER_RECORD_MISSING'
  /** The deal's right is not the contract the record belongs to. */
  | 'RIGHT_MISMATCH'
  /** The record already carries another certificate. */
  | 'CERTIFICATE_CONFLICT'
  /** More than one uncertified transfer fits the deal. */
  | 'TRANSFER_AMBIGUOUS'
  /** The disposed right names a contract this register does not hold. */
  | 'CONTRACT_UNKNOWN'
  /** The disposed right names a transferee's circulation this register does not hold. */
  | 'CIRCULATION_UNKNOWN'
  /** The contract (or the transferee's circulation) no longer carries the right on the day. */
  | 'RIGHT_NOT_IN_FORCE'
  /** A disposed plot is not part of the mortgaged right. */
  | 'PLOT_NOT_IN_RIGHT'
  /** Someone else already holds a disposed plot by circulation over the buyer's term. */
  | 'PLOTS_CIRCULATED'
  /** Nothing of the term is left to transfer on the completion day. */
  | 'TERM_EXHAUSTED'
  /** The buyer cannot be recorded as a transferee (kind, name or identifier). */
  | 'BUYER_NOT_RECORDABLE';

export interface ReviewFinding {
  reason: ExchangeReviewReason;
  note: string;
}

export const review = (reason: ExchangeReviewReason, note: string): ReviewFinding => ({ reason, note });

/** The consumer acts as the service itself; the audit cites the exchange centre's certificate. */
export function exchangeContext(reason: string, documentRef: string): CommandContext {
  return {
    principal: servicePrincipal('land-contract'),
    reason,
    documentRef: documentRef.slice(0, 255),
    traceId: currentTraceId(),
    now: new Date(),
  };
}

/** A date the centre sent, or the day the event occurred when it sent none (or garbage). */
export function dateOrEventDay(value: string, envelope: EventEnvelope): LocalDate {
  return isLocalDate(value) ? value : todayInShanghai(envelope.occurredAt ?? new Date());
}

/** The centre's identifiers are another service's: bounded to the columns that keep them. */
export const externalId = (value: string): string => value.trim().slice(0, 64);

const contractWhere = (idOrCode: string) =>
  isUuid(idOrCode) ? { id: idOrCode } : /^\d{19}$/.test(idOrCode) ? { code: idOrCode } : undefined;

/**
 * The contract a right id names (id or 19-digit code), locked FOR UPDATE as the commands lock it, so
 * a surrender or a termination and an event landing on one contract are ordered. Undefined when the
 * register holds no such contract: the caller records that for review.
 */
export async function lockContractOfRight(
  em: EntityManager,
  idOrCode: string,
): Promise<LoadedContract | undefined> {
  const where = contractWhere(idOrCode);
  if (!where) return undefined;
  const row = await em.findOne(ContractEntity, where, {
    lockMode: LockMode.PESSIMISTIC_WRITE,
    refresh: true,
  });
  if (!row) return undefined;
  const plots = await em.find(PlotEntity, { contractId: row.id });
  return { row, plots, contract: contractFromRow(row, plots) };
}

/** The contract id a right id names, without locking; undefined when unknown. */
export async function contractIdOfRight(em: EntityManager, idOrCode: string): Promise<string | undefined> {
  const where = contractWhere(idOrCode);
  if (!where) return undefined;
  if ('id' in where) return where.id;
  return (await em.findOne(ContractEntity, where, { fields: ['id'] }))?.id;
}

/**
 * Whether the deal's right names `contract`, directly or as the contract the plots came from: a
 * circulation follows its plots when the contract right is transferred (TransferContractRight), and
 * the centre may still name the contract it was recorded on.
 */
export async function rightNamesContract(
  em: EntityManager,
  rightId: string,
  contract: { id: string; code: string },
): Promise<boolean> {
  if (rightId === '' || rightId === contract.id || rightId === contract.code) return true;
  const from = await contractIdOfRight(em, rightId);
  if (!from) return false;
  return (await em.count(ContractTransferEntity, { fromContractId: from, toContractId: contract.id })) > 0;
}

/**
 * A certificate and the disposal that carries it travel on two subjects, so two consumers may handle
 * them at once: each would miss the other's uncommitted row, leaving the certificate in review beside
 * the circulation it certifies. Both take this lock (before any contract lock) and then look.
 */
export async function lockCertificateNo(em: EntityManager, certificateNo: string): Promise<void> {
  if (certificateNo === '') return;
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [
    `exchange-certificate:${certificateNo}`,
  ]);
}

/** The audit entry of a certificate or disposal held for review; nothing is published. */
export function reviewChange(
  aggregateType: 'transaction-certificate' | 'disposal-transfer',
  id: string,
  townshipCode: string,
  finding: ReviewFinding,
  state: unknown,
  effectiveOn: LocalDate,
): Change {
  return {
    aggregateType,
    aggregateId: id,
    aggregateVersion: 1,
    townshipCode,
    action: `${aggregateType}.held-for-review`,
    state: { reviewReason: finding.reason, reviewNote: finding.note, received: state },
    effectiveOn,
  };
}
