import { type RuleViolation, violation } from '@pingquan/reference';
import type { RightTypeName } from './model.js';

/** Loan-to-value ceilings per right type (policy `ltv-caps`), basis points. */
export interface LtvCaps {
  caps: Partial<Record<RightTypeName, number>>;
  /** For right types the lead unit has not set a cap for yet. */
  fallbackBp: number;
}

export function ltvCapFor(rightType: RightTypeName, caps: LtvCaps): number {
  return caps.caps[rightType] ?? caps.fallbackBp;
}

export interface ProductInput {
  eligibleRightTypes: RightTypeName[];
  maxLtvBp: number;
  maxTermMonths: number;
  minRateBp: number;
  maxRateBp: number;
}

/** A product's LTV: the bank's own, or the policy cap when it gives none; never above the cap. */
export function productLtvBp(
  input: Pick<ProductInput, 'eligibleRightTypes' | 'maxLtvBp'>,
  caps: LtvCaps,
): number {
  const lowestCap = Math.min(...input.eligibleRightTypes.map((t) => ltvCapFor(t, caps)));
  return input.maxLtvBp > 0 ? input.maxLtvBp : lowestCap;
}

/** 贷款产品: eligible right types, an LTV within the policy caps, a term and a rate range. */
export function checkProduct(input: ProductInput, caps: LtvCaps): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (input.eligibleRightTypes.length === 0) {
    v.push(
      violation(
        'ELIGIBLE_RIGHT_TYPES_REQUIRED',
        'eligibleRightTypes',
        'Name the right types the product lends on.',
      ),
    );
    return v;
  }
  if (new Set(input.eligibleRightTypes).size !== input.eligibleRightTypes.length) {
    v.push(violation('RIGHT_TYPE_REPEATED', 'eligibleRightTypes', 'Each right type is named once.'));
  }
  const ltv = productLtvBp(input, caps);
  if (!Number.isInteger(input.maxLtvBp) || input.maxLtvBp < 0 || input.maxLtvBp > 10_000) {
    v.push(violation('LTV_RANGE', 'maxLtvBp', 'Loan-to-value is between 0 and 10000 basis points.'));
  }
  input.eligibleRightTypes.forEach((t, i) => {
    const cap = ltvCapFor(t, caps);
    if (ltv > cap) {
      v.push(
        violation(
          'LTV_ABOVE_POLICY_CAP',
          `eligibleRightTypes[${i}]`,
          `The policy caps loan-to-value on ${t} at ${cap / 100}%; the product asks ${ltv / 100}%.`,
        ),
      );
    }
  });
  if (!Number.isInteger(input.maxTermMonths) || input.maxTermMonths < 1 || input.maxTermMonths > 360) {
    v.push(violation('TERM_RANGE', 'maxTermMonths', 'The longest term is 1 to 360 months.'));
  }
  if (
    !Number.isInteger(input.minRateBp) ||
    !Number.isInteger(input.maxRateBp) ||
    input.minRateBp <= 0 ||
    input.minRateBp > input.maxRateBp ||
    input.maxRateBp > 3_600
  ) {
    v.push(
      violation('RATE_RANGE', 'minRateBp', 'The rate range is 0 < min ≤ max ≤ 3600 basis points a year.'),
    );
  }
  return v;
}

/** The LTV an application gets: the product's, but never above the cap in force for the right type. */
export function applicableLtvBp(productLtv: number, rightType: RightTypeName, caps: LtvCaps): number {
  return Math.min(productLtv, ltvCapFor(rightType, caps));
}
