import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  CollateralDisposed,
  CollateralRef,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import type { Party } from '@pingquan/contracts/pingquan/property_mortgage/v1/types';
import {
  type Change,
  type DeliveredEvent,
  type EntityManager,
  execInTransaction,
  isUuid,
  newId,
  recordChanges,
} from '@pingquan/kit';
import {
  addYears,
  compareDates,
  daysBetween,
  isLocalDate,
  type LocalDate,
  MU4_PER_MU,
  type Mu4,
  roundHalfUpDiv,
  todayInShanghai,
  validateCreditCode,
  validateResidentId,
} from '@pingquan/reference';
import {
  activeCirculationsOn,
  REGISTRABLE_CIRCULATION_YEARS,
  reviewLevelFor,
} from '../domain/circulation.js';
import { checkInForce } from '../domain/contract-rules.js';
import type { CirculatedPlot, Household, Transferee } from '../domain/model.js';
import { termsOverlap } from '../domain/term.js';
import { HouseholdEntity, IssuerEntity, MemberEntity } from '../persistence/entities.js';
import { DisposalTransferEntity, TransactionCertificateEntity } from '../persistence/exchange-entities.js';
import { CirculationEntity, CirculationPlotEntity } from '../persistence/rights-entities.js';
import { circulationToMsg } from './circulation.js';
import {
  dateOrEventDay,
  exchangeContext,
  externalId,
  lockCertificateNo,
  lockContractOfRight,
  type ReviewFinding,
  review,
  reviewChange,
  rightNamesContract,
} from './exchange-common.js';
import {
  circulationFromRow,
  householdFromRows,
  type LoadedCirculation,
  type LoadedContract,
  loadCirculationsWhere,
} from './rights-common.js';
import { circulationPolicyOn } from './rights-policies.js';

// 处置 (plan 附件2 二(四)1; DOMAIN B1): when the collateral of a non-performing loan is a land
// management right, the exchange centre sells that right — by online auction, market transfer,
// storage-company acquisition or re-circulation to a third party — for its remaining term only. What
// changes hands is the management right, never the contract right: the household keeps its contract,
// and the buyer holds the plots as a circulation from the contractor (or, when the mortgagor was a
// transferee, as a re-circulation of the transferee's circulation), filed with the issuer and entered
// in the township ledger, ending at the earliest of the centre's transfer end, the contract's end and
// the mortgaged circulation's end.

/** The earliest of the dates that are dates; the right never runs past any of them. */
export function earliestEnd(...dates: (string | undefined)[]): LocalDate | undefined {
  const real = dates.filter((d): d is LocalDate => d !== undefined && isLocalDate(d));
  return real.length === 0 ? undefined : real.reduce((a, b) => (compareDates(a, b) <= 0 ? a : b));
}

/** 130881********123X: how the centre sends a person's resident ID number. */
const MASKED_RESIDENT_ID = /^\d{6}\*{8}[\dX]{4}$/;

/**
 * The buyer as the ledger records a transferee. A household of the register is known by its head
 * (the centre sends ID numbers masked); an organisation by its credit code; a person outside the
 * register by the masked number, kept only as the ledger key, never as if it were the full number. A
 * collective buyer has no transferee kind in the ledger, so a person decides how to record it.
 */
