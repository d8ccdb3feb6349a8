/**
 * One broken rule in an input. Services turn these into gRPC field violations (INVALID_ARGUMENT) or,
 * for business rules, into FAILED_PRECONDITION with the rule's name, so the rule name must stay stable.
 */
export interface RuleViolation {
  /** Stable UPPER_SNAKE name of the rule, e.g. `RESIDENT_ID_CHECK_CHARACTER`. */
  rule: string;
  /** Path of the offending input field, e.g. `household.members[2].residentId`. */
  field: string;
  /** A sentence a clerk can act on. */
  message: string;
}

/** The outcome of validating an input: the normalised value, or every violation found. */
export type Checked<T> = { ok: true; value: T } | { ok: false; violations: RuleViolation[] };

/** The failing branch of {@link Checked}; assignable to `Checked<T>` for every `T`. */
export type Failed = { ok: false; violations: RuleViolation[] };

export function ok<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function violation(rule: string, field: string, message: string): RuleViolation {
  return { rule, field, message };
}

export function fail(rule: string, field: string, message: string): Failed {
  return { ok: false, violations: [violation(rule, field, message)] };
}

/** Fails with all the given violations, or succeeds with `value` when there are none. */
export function collect<T>(violations: RuleViolation[], value: T): Checked<T> {
  return violations.length === 0 ? ok(value) : { ok: false, violations };
}
