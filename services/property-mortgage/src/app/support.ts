import {
  type EffectivePolicy,
  type EntityManager,
  execInTransaction,
  InvalidInputError,
  type PolicyDefinition,
  policyOn,
  RuleRefusedError,
} from '@pingquan/kit';
import type { RuleViolation } from '@pingquan/reference';
import { formatNumber } from '../domain/mortgage.js';

/** Shape problems: INVALID_ARGUMENT with every field named. */
export function invalid(violations: RuleViolation[]): never {
  throw new InvalidInputError(violations);
}

/** A business rule refused the command: FAILED_PRECONDITION with the rule's name; nothing changes. */
export function refuse(violations: RuleViolation[]): never {
  throw new RuleRefusedError(violations);
}

export function invalidIfAny(violations: RuleViolation[]): void {
  if (violations.length) invalid(violations);
}

export function refuseIfAny(violations: RuleViolation[]): void {
  if (violations.length) refuse(violations);
}

/** Serialises commands on one key (a right, a loan) until the transaction ends. */
export async function lock(em: EntityManager, key: string): Promise<void> {
  await execInTransaction(em, 'SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
}

/**
 * The next number of a series (certificates, applications): a counter per prefix, year and township,
 * taken in the command's transaction so a rolled-back command leaves no gap.
 */
export async function nextNumber(
  em: EntityManager,
  prefix: string,
  year: number,
  townshipCode: string,
): Promise<string> {
  const name = `${prefix}-${year}-${townshipCode}`;
  const [row] = await execInTransaction<{ last: number }>(
    em,
    `INSERT INTO number_sequence (name, last) VALUES (?, 1)
     ON CONFLICT (name) DO UPDATE SET last = number_sequence.last + 1 RETURNING last`,
    [name],
  );
  return formatNumber(prefix, year, townshipCode, Number(row?.last ?? 1));
}

export async function policy<T>(
  em: EntityManager,
  def: PolicyDefinition<T>,
  date: string,
): Promise<EffectivePolicy<T>> {
  return policyOn(em, def, date);
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}
