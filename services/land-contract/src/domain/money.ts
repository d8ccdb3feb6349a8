import type { Fen } from '@pingquan/reference';

/**
 * `numerator / denominator` rounded half up to a whole fen. Products of area, price and days run past
 * 2^53 for large holdings, so the arithmetic is done in bigint and rounded once, at the end.
 */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): Fen {
  if (denominator <= 0n) throw new RangeError('Denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  const result = Number(negative ? -rounded : rounded);
  if (!Number.isSafeInteger(result)) throw new RangeError('Amount exceeds the safe integer range of fen');
  return result;
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

/** A non-negative integer in ten-thousandths as text with 4 decimals (`43288` → `'4.3288'`). */
export function formatTenThousandths(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`Expected a whole number ≥ 0, got ${value}`);
  return `${Math.floor(value / 10_000)}.${String(value % 10_000).padStart(4, '0')}`;
}
