import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateByWeights, formatTenThousandths, roundHalfUpDiv } from './money.js';
import { policyInEffect } from './policy.js';

describe('money and policy helpers', () => {
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

  it('formatTenThousandths prints four decimals', () => {
    expect(formatTenThousandths(43_288)).toBe('4.3288');
    expect(formatTenThousandths(5)).toBe('0.0005');
  });

  it('POLICY_IN_EFFECT: the latest version started by the date; none before the first', () => {
    const versions = [
      { version: 'v1', effectiveFrom: '2023-06-01' },
      { version: 'v2', effectiveFrom: '2024-07-01' },
    ];
    expect(policyInEffect(versions, '2023-05-31')).toBeUndefined();
    expect(policyInEffect(versions, '2024-06-30')?.version).toBe('v1');
    expect(policyInEffect(versions, '2024-07-01')?.version).toBe('v2');
  });
});