export function buyerAsTransferee(
  buyer: Party | undefined,
  registered: Household | undefined,
  issuerCode: string,
  today: LocalDate,
): { transferee: Transferee; key: string } | ReviewFinding {
  if (!buyer) return review('BUYER_NOT_RECORDABLE', 'The disposal names no buyer.');
  const name = buyer.name.trim().slice(0, 255);
  if (registered) {
    const head = registered.members.find((m) => m.relation === 'HEAD') ?? registered.members[0];
    if (!head) return review('BUYER_NOT_RECORDABLE', `Household ${registered.code} has no members.`);
    return {
      transferee: {
        kind: 'HOUSEHOLD',
        name: name || head.name,
        residentId: head.residentId,
        householdId: registered.id,
        memberOfCollective: registered.issuerCode === issuerCode,
      },
      key: head.residentId,
    };
  }
  if (name === '') return review('BUYER_NOT_RECORDABLE', 'The disposal names the buyer without a name.');
  const id = buyer.idNumber.trim().toUpperCase();
  const person = validateResidentId(id, 'buyer.idNumber', today).ok;
  const organisation = validateCreditCode(id, 'buyer.idNumber').ok;
  const unidentified = review(
    'BUYER_NOT_RECORDABLE',
    `A ${buyer.kind} buyer identified by '${id.slice(0, 20)}' cannot be entered in the ledger.`,
  );
  switch (buyer.kind) {
    case 'PARTY_KIND_HOUSEHOLD':
    case 'PARTY_KIND_INDIVIDUAL': {
      const kind = buyer.kind === 'PARTY_KIND_HOUSEHOLD' ? 'HOUSEHOLD' : 'NON_MEMBER_INDIVIDUAL';
      if (person) return { transferee: { kind, name, residentId: id, memberOfCollective: false }, key: id };
      if (MASKED_RESIDENT_ID.test(id))
        return { transferee: { kind, name, memberOfCollective: false }, key: id };
      return unidentified;
    }
    case 'PARTY_KIND_COOPERATIVE':
    case 'PARTY_KIND_FAMILY_FARM':
    case 'PARTY_KIND_ENTERPRISE':
    case 'PARTY_KIND_STORAGE_COMPANY': {
      // A storage company (收储公司) is an enterprise to the ledger, and social capital to the policy.
      const kind =
        buyer.kind === 'PARTY_KIND_COOPERATIVE'
          ? 'COOPERATIVE'
          : buyer.kind === 'PARTY_KIND_FAMILY_FARM'
            ? 'FAMILY_FARM'
            : 'ENTERPRISE';
      if (organisation)
        return { transferee: { kind, name, creditCode: id, memberOfCollective: false }, key: id };
      // An unregistered family farm is known by its operator's ID number.
      if (kind === 'FAMILY_FARM' && (person || MASKED_RESIDENT_ID.test(id))) {
        return {
          transferee: { kind, name, ...(person ? { residentId: id } : {}), memberOfCollective: false },
          key: id,
        };
      }
      return unidentified;
    }
    default:
      return review(
        'BUYER_NOT_RECORDABLE',
        `A ${buyer.kind} buyer has no transferee kind in the circulation ledger; the township records how it holds the land.`,
      );
  }
}

interface TransferPlan {
  contract: LoadedContract;
  parent?: LoadedCirculation;
  plots: CirculatedPlot[];
  termEnd: LocalDate;
  transferee: Transferee;
  key: string;
}

type Planned = { ok: true; plan: TransferPlan } | { ok: false; finding: ReviewFinding; contractId?: string };
const fail = (finding: ReviewFinding, contract?: LoadedContract): Planned => ({
  ok: false,
  finding,
  ...(contract ? { contractId: contract.row.id } : {}),
});

/** The mortgaged right (the contractor's, or a transferee's circulation), locked as commands lock it. */
async function mortgagedRight(
  em: EntityManager,
  ref: CollateralRef,
): Promise<{ contract: LoadedContract; parent?: LoadedCirculation } | ReviewFinding> {
  const circulationId = ref.circulationId.trim();
  if (circulationId === '') {
    const contract = await lockContractOfRight(em, ref.rightId);
    return contract
      ? { contract }
      : review('CONTRACT_UNKNOWN', `No contract ${ref.rightId.slice(0, 64)} is registered.`);
  }
  const [found] = isUuid(circulationId) ? await loadCirculationsWhere(em, { id: circulationId }) : [];
  if (!found) {
    return review('CIRCULATION_UNKNOWN', `No circulation ${circulationId.slice(0, 64)} is registered.`);
  }
  // The circulation's own contract: it follows its plots when the contract right is transferred.
  const contract = await lockContractOfRight(em, found.row.contractId);
  if (!contract)
    return review('CONTRACT_UNKNOWN', `Circulation ${found.row.id} names a contract not registered.`);
  await em.refresh(found.row);
  if (!(await rightNamesContract(em, ref.rightId, contract.row))) {
    return review(
      'RIGHT_MISMATCH',
      `Circulation ${found.row.id} is on contract ${contract.row.code}; the disposal names right ${ref.rightId}.`,
    );
  }
  return { contract, parent: { ...found, circulation: circulationFromRow(found.row, found.plots) } };
}

