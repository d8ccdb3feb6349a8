import type { Principal, TrackName } from '@pingquan/kit';
import { TRACKS } from '@pingquan/kit';

// Who may use which cross-track view, per the roles table in DOMAIN.md. Record-level checks stay in
// the services (defence in depth); these rules decide what the gateway composes at all, so a role
// that may never see a view gets FORBIDDEN without any downstream call.

/** Tracks whose targets and figures the caller may see in the overview and supervision list. */
export function overviewTracks(principal: Principal): readonly TrackName[] {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
      return TRACKS;
    case 'LEAD_UNIT':
      return principal.track ? [principal.track] : [];
    default:
      return [];
  }
}

/** Whether the caller may open the township view of `townshipCode`. */
export function canViewTownship(principal: Principal, townshipCode: string): boolean {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
    case 'LEAD_UNIT':
      return true;
    case 'TOWNSHIP_OFFICIAL':
      return (principal.townships ?? []).includes(townshipCode);
    default:
      return false;
  }
}

/** Whether a section of a township or household view owned by a service of `track` is readable. */
export function canReadTrack(principal: Principal, track: TrackName): boolean {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
    case 'TOWNSHIP_OFFICIAL':
    case 'VILLAGE_TASK_FORCE':
      return true;
    case 'LEAD_UNIT':
      return principal.track === track;
    default:
      return false;
  }
}

/**
 * Household view: `city` — may read any household, so "not found" is an honest null; `scoped` — may
 * read some households only, so a miss is FORBIDDEN whether the household is elsewhere or nowhere
 * (the answer must not tell which); `none` — FORBIDDEN before any call.
 */
export function householdReach(principal: Principal): 'city' | 'scoped' | 'none' {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
      return 'city';
    case 'LEAD_UNIT':
      return principal.track === 'A' ? 'city' : 'none';
    case 'TOWNSHIP_OFFICIAL':
    case 'VILLAGE_TASK_FORCE':
      return 'scoped';
    default:
      return 'none';
  }
}

/** What a live event reveals about where it belongs, for the subscriber filter. */
export interface EventScope {
  track: TrackName;
  townshipCode: string;
  /** From the payload when it names one (contract, household, issuer). */
  villageCode?: string;
  /** From the payload of mortgage events: the mortgagee bank. */
  bankCreditCode?: string;
}

/**
 * Live events a subscriber may receive. County systems consume events by the roles table; lead units
 * their track; township officials and village task forces their own area; banks only events about
 * their own mortgages. Payloads carry personal ID numbers masked at the source.
 */
export function canReceiveEvent(principal: Principal, scope: EventScope): boolean {
  switch (principal.role) {
    case 'LEADING_GROUP':
    case 'AUDITOR':
    case 'COUNTY_SYSTEM':
      return true;
    case 'LEAD_UNIT':
      return principal.track === scope.track;
    case 'TOWNSHIP_OFFICIAL':
      return (principal.townships ?? []).includes(scope.townshipCode);
    case 'VILLAGE_TASK_FORCE':
      return scope.villageCode !== undefined && (principal.villages ?? []).includes(scope.villageCode);
    case 'COOPERATING_BANK':
      return scope.bankCreditCode !== undefined && scope.bankCreditCode === principal.bank;
    default:
      return false;
  }
}
