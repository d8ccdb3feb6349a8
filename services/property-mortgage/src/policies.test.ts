import { describe, expect, it } from 'vitest';
import {
  classificationPolicy,
  lossSharingPolicy,
  ltvCapsPolicy,
  policies,
  valuationPolicy,
} from './policies.js';

describe('policies', () => {
  it('every built-in default satisfies its own schema', () => {
    for (const p of policies) expect(p.schema.safeParse(p.defaultValue).success, p.name).toBe(true);
  });

  it('defaults: 70% LTV on land management rights, the fund pays 20% of the net principal loss', () => {
    expect(ltvCapsPolicy.defaultValue.caps.LAND_MANAGEMENT).toBe(7_000);
    expect(lossSharingPolicy.defaultValue.ordinary.principal.fundBp).toBe(2_000);
    expect(classificationPolicy.defaultValue).toMatchObject({
      operationalGraceDays: 7,
      substandardAfterDays: 90,
      doubtfulAfterDays: 270,
      lossAfterDays: 360,
    });
    expect(valuationPolicy.defaultValue.maxValidityDays).toBe(365);
  });

  it('loss shares must add up to the whole loss', () => {
    const bad = structuredClone(lossSharingPolicy.defaultValue);
    bad.naturalDisaster.principal.fundBp = 6_000;
    expect(lossSharingPolicy.schema.safeParse(bad).success).toBe(false);
  });

  it('classification thresholds must increase', () => {
    expect(
      classificationPolicy.schema.safeParse({ ...classificationPolicy.defaultValue, doubtfulAfterDays: 80 })
        .success,
    ).toBe(false);
  });

  it('LTV caps name only known right types', () => {
    expect(ltvCapsPolicy.schema.safeParse({ caps: { HOUSEBOAT: 5_000 }, fallbackBp: 5_000 }).success).toBe(
      false,
    );
  });
});
