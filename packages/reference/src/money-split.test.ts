import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateByWeights, roundHalfUpDiv } from './money.js';
import { formatMu } from './units.js';

describe('money helpers', () => {
  it('ROUND_HALF_UP: halves go up, below half goes down', () => {
    expect(roundHalfUpDiv(5n, 10n)).toBe(1);
    expect(roundHalfUpDiv(4n, 10n)).toBe(0);
    expect(roundHalfUpDiv(15n, 10n)).toBe(2);
    expect(roundHalfUpDiv(-15n, 10n)).toBe(-2);
  });

  it('INHERITANCE_SUM_MISMATCH cannot arise from allocateByWeights: parts always add up to the total', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocateByWeights(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((p, i) => {
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
    );
  });

  it('formatMu prints a ten-thousandths value with four decimals', () => {
    expect(formatMu(43_288)).toBe('4.3288');
    expect(formatMu(5)).toBe('0.0005');
  });
});
