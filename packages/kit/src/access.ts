import { PermissionDeniedError } from './errors.js';
import type { Principal, TrackName } from './principal.js';

/** Where a record sits: which reform track owns it and which township and village it belongs to. */
export interface RecordScope {
  track: TrackName;
  townshipCode?: string;
  villageCode?: string;
}

/**
 * Read access per the platform's roles table. Cooperating banks and county systems read nothing
 * through the general paths: banks use their own loan and collateral calls, county systems events.
 */
export function canRead(principal: Principal, scope: RecordScope): boolean {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
    case 'SERVICE':
      return true;
    case 'LEAD_UNIT':
      return principal.track === scope.track;
    case 'TOWNSHIP_OFFICIAL':
      return inTownship(principal, scope);
    case 'VILLAGE_TASK_FORCE':
      return inVillage(principal, scope);
    default:
      return false;
  }
}

/** Write access: lead units on their track, township officials in their township, services. */
export function canWrite(principal: Principal, scope: RecordScope): boolean {
  switch (principal.role) {
    case 'SERVICE':
      return true;
    case 'LEAD_UNIT':
      return principal.track === scope.track;
    case 'TOWNSHIP_OFFICIAL':
      return inTownship(principal, scope);
    default:
      return false;
  }
}

/**
 * Whether the caller sees personal ID numbers unmasked: the auditor (every such read is logged), the
 * platform's own services, and those who keep the register — the track's lead unit and the official
 * of the record's township.
 */
export function seesPersonalData(principal: Principal, scope: RecordScope): boolean {
  switch (principal.role) {
    case 'AUDITOR':
    case 'SERVICE':
      return true;
    case 'LEAD_UNIT':
      return principal.track === scope.track;
    case 'TOWNSHIP_OFFICIAL':
      return inTownship(principal, scope);
    default:
      return false;
  }
}

export function assertCanRead(principal: Principal, scope: RecordScope): void {
  if (!canRead(principal, scope)) throw new PermissionDeniedError();
}

export function assertCanWrite(principal: Principal, scope: RecordScope): void {
  if (!canWrite(principal, scope)) throw new PermissionDeniedError();
}

/** Township codes a list query must be limited to, or undefined for city-wide callers. */
export function townshipFilter(principal: Principal, track: TrackName): string[] | undefined {
  if (principal.role === 'TOWNSHIP_OFFICIAL') return principal.townships ?? [];
  if (principal.role === 'VILLAGE_TASK_FORCE')
    return [...new Set((principal.villages ?? []).map((v) => v.slice(0, 9)))];
  if (canRead(principal, { track })) return undefined;
  return [];
}

function inTownship(principal: Principal, scope: RecordScope): boolean {
  const township = scope.townshipCode ?? scope.villageCode?.slice(0, 9);
  return township !== undefined && (principal.townships ?? []).includes(township);
}

function inVillage(principal: Principal, scope: RecordScope): boolean {
  return scope.villageCode !== undefined && (principal.villages ?? []).includes(scope.villageCode);
}
