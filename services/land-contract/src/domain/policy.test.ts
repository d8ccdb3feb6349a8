import { describe, expect, it } from 'vitest';
import { policyInEffect } from './policy.js';

describe('policy versions', () => {
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
