import { Events } from '@pingquan/contracts/catalogue';
import type {
  TransactionCertificate as CertificateMsg,
  ContractTransferCertified,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type { TransactionCertified } from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import {
  type Change,
  type CommandContext,
  type DeliveredEvent,
  type EntityManager,
  isUuid,
  recordChanges,
} from '@pingquan/kit';
import { type ExchangeMatch, TransactionCertificateEntity } from '../persistence/exchange-entities.js';
import { ContractTransferEntity, type ContractTransferRow } from '../persistence/rights-entities.js';
import { circulationToMsg, reviewsFor } from './circulation.js';
import {
  contractIdOfRight,
  dateOrEventDay,
  exchangeContext,
  externalId,
  lockCertificateNo,
  type ReviewFinding,
  review,
  reviewChange,
  rightNamesContract,
} from './exchange-common.js';
import {
  type LoadedCirculation,
  loadCirculationsWhere,
  loadContract,
  loadContractsLocked,
  touch,
} from './rights-common.js';

// 交易鉴证 (plan 附件2; DOMAIN B1): the exchange centre's transaction certificate is the basis of the
// collective's accounts, and a circulation or a contract-right transfer recorded here becomes official
// only with it. The centre announces each certificate (TransactionCertified); this consumer writes the
// number on the record the deal names and says so (CirculationCertified, ContractTransferCertified).
// What it cannot place is recorded for review, never thrown: a deal this register does not know is a
// question for a person, and a consumer that failed on it would only dead-letter it after blocking.

type Outcome =
  | { kind: 'CERTIFY_CIRCULATION'; circulation: LoadedCirculation }
  | { kind: 'CERTIFY_TRANSFER'; transfer: ContractTransferRow }
  /** The record already carries this certificate (a disposal's circulation is certified at birth). */
  | { kind: 'ALREADY_CERTIFIED'; matched: ExchangeMatch; id: string; circulation?: LoadedCirculation }
  | { kind: 'REVIEW'; finding: ReviewFinding };

const held = (finding: ReviewFinding): Outcome => ({ kind: 'REVIEW', finding });

/** A record's existing certificate against the one announced: same, another, or none yet. */
function certificateState(existing: string | null | undefined, announced: string): 'NONE' | 'SAME' | 'OTHER' {
  if (!existing) return 'NONE';
  return existing === announced ? 'SAME' : 'OTHER';
}

/**
 * `pq.property-mortgage.v1.transaction.certified`: a deal on a land management right. The deal names
 * its record here by `owner_record_id` — a circulation, a contract-right transfer, or the contract a
 * transfer went into (what TransferContractRight answers); a disposal's deal names none and is
 * matched by its certificate to the buyer's circulation the disposal event created.
 */
export async function onTransactionCertified(
  event: DeliveredEvent<TransactionCertified>,
  em: EntityManager,
): Promise<void> {
  const m = event.payload;
  // Deals on homesteads, equity and the other rights are their owners' business.
  if (m.rightType !== 'RIGHT_TYPE_LAND_MANAGEMENT' || !m.dealId.trim()) return;
  const dealId = externalId(m.dealId);
  // The inbox knows event ids; the same deal announced again under another event id is recorded once.
  if (await em.findOne(TransactionCertificateEntity, { dealId })) return;
  const certificate: CertificateMsg = {
    certificateNo: externalId(m.certificateNo),
    dealId,
    certifiedOn: dateOrEventDay(m.certifiedOn, event.envelope),
    priceFen: m.priceFen,
    mode: m.mode,
  };
  const ctx = exchangeContext(
    `transaction certificate ${certificate.certificateNo || '(no number)'} of deal ${dealId}, issued by the exchange centre`,
    certificate.certificateNo,
  );
  await lockCertificateNo(em, certificate.certificateNo);
  const outcome = await matchDeal(em, m, certificate);
  const changes = await apply(em, ctx, outcome, certificate);
  const matched =
    outcome.kind === 'CERTIFY_CIRCULATION'
      ? { matchedKind: 'CIRCULATION', matchedId: outcome.circulation.row.id }
      : outcome.kind === 'CERTIFY_TRANSFER'
        ? { matchedKind: 'CONTRACT_TRANSFER', matchedId: outcome.transfer.id }
        : outcome.kind === 'ALREADY_CERTIFIED'
          ? { matchedKind: outcome.matched, matchedId: outcome.id }
          : { matchedKind: null, matchedId: null };
  const townshipCode = m.townshipCode.slice(0, 9);
  em.create(TransactionCertificateEntity, {
    dealId,
    certificateNo: certificate.certificateNo,
    certifiedOn: certificate.certifiedOn,
    rightId: externalId(m.rightId),
    ownerRecordId: externalId(m.ownerRecordId),
    mode: m.mode.slice(0, 40),
    priceFen: m.priceFen,
    townshipCode,
    ...matched,
    reviewReason: outcome.kind === 'REVIEW' ? outcome.finding.reason : null,
    reviewNote: outcome.kind === 'REVIEW' ? outcome.finding.note : '',
    eventId: externalId(event.envelope.id),
    received: m,
    version: 1,
  });
  await em.flush();
  if (outcome.kind === 'REVIEW') {
    changes.push(
      reviewChange(
        'transaction-certificate',
        dealId,
        townshipCode,
        outcome.finding,
        m,
        certificate.certifiedOn,
      ),
    );
  }
  await recordChanges(em, ctx, changes);
}

async function matchDeal(
  em: EntityManager,
  m: TransactionCertified,
  certificate: CertificateMsg,
): Promise<Outcome> {
  if (certificate.certificateNo === '') {
    return held(
      review('CERTIFICATE_MISSING', `Deal ${certificate.dealId} was announced without a certificate number.`),
    );
  }
  const owner = m.ownerRecordId.trim();
  if (owner === '') return matchDisposal(em, certificate);
  if (!isUuid(owner)) {
    return held(
      review('OWNER_RECORD_UNKNOWN', `'${owner.slice(0, 64)}' is not a record id of this register.`),
    );
  }

  const [circulation] = await loadCirculationsWhere(em, { id: owner });
  if (circulation) {
    // The lock the commands on the contract take: a termination and a certificate are ordered.
    await loadContract(em, circulation.row.contractId, { lock: true });
    await em.refresh(circulation.row);
    const { row } = circulation;
    if (!(await rightNamesContract(em, m.rightId, { id: row.contractId, code: row.contractCode }))) {
      return held(
        review(
          'RIGHT_MISMATCH',
          `Circulation ${row.id} is on contract ${row.contractCode}; the deal names right ${m.rightId}.`,
        ),
      );
    }
    switch (certificateState(row.certificateNo, certificate.certificateNo)) {
      case 'NONE':
        return { kind: 'CERTIFY_CIRCULATION', circulation };
      case 'SAME':
        return { kind: 'ALREADY_CERTIFIED', matched: 'CIRCULATION', id: row.id, circulation };
      case 'OTHER':
        return held(
          review(
            'CERTIFICATE_CONFLICT',
            `Circulation ${row.id} is already certified by ${row.certificateNo}, not ${certificate.certificateNo}.`,
          ),
        );
    }
  }

  const found = await findTransfer(em, owner, m);
  if (found === undefined) {
    return held(
      review(
        'OWNER_RECORD_UNKNOWN',
        `No circulation, contract-right transfer or receiving contract ${owner} with an uncertified transfer from right ${m.rightId} is registered.`,
      ),
    );
  }
  if ('reason' in found) return held(found);
  const locked = await loadContractsLocked(em, [
    { id: found.fromContractId, field: 'transfer.fromContractId' },
    { id: found.toContractId, field: 'transfer.toContractId' },
  ]);
  await em.refresh(found);
  const from = locked.get(found.fromContractId)?.row;
  if (!from || !(await rightNamesContract(em, m.rightId, from))) {
    return held(
      review(
        'RIGHT_MISMATCH',
        `Transfer ${found.id} is from contract ${from?.code ?? found.fromContractId}; the deal names right ${m.rightId}.`,
      ),
    );
  }
  switch (certificateState(found.certificateNo, certificate.certificateNo)) {
    case 'NONE':
      return { kind: 'CERTIFY_TRANSFER', transfer: found };
    case 'SAME':
      return { kind: 'ALREADY_CERTIFIED', matched: 'CONTRACT_TRANSFER', id: found.id };
    case 'OTHER':
      return held(
        review(
          'CERTIFICATE_CONFLICT',
          `Transfer ${found.id} is already certified by ${found.certificateNo}, not ${certificate.certificateNo}.`,
        ),
      );
  }
}

/**
 * A deal that names no record of ours: the buyer's circulation of a disposal carries the same
 * certificate when the disposal event came first. When it has not come yet, the certificate waits
 * for review and the disposal, arriving, settles it (exchange-disposals.ts).
 */
async function matchDisposal(em: EntityManager, certificate: CertificateMsg): Promise<Outcome> {
  const [disposed] = await loadCirculationsWhere(em, {
    certificateNo: certificate.certificateNo,
    disposalId: { $ne: null },
  });
  if (!disposed) {
    return held(
      review(
        'OWNER_RECORD_MISSING',
        `Deal ${certificate.dealId} names no circulation or transfer of this register, and no disposal carries certificate ${certificate.certificateNo} yet: record the deal here, or wait for its disposal.`,
      ),
    );
  }
  await loadContract(em, disposed.row.contractId, { lock: true });
  await em.refresh(disposed.row);
  return { kind: 'ALREADY_CERTIFIED', matched: 'DISPOSAL', id: disposed.row.id, circulation: disposed };
}

/**
 * The transfer a deal names: by its own id, or by the contract it went into (the id the transfer
 * answers with) together with the deal's right as the contract it came from — provided exactly one
 * uncertified transfer (with the deal's plots, when it lists them) fits.
 */
async function findTransfer(
  em: EntityManager,
  owner: string,
  m: TransactionCertified,
): Promise<ContractTransferRow | ReviewFinding | undefined> {
  const byId = await em.findOne(ContractTransferEntity, { id: owner });
  if (byId) return byId;
  const from = await contractIdOfRight(em, m.rightId);
  if (!from) return undefined;
  const wanted = [...new Set(m.plotCodes)].sort().join(',');
  const candidates = (
    await em.find(
      ContractTransferEntity,
      { toContractId: owner, fromContractId: from, certificateNo: null },
      { orderBy: { transferDate: 'asc', id: 'asc' } },
    )
  ).filter((t) => wanted === '' || [...t.plotCodes].sort().join(',') === wanted);
  if (candidates.length > 1) {
    return review(
      'TRANSFER_AMBIGUOUS',
      `${candidates.length} uncertified transfers from right ${m.rightId} into contract ${owner} fit the deal: ${candidates.map((t) => t.id).join(', ')}.`,
    );
  }
  return candidates[0];
}

async function apply(
  em: EntityManager,
  ctx: CommandContext,
  outcome: Outcome,
  certificate: CertificateMsg,
): Promise<Change[]> {
  switch (outcome.kind) {
    case 'CERTIFY_CIRCULATION': {
      const { row, plots } = outcome.circulation;
      row.certificateNo = certificate.certificateNo;
      row.certifiedOn = certificate.certifiedOn;
      row.dealId = certificate.dealId;
      touch(row, ctx.now);
      await em.flush();
      const reviews = await reviewsFor(em, [row]);
      return [
        {
          aggregateType: 'circulation',
          aggregateId: row.id,
          aggregateVersion: row.version,
          townshipCode: row.townshipCode,
          action: 'circulation.certified',
          state: circulationToMsg(row, plots, reviews, true),
          effectiveOn: certificate.certifiedOn,
          event: {
            type: Events['land-contract'].CirculationCertified,
            payload: { circulation: circulationToMsg(row, plots, reviews, false), certificate },
          },
        },
      ];
    }
    case 'CERTIFY_TRANSFER': {
      const t = outcome.transfer;
      t.certificateNo = certificate.certificateNo;
      t.certifiedOn = certificate.certifiedOn;
      t.dealId = certificate.dealId;
      await em.flush();
      const payload: ContractTransferCertified = {
        transferId: t.id,
        fromContractId: t.fromContractId,
        toContractId: t.toContractId,
        fromHouseholdId: t.fromHouseholdId,
        toHouseholdId: t.toHouseholdId,
        plotCodes: [...t.plotCodes],
        transferDate: t.transferDate,
        townshipCode: t.townshipCode,
        certificate,
      };
      return [
        {
          // The transfer's first audited change of its own: it was recorded with its contracts.
          aggregateType: 'contract-transfer',
          aggregateId: t.id,
          aggregateVersion: 1,
          townshipCode: t.townshipCode,
          action: 'contract-transfer.certified',
          state: payload,
          effectiveOn: certificate.certifiedOn,
          event: { type: Events['land-contract'].ContractTransferCertified, payload },
        },
      ];
    }
    case 'ALREADY_CERTIFIED': {
      // Official already; only a disposal's circulation still lacks the deal id, learned now.
      const circulation = outcome.circulation;
      if (!circulation || circulation.row.dealId) return [];
      const { row, plots } = circulation;
      row.dealId = certificate.dealId;
      touch(row, ctx.now);
      await em.flush();
      return [
        {
          aggregateType: 'circulation',
          aggregateId: row.id,
          aggregateVersion: row.version,
          townshipCode: row.townshipCode,
          action: 'circulation.deal-linked',
          state: circulationToMsg(row, plots, await reviewsFor(em, [row]), true),
          effectiveOn: certificate.certifiedOn,
        },
      ];
    }
    case 'REVIEW':
      return [];
  }
}
