import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type {
  BatchGetEncumbrancesResponse,
  Encumbrance as EncumbranceMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type {
  MortgageRegistered,
  MortgageReleased,
} from '@pingquan/contracts/pingquan/property_mortgage/v1/events';
import {
  type CommandContext,
  canRead,
  currentTraceId,
  type DeliveredEvent,
  type EntityManager,
  isUuid,
  type Principal,
  recordChanges,
  servicePrincipal,
} from '@pingquan/kit';
import { compareDates, isLocalDate, type LocalDate, todayInShanghai } from '@pingquan/reference';
import { isEncumbranceInEffect } from '../domain/encumbrance.js';
import { ContractEntity, type ContractRow } from '../persistence/entities.js';
import { CirculationEntity, EncumbranceEntity, type EncumbranceRow } from '../persistence/rights-entities.js';
import { TRACK } from './context.js';
import { canReadVillage, encumbranceFromRow } from './rights-common.js';

// Encumbrance (抵押): land-contract does not register mortgages, it learns of them from the exchange
// centre's events, through the inbox (the effect and the inbox row commit together, so a redelivery
// changes nothing), and refuses to let an encumbered right be given up until the release arrives.

export function encumbranceToMsg(row: EncumbranceRow, asOf: LocalDate): EncumbranceMsg {
  const domain = encumbranceFromRow(row);
  return {
    mortgageId: row.mortgageId,
    contractId: row.contractId,
    householdId: row.householdId ?? '',
    plotCodes: [...row.plotCodes],
    circulationId: row.circulationId ?? '',
    securedAmountFen: row.securedAmountFen,
    registeredOn: row.registeredOn ?? '',
    releasedOn: row.releasedOn ?? '',
    securedUntilDate: row.securedUntil ?? '',
    mortgageeCreditCode: row.mortgageeCreditCode,
    certificateNo: row.certificateNo,
    ranking: row.ranking,
    inEffect: domain !== undefined && isEncumbranceInEffect(domain, asOf),
    townshipCode: row.townshipCode,
  };
}

/** The consumer acts as the service itself; the audit names the exchange centre's certificate. */
function consumerContext(reason: string, documentRef: string): CommandContext {
  return {
    principal: servicePrincipal('land-contract'),
    reason,
    documentRef,
    traceId: currentTraceId(),
    now: new Date(),
  };
}

async function findContract(em: EntityManager, rightId: string): Promise<ContractRow | null> {
  const where = isUuid(rightId) ? { id: rightId } : /^\d{19}$/.test(rightId) ? { code: rightId } : undefined;
  if (!where) return null;
  // The same lock the commands take: a surrender and a mortgage landing on one contract are ordered.
  return em.findOne(ContractEntity, where, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
}

function earliest(...dates: (string | null | undefined)[]): string | null {
  const real = dates.filter((d): d is string => typeof d === 'string' && isLocalDate(d));
  return real.length === 0 ? null : real.reduce((a, b) => (compareDates(a, b) <= 0 ? a : b));
}

/**
 * `pq.property-mortgage.v1.mortgage.registered`: mark the right encumbered. Mortgages on other kinds
 * of right are not ours and pass through. A mortgage on a contract this register does not know is
 * still recorded (fail closed: better an encumbrance on an unknown id than a lost one).
 */
export async function onMortgageRegistered(
  event: DeliveredEvent<MortgageRegistered>,
  em: EntityManager,
): Promise<void> {
  const m = event.payload;
  const ref = m.collateral;
  if (ref?.rightType !== 'RIGHT_TYPE_LAND_MANAGEMENT' || !m.mortgageId) return;
  const contract = await findContract(em, ref.rightId);
  const registeredOn =
    m.registeredOn && isLocalDate(m.registeredOn)
      ? m.registeredOn
      : todayInShanghai(event.envelope.occurredAt ?? new Date());
  let circulationEnd: string | undefined;
  if (ref.circulationId && isUuid(ref.circulationId)) {
    circulationEnd = (await em.findOne(CirculationEntity, { id: ref.circulationId }))?.termEnd;
  }
  // Never beyond the right: a transferee's mortgage secures only its circulation term (LCL Art 47).
  const securedUntil = earliest(m.termEndDate, contract?.termEnd, circulationEnd);

  let row = await em.findOne(
    EncumbranceEntity,
    { mortgageId: m.mortgageId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  const fields = {
    contractId: contract?.id ?? ref.rightId,
    householdId: contract?.householdId ?? null,
    townshipCode: contract?.townshipCode ?? m.townshipCode.slice(0, 9),
    plotCodes: [...ref.plotCodes].sort(),
    circulationId: ref.circulationId || null,
    securedAmountFen: m.securedAmountFen,
    registeredOn,
    securedUntil,
    mortgageeCreditCode: m.mortgageeCreditCode.slice(0, 18),
    certificateNo: m.certificateNo.slice(0, 64),
    ranking: m.ranking,
  };
  if (row) {
    // Only a release placeholder can be here (the inbox stops a second registration event).
    Object.assign(row, fields);
  } else {
    row = em.create(EncumbranceEntity, { mortgageId: m.mortgageId, releasedOn: null, version: 1, ...fields });
  }
  await em.flush();
  const msg = encumbranceToMsg(row, todayInShanghai());
  await recordChanges(
    em,
    consumerContext(
      `mortgage ${m.certificateNo || m.mortgageId} registered by the exchange centre`,
      m.certificateNo,
    ),
    [
      {
        aggregateType: 'encumbrance',
        aggregateId: row.mortgageId,
        aggregateVersion: row.version,
        townshipCode: row.townshipCode,
        action: 'encumbrance.recorded',
        state: msg,
        effectiveOn: registeredOn,
        event: { type: Events['land-contract'].EncumbranceRecorded, payload: { encumbrance: msg } },
      },
    ],
  );
}

/**
 * `pq.property-mortgage.v1.mortgage.released`: lift the encumbrance. The release may overtake its
 * registration (two subjects, two consumers); it is kept, and the registration fills in the rest.
 */
export async function onMortgageReleased(
  event: DeliveredEvent<MortgageReleased>,
  em: EntityManager,
): Promise<void> {
  const m = event.payload;
  const ref = m.collateral;
  if (ref?.rightType !== 'RIGHT_TYPE_LAND_MANAGEMENT' || !m.mortgageId) return;
  const contract = await findContract(em, ref.rightId);
  const releasedOn =
    m.releasedOn && isLocalDate(m.releasedOn)
      ? m.releasedOn
      : todayInShanghai(event.envelope.occurredAt ?? new Date());
  let row = await em.findOne(
    EncumbranceEntity,
    { mortgageId: m.mortgageId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (row) {
    row.releasedOn = releasedOn;
  } else {
    row = em.create(EncumbranceEntity, {
      mortgageId: m.mortgageId,
      contractId: contract?.id ?? ref.rightId,
      householdId: contract?.householdId ?? null,
      townshipCode: contract?.townshipCode ?? m.townshipCode.slice(0, 9),
      plotCodes: [...ref.plotCodes].sort(),
      circulationId: ref.circulationId || null,
      securedAmountFen: 0,
      registeredOn: null,
      releasedOn,
      securedUntil: null,
      mortgageeCreditCode: '',
      certificateNo: '',
      ranking: 0,
      version: 1,
    });
  }
  await em.flush();
  const msg = encumbranceToMsg(row, todayInShanghai());
  const certificate = m.certificateNo || row.certificateNo;
  const why = m.reason ? ` (${m.reason})` : '';
  await recordChanges(
    em,
    consumerContext(
      `mortgage ${certificate || m.mortgageId} released by the exchange centre${why}`,
      certificate,
    ),
    [
      {
        aggregateType: 'encumbrance',
        aggregateId: row.mortgageId,
        aggregateVersion: row.version,
        townshipCode: row.townshipCode,
        action: 'encumbrance.released',
        state: msg,
        effectiveOn: releasedOn,
        event: { type: Events['land-contract'].EncumbranceReleased, payload: { encumbrance: msg } },
      },
    ],
  );
}

/** Mortgages on many contracts and households at once, limited to what the caller may read. */
export async function batchGetEncumbrances(
  em: EntityManager,
  principal: Principal,
  input: { contractIds: string[]; householdIds: string[]; includeReleased: boolean },
): Promise<BatchGetEncumbrancesResponse> {
  const contractIds = [...new Set(input.contractIds)];
  const householdIds = [...new Set(input.householdIds)].filter(isUuid);
  const rows =
    contractIds.length + householdIds.length === 0
      ? []
      : await em.find(
          EncumbranceEntity,
          { $or: [{ contractId: { $in: contractIds } }, { householdId: { $in: householdIds } }] },
          { orderBy: { registeredOn: 'asc', mortgageId: 'asc' } },
        );
  const asOf = todayInShanghai();
  const contracts = rows.length
    ? await em.find(ContractEntity, { id: { $in: rows.map((r) => r.contractId).filter(isUuid) } })
    : [];
  const villageOf = new Map(contracts.map((c) => [c.id, c.villageCode]));
  const readable = rows.filter((r) => {
    const village = villageOf.get(r.contractId);
    return village
      ? canReadVillage(principal, village)
      : canRead(principal, { track: TRACK, townshipCode: r.townshipCode });
  });
  const msgs = readable
    .map((r) => encumbranceToMsg(r, asOf))
    .filter((m) => input.includeReleased || m.inEffect);
  const total = (list: EncumbranceMsg[]) =>
    list.filter((e) => e.inEffect).reduce((sum, e) => sum + e.securedAmountFen, 0);
  return {
    byContract: contractIds.map((id) => {
      const list = msgs.filter((m) => m.contractId === id);
      return { contractId: id, encumbrances: list, securedTotalFen: total(list) };
    }),
    byHousehold: householdIds.map((id) => {
      const list = msgs.filter((m) => m.householdId === id);
      return { householdId: id, encumbrances: list, securedTotalFen: total(list) };
    }),
  };
}
