// Integer-fen arithmetic shared by every service: money never passes through floating point, and
// every split adds up to its total exactly.
import type { Fen } from './units.js';

/** Basis points in a whole: 10000 bp = 100%. Rates, ratios and loan-to-value are integer basis points. */
export const BP = 10_000;

function toSafe(value: bigint): Fen {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw new RangeError('Amount exceeds the safe integer range of fen');
  return result;
}

/**
 * `numerator / denominator` rounded half up (away from zero) to a whole fen. Products of price, area
 * and days run past 2^53, so the arithmetic is bigint and rounded once, at the end.
 */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): Fen {
  if (denominator <= 0n) throw new RangeError('Denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  return toSafe(negative ? -rounded : rounded);
}

/** `numerator / denominator` rounded down, for caps that must never be exceeded by rounding. */
export function floorDiv(numerator: bigint, denominator: bigint): Fen {
  if (denominator <= 0n) throw new RangeError('Denominator must be positive');
  if (numerator < 0n) throw new RangeError('Numerator must not be negative');
  return toSafe(numerator / denominator);
}

/** `amount × bp / 10000`, rounded down to a fen. */
export function bpOfFloor(amountFen: Fen, bp: number): Fen {
  return floorDiv(BigInt(amountFen) * BigInt(bp), BigInt(BP));
}

/** `part / whole` in basis points, rounded half up; 0 when the whole is 0. */
export function ratioBp(part: Fen, whole: Fen): number {
  if (whole <= 0) return 0;
  return roundHalfUpDiv(BigInt(part) * BigInt(BP), BigInt(whole));
}

export function sumFen(values: Iterable<Fen>): Fen {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * Splits `totalFen` into parts that add up to it exactly: part i is `total × weights[i] / Σweights`
 * rounded down, and the leftover fen (fewer than the number of parts) goes to `remainderTo`. Used where
 * one party must bear the rounding (the bank in a loss split, the last installment in a schedule).
 */
export function splitFloor(totalFen: Fen, weights: readonly number[], remainderTo: number): Fen[] {
  if (!Number.isSafeInteger(totalFen) || totalFen < 0) throw new RangeError('Total must be whole fen ≥ 0');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0)) throw new RangeError('Weights must be whole');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError('At least one weight must be positive');
  if (remainderTo < 0 || remainderTo >= weights.length) throw new RangeError('remainderTo out of range');
  const parts = weights.map((w) => floorDiv(BigInt(totalFen) * BigInt(w), BigInt(sum)));
  const left = totalFen - sumFen(parts);
  parts[remainderTo] = (parts[remainderTo] ?? 0) + left;
  return parts;
}

/**
 * Splits `totalFen` in proportion to integer `weights` so the parts add up to the total exactly
 * (largest remainder; ties go to the earlier entry, so the split is deterministic).
 */
export function allocateByWeights(totalFen: Fen, weights: readonly number[]): Fen[] {
  if (!Number.isSafeInteger(totalFen) || totalFen < 0)
    throw new RangeError('Total must be whole fen, zero or more');
  if (weights.some((w) => !Number.isSafeInteger(w) || w < 0))
    throw new RangeError('Weights must be whole numbers');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) throw new RangeError('At least one weight must be positive');
  const total = BigInt(totalFen);
  const whole = weights.map((w) => (total * BigInt(w)) / BigInt(sum));
  const remainders = weights.map((w, i) => ({ i, r: (total * BigInt(w)) % BigInt(sum) }));
  let left = total - whole.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  const parts = whole.map(Number);
  for (const { i } of remainders) {
    if (left <= 0n) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left -= 1n;
  }
  return parts;
}
