import { compareDates, type LocalDate } from '@pingquan/reference';

/**
 * Every rule the plan leaves open is a policy value, versioned so that a decision can name the
 * version it was taken under and a later change never rewrites an old decision.
 */
export interface PolicyVersion {
  version: string;
  effectiveFrom: LocalDate;
}

/**
 * The version in effect on `date`: the latest `effectiveFrom` not after it. `undefined` when none
 * had started, which callers must refuse rather than fall back to a default silently.
 */
export function policyInEffect<P extends PolicyVersion>(
  versions: readonly P[],
  date: LocalDate,
): P | undefined {
  let found: P | undefined;
  for (const candidate of versions) {
    if (compareDates(candidate.effectiveFrom, date) > 0) continue;
    if (found === undefined || compareDates(candidate.effectiveFrom, found.effectiveFrom) >= 0)
      found = candidate;
  }
  return found;
}
