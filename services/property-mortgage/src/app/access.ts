import { canRead, canWrite, NotFoundError, PermissionDeniedError, type Principal } from '@pingquan/kit';
import { maskResidentId } from '@pingquan/reference';
import type { PartyJson } from '../persistence/entities.js';
import { TRACK } from './context.js';

// Who may see and do what at the exchange centre (DOMAIN.md, Roles). The gateway checks roles too; the
// service checks them again on every call (defence in depth), from the signed principal.

/** Where a record sits, and which bank it belongs to when it is a bank's. */
export interface CentreScope {
  townshipCode: string;
  villageCode?: string;
  /** The mortgagee / lending bank; empty for records that are no bank's (rights, deals, prices). */
  bankCreditCode?: string;
}

/** A cooperating bank sees only its own records; everyone else by the platform's roles for track B. */
export function mayRead(principal: Principal, scope: CentreScope): boolean {
  if (principal.role === 'COOPERATING_BANK') {
    return (
      Boolean(principal.bank) && Boolean(scope.bankCreditCode) && principal.bank === scope.bankCreditCode
    );
  }
  return canRead(principal, {
    track: TRACK,
    townshipCode: scope.townshipCode,
    villageCode: scope.villageCode,
  });
}

/** Reads of one record say "not found" rather than "forbidden", so a bank cannot probe for others' records. */
export function assertMayRead(principal: Principal, scope: CentreScope, entity: string, key: string): void {
  if (!mayRead(principal, scope)) throw new NotFoundError(entity, key);
}

/**
 * Public parts of the price system (benchmark prices, certified deals, products): every role that may
 * read the platform, banks included.
 */
export function mayReadPublic(principal: Principal): boolean {
  return principal.role !== 'COUNTY_SYSTEM';
}

/** The exchange centre's own acts: the lead unit of track B, the township's official, the platform. */
export function assertCentreWrite(principal: Principal, townshipCode: string): void {
  if (!canWrite(principal, { track: TRACK, townshipCode })) throw new PermissionDeniedError();
}

/** Acts of the bank itself (its products, its applications, loans, repayments), or of the centre for it. */
export function assertBankOrCentreWrite(
  principal: Principal,
  bankCreditCode: string,
  townshipCode: string,
): void {
  if (principal.role === 'COOPERATING_BANK') {
    if (principal.bank && principal.bank === bankCreditCode) return;
    throw new PermissionDeniedError();
  }
  assertCentreWrite(principal, townshipCode);
}

/** City-wide acts of the centre (policies, benchmark prices, the fund): the lead unit or the platform. */
export function assertLeadUnit(principal: Principal): void {
  if (principal.role === 'SERVICE' || (principal.role === 'LEAD_UNIT' && principal.track === TRACK)) return;
  throw new PermissionDeniedError();
}

/** Restrictions a list query applies for the caller; `nothing` when the caller may list nothing. */
export interface ListScope {
  nothing: boolean;
  townships?: string[];
  bank?: string;
}

export function listScope(principal: Principal, banked: boolean): ListScope {
  if (principal.role === 'COOPERATING_BANK') {
    return banked && principal.bank ? { nothing: false, bank: principal.bank } : { nothing: true };
  }
  if (principal.role === 'TOWNSHIP_OFFICIAL') return { nothing: false, townships: principal.townships ?? [] };
  // A village task force keeps its village's verification and ledgers; mortgages and loans are not theirs.
  if (principal.role === 'VILLAGE_TASK_FORCE') return { nothing: true };
  if (canRead(principal, { track: TRACK })) return { nothing: false };
  return { nothing: true };
}

/**
 * The filter of a list query with the caller's scope applied: a bank sees only its own records, a
 * township official only their townships (a filter outside them is narrowed back into them).
 * `undefined` when the caller may see nothing of the list.
 */
export function scopedWhere(
  principal: Principal,
  filter: Record<string, string | undefined>,
): Record<string, unknown> | undefined {
  const scope = listScope(principal, true);
  if (scope.nothing) return undefined;
  const where: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(filter)) if (value) where[field] = value;
  if (scope.bank) where['bankCreditCode'] = scope.bank;
  if (scope.townships) {
    const wanted = filter['townshipCode'];
    where['townshipCode'] = wanted && scope.townships.includes(wanted) ? wanted : { $in: scope.townships };
  }
  return where;
}

/**
 * Whether the caller sees a person's resident ID unmasked: the auditor and the platform, the centre (lead
 * unit, the township's official) and the bank the record belongs to. Organisations' credit codes are
 * public and never masked.
 */
export function seesPersonalData(principal: Principal, scope: CentreScope): boolean {
  switch (principal.role) {
    case 'AUDITOR':
    case 'SERVICE':
      return true;
    case 'LEAD_UNIT':
      return principal.track === TRACK;
    case 'TOWNSHIP_OFFICIAL':
      return (principal.townships ?? []).includes(scope.townshipCode);
    case 'COOPERATING_BANK':
      return Boolean(principal.bank) && principal.bank === scope.bankCreditCode;
    default:
      return false;
  }
}

export function maskParty<T extends PartyJson>(party: T, unmasked: boolean): T {
  if (unmasked || (party.kind !== 'HOUSEHOLD' && party.kind !== 'INDIVIDUAL') || party.idNumber.length !== 18)
    return party;
  return { ...party, idNumber: maskResidentId(party.idNumber) };
}