async function registeredBuyer(
  em: EntityManager,
  buyer: Party | undefined,
): Promise<Household | ReviewFinding | undefined> {
  const id = buyer?.householdId.trim() ?? '';
  if (id === '') return undefined;
  const row = isUuid(id) ? await em.findOne(HouseholdEntity, { id }) : null;
  if (!row)
    return review('BUYER_NOT_RECORDABLE', `The buyer's household ${id.slice(0, 64)} is not registered.`);
  return householdFromRows(row, await em.find(MemberEntity, { householdId: row.id }));
}

/** What the buyer gets — or why a person must decide — on the day the disposal completed. */
async function planTransfer(
  em: EntityManager,
  m: CollateralDisposed,
  ref: CollateralRef,
  completedOn: LocalDate,
  today: LocalDate,
): Promise<Planned> {
  const right = await mortgagedRight(em, ref);
  if ('reason' in right) return fail(right);
  const { contract, parent } = right;

  const inForce = checkInForce(contract.contract, completedOn, 'contract');
  if (inForce.length > 0) return fail(review('RIGHT_NOT_IN_FORCE', inForce[0]?.message ?? ''), contract);
  if (parent && activeCirculationsOn([parent.circulation], completedOn).length === 0) {
    return fail(
      review(
        'RIGHT_NOT_IN_FORCE',
        `Circulation ${parent.row.id} (${parent.row.status}, ${parent.row.termStart} to ${parent.row.termEnd}) is not in effect on ${completedOn}.`,
      ),
      contract,
    );
  }

  // The plots of the mortgaged right, with the area it holds in each.
  const held = new Map<string, Mu4>(
    parent
      ? parent.circulation.plots.map((p) => [p.plotCode, p.areaMu4])
      : contract.contract.plots.map((p) => [p.code, p.contractAreaMu4]),
  );
  const asked = ref.plotCodes.length > 0 ? [...new Set(ref.plotCodes)] : [...held.keys()];
  const outside = asked.filter((code) => !held.has(code));
  if (asked.length === 0 || outside.length > 0) {
    return fail(
      review(
        'PLOT_NOT_IN_RIGHT',
        asked.length === 0
          ? 'The mortgaged right covers no plot.'
          : `Plots ${outside.join(', ')} are not part of the mortgaged right.`,
      ),
      contract,
    );
  }

  const termEnd = earliestEnd(m.transferTermEndDate, contract.contract.termEnd, parent?.row.termEnd);
  if (termEnd === undefined || compareDates(completedOn, termEnd) >= 0) {
    return fail(
      review('TERM_EXHAUSTED', `Nothing of the right's term is left on ${completedOn} (ends ${termEnd}).`),
      contract,
    );
  }

  // Someone else farming a disposed plot over the buyer's term (another circulation of the contract,
  // or another re-circulation of the transferee's) is a conflict the register cannot settle alone.
  const codes = new Set(asked);
  const rivals = (await loadCirculationsWhere(em, { contractId: contract.row.id, status: 'ACTIVE' })).filter(
    (o) =>
      o.row.id !== parent?.row.id &&
      (o.row.parentCirculationId ?? undefined) === parent?.row.id &&
      termsOverlap({ start: o.row.termStart, end: o.row.termEnd }, { start: completedOn, end: termEnd }) &&
      o.plots.some((p) => codes.has(p.plotCode)),
  );
  if (rivals.length > 0) {
    return fail(
      review(
        'PLOTS_CIRCULATED',
        `Circulations ${rivals.map((r) => r.row.id).join(', ')} hold disposed plots over ${completedOn} to ${termEnd}.`,
      ),
      contract,
    );
  }

  const registered = await registeredBuyer(em, m.buyer);
  if (registered && 'reason' in registered) return fail(registered, contract);
  const buyer = buyerAsTransferee(m.buyer, registered, contract.row.issuerCode, today);
  if ('reason' in buyer) return fail(buyer, contract);
  return {
    ok: true,
    plan: {
      contract,
      ...(parent ? { parent } : {}),
      plots: asked.sort().map((plotCode) => ({ plotCode, areaMu4: held.get(plotCode) ?? 0 })),
      termEnd,
      transferee: buyer.transferee,
      key: buyer.key.slice(0, 18),
    },
  };
}

