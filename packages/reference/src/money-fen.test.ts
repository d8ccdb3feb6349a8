import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bpOfFloor, ratioBp, roundHalfUpDiv, splitFloor, sumFen } from './money.js';

describe('money in integer fen', () => {
  it('rounds half up, away from zero', () => {
    expect(roundHalfUpDiv(5n, 2n)).toBe(3);
    expect(roundHalfUpDiv(-5n, 2n)).toBe(-3);
    expect(roundHalfUpDiv(4n, 3n)).toBe(1);
  });

  it('takes basis points rounding down, so a cap is never exceeded by rounding', () => {
    expect(bpOfFloor(99_999, 7000)).toBe(69_999);
    expect(bpOfFloor(100_000, 7000)).toBe(70_000);
  });

  it('states ratios in basis points, half up', () => {
    expect(ratioBp(1, 3)).toBe(3333);
    expect(ratioBp(2, 3)).toBe(6667);
    expect(ratioBp(5, 0)).toBe(0);
  });

  it('splits a total into parts that add up to it exactly, the leftover to the named party', () => {
    expect(splitFloor(101, [2000, 8000], 1)).toEqual([20, 81]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 6 }),
        (total, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const parts = splitFloor(total, weights, weights.length - 1);
          expect(sumFen(parts)).toBe(total);
          expect(parts.every((p) => p >= 0)).toBe(true);
        },
      ),
    );
  });
});