/** Price per mu and year of the term bought, half up, as the centre's comparables count it. */
export function annualPricePerMuFen(priceFen: number, areaMu4: Mu4, start: LocalDate, end: LocalDate) {
  const days = daysBetween(start, end);
  if (!(priceFen > 0 && areaMu4 > 0 && days > 0)) return null;
  return roundHalfUpDiv(BigInt(priceFen) * BigInt(MU4_PER_MU) * 365n, BigInt(areaMu4) * BigInt(days));
}

/**
 * `pq.property-mortgage.v1.disposal.completed`: the buyer of a disposed land management right gets it
 * as a circulation for the remaining term, certified by the disposal's transaction certificate. A
 * disposal this register cannot place (unknown contract, right no longer in force, plots held by
 * someone else, a buyer the ledger cannot name) is recorded for review; nothing is thrown for it.
 */
export async function onCollateralDisposed(
  event: DeliveredEvent<CollateralDisposed>,
  em: EntityManager,
): Promise<void> {
  const m = event.payload;
  const ref = m.collateral;
  // Disposals of houses, forest rights and the rest are their owners' business.
  if (ref?.rightType !== 'RIGHT_TYPE_LAND_MANAGEMENT' || !m.disposalId.trim()) return;
  const disposalId = externalId(m.disposalId);
  // The inbox knows event ids; the same disposal announced again under another id is recorded once.
  if (await em.findOne(DisposalTransferEntity, { disposalId })) return;
  const completedOn = dateOrEventDay(m.completedOn, event.envelope);
  const certificateNo = externalId(m.certificateNo);
  const ctx = exchangeContext(
    `disposal ${disposalId} of mortgage ${m.mortgageId} completed at the exchange centre${certificateNo ? `, certificate ${certificateNo}` : ''}`,
    certificateNo,
  );
  await lockCertificateNo(em, certificateNo);
  const planned = await planTransfer(em, m, ref, completedOn, todayInShanghai(ctx.now));
  const record = {
    disposalId,
    mortgageId: externalId(m.mortgageId),
    loanId: externalId(m.loanId),
    rightId: externalId(ref.rightId),
    fromCirculationId: ref.circulationId.trim() ? externalId(ref.circulationId) : null,
    method: m.method.slice(0, 48),
    priceFen: m.priceFen,
    completedOn,
    transferTermEnd: isLocalDate(m.transferTermEndDate) ? m.transferTermEndDate : null,
    certificateNo,
    eventId: externalId(event.envelope.id),
    received: m,
  };

  if (!planned.ok) {
    const townshipCode = m.townshipCode.slice(0, 9);
    em.create(DisposalTransferEntity, {
      ...record,
      contractId: planned.contractId ?? null,
      circulationId: null,
      townshipCode,
      reviewReason: planned.finding.reason,
      reviewNote: planned.finding.note,
    });
    await em.flush();
    await recordChanges(em, ctx, [
      reviewChange('disposal-transfer', disposalId, townshipCode, planned.finding, m, completedOn),
    ]);
    return;
  }

  const { plan } = planned;
  const { contract, parent, transferee } = plan;
  const areaMu4 = plan.plots.reduce((sum, p) => sum + p.areaMu4, 0);
  // The assessment a recorded circulation carries. A disposal is not refused for a review or a
  // deposit it lacks — the centre's sale stands — but the ledger shows what the policy asks.
  const policy = await circulationPolicyOn(em, completedOn);
  const [holding] = await execInTransaction<{ area: string | null }>(
    em,
    `SELECT sum(area_mu4) AS area FROM circulation
     WHERE transferee_key = ? AND status = 'ACTIVE' AND parent_circulation_id IS NULL AND term_end > ?`,
    [plan.key, completedOn],
  );
  const socialCapital = policy.socialCapitalKinds.includes(transferee.kind);
  const requiredReviewLevel = socialCapital
    ? reviewLevelFor(areaMu4 + Number(holding?.area ?? 0), policy)
    : undefined;
  const issuer = await em.findOne(IssuerEntity, { code: contract.row.issuerCode });
  // A certificate that arrived first waits for this disposal (exchange-certificates.ts): claim it.
  const waiting = certificateNo
    ? await em.findOne(
        TransactionCertificateEntity,
        { certificateNo, reviewReason: 'OWNER_RECORD_MISSING' },
        { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { createdAt: 'asc' } },
      )
    : null;

  const row = em.create(CirculationEntity, {
    id: newId(),
    contractId: contract.row.id,
    contractCode: contract.row.code,
    // For a re-circulation, still the original contractor (as RecordCirculation keeps it).
    contractorHouseholdId: contract.row.householdId,
    issuerCode: contract.row.issuerCode,
    villageCode: contract.row.villageCode,
    townshipCode: contract.row.townshipCode,
    mode: 'OTHER',
    transfereeKind: transferee.kind,
    transfereeName: transferee.name,
    transfereeCreditCode: transferee.creditCode ?? null,
    transfereeResidentId: transferee.residentId ?? null,
    transfereeHouseholdId: transferee.householdId ?? null,
    transfereeMember: transferee.memberOfCollective,
    transfereeKey: plan.key,
    areaMu4,
    termStart: completedOn,
    termEnd: plan.termEnd,
    // The sale does not say what the buyer grows; a transferee's use carries on to its buyer.
    landUse: parent?.row.landUse ?? 'UNSPECIFIED',
    written: true,
    filingOn: completedOn,
    filingRef: (certificateNo || `disposal ${disposalId}`).slice(0, 255),
    filingBy: (issuer?.name ?? contract.row.issuerCode).slice(0, 255),
    status: 'ACTIVE',
    terminatedOn: null,
    terminationGround: null,
    terminatedBy: null,
    terminationEvidenceRef: null,
    annualPricePerMuFen: annualPricePerMuFen(m.priceFen, areaMu4, completedOn, plan.termEnd),
    parentCirculationId: parent?.row.id ?? null,
    consentOn: null,
    consentRef: null,
    consentBy: null,
    reviewIds: [],
    riskDepositPaidFen: 0,
    requiredRiskDepositFen: policy.riskDeposit.kinds.includes(transferee.kind)
      ? roundHalfUpDiv(BigInt(areaMu4) * BigInt(policy.riskDeposit.perMuFen), BigInt(MU4_PER_MU))
      : 0,
    requiredReviewLevel: requiredReviewLevel ?? null,
    socialCapital,
    registrable: compareDates(addYears(completedOn, REGISTRABLE_CIRCULATION_YEARS), plan.termEnd) <= 0,
    policyVersion: policy.version,
    // The disposal's deal is certified when the sale completes: the buyer's right is official at once.
    certificateNo: certificateNo || null,
    certifiedOn: certificateNo ? completedOn : null,
    dealId: waiting?.dealId ?? null,
    disposalId,
    version: 1,
  });
  const plots = plan.plots.map((p) =>
    em.create(CirculationPlotEntity, { circulationId: row.id, plotCode: p.plotCode, areaMu4: p.areaMu4 }),
  );
  em.create(DisposalTransferEntity, {
    ...record,
    contractId: contract.row.id,
    circulationId: row.id,
    townshipCode: contract.row.townshipCode,
    reviewReason: null,
    reviewNote: '',
  });
  if (waiting) {
    waiting.matchedKind = 'DISPOSAL';
    waiting.matchedId = row.id;
    waiting.reviewReason = null;
    waiting.reviewNote = '';
  }
  await em.flush();

  const changes: Change[] = [
    {
      aggregateType: 'circulation',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'circulation.disposal-transferred',
      state: circulationToMsg(row, plots, [], true),
      effectiveOn: completedOn,
      event: {
        type: Events['land-contract'].DisposedRightTransferred,
        payload: {
          circulation: circulationToMsg(row, plots, [], false),
          disposalId,
          mortgageId: record.mortgageId,
          loanId: record.loanId,
          method: m.method,
          priceFen: m.priceFen,
          completedOn,
          certificateNo,
          transferTermEndDate: record.transferTermEnd ?? '',
        },
      },
    },
  ];
  if (waiting) {
    changes.push({
      aggregateType: 'transaction-certificate',
      aggregateId: waiting.dealId,
      aggregateVersion: waiting.version,
      townshipCode: row.townshipCode,
      action: 'transaction-certificate.matched',
      state: { matchedKind: 'DISPOSAL', matchedId: row.id, certificateNo },
      effectiveOn: completedOn,
    });
  }
  await recordChanges(em, ctx, changes);
}
