import type { PolicyDefinition } from '@pingquan/kit';
import { z } from 'zod';
import { type ClassificationRules, RULES_2023 } from './domain/classification.js';
import type { LossSharingPolicy } from './domain/fund.js';
import { RIGHT_TYPE_NAMES } from './domain/model.js';
import type { LtvCaps } from './domain/product.js';
import type { ValuationRules } from './domain/valuation.js';

const bp = z.number().int().min(0).max(10_000);

const ltvCapsSchema = z.object({
  caps: z.partialRecord(z.enum(RIGHT_TYPE_NAMES), bp),
  fallbackBp: bp,
});

/**
 * 贷款价值比上限 — loan-to-value ceilings per right type. Default 70% for land management rights, the
 * common practice of the two-rights pilots (两权抵押贷款试点); 50% for every other type until the lead
 * unit (市供销社 with 人行平泉支行) sets its own, a deliberately cautious placeholder.
 */
export const ltvCapsPolicy: PolicyDefinition<LtvCaps> = {
  name: 'ltv-caps',
  description: 'Maximum loan-to-value per right type (basis points); a product may not exceed it.',
  schema: ltvCapsSchema,
  defaultValue: { caps: { LAND_MANAGEMENT: 7_000 }, fallbackBp: 5_000 },
};

const classificationSchema = z
  .object({
    operationalGraceDays: z.number().int().min(0).max(30),
    substandardAfterDays: z.number().int().min(1),
    doubtfulAfterDays: z.number().int().min(1),
    lossAfterDays: z.number().int().min(1),
    contagionThresholdBp: bp,
  })
  .refine((r) => r.substandardAfterDays < r.doubtfulAfterDays && r.doubtfulAfterDays < r.lossAfterDays, {
    message: 'thresholds must increase: substandard < doubtful < loss',
  });

/** 五级分类 thresholds of the 2023 rules (CBIRC/PBOC Order 2023 No. 1, Arts 9–11). */
export const classificationPolicy: PolicyDefinition<ClassificationRules> = {
  name: 'loan-classification',
  description: 'Five-category classification thresholds: operational grace, 90/270/360 days, 10% contagion.',
  schema: classificationSchema,
  defaultValue: RULES_2023,
};

const ratios = z
  .object({ fundBp: bp, bankBp: bp, insurerBp: bp, guarantorBp: bp })
  .refine((r) => r.fundBp + r.bankBp + r.insurerBp + r.guarantorBp === 10_000, {
    message: 'shares must add up to 10000 basis points',
  });
const rule = z.object({ principal: ratios, interest: ratios });

/**
 * 损失分担 — how a loss left after disposal is shared. Default: the fund pays 20% of the net principal
 * loss and the bank the rest, per the practice of comparable county funds; interest losses stay with the
 * bank. Natural disasters (自然灾害, plan 附件2 二(四)2): fund 50% of the net principal loss — a placeholder
 * until the risk compensation measures (风险补偿管理办法) fix it.
 */
export const lossSharingPolicy: PolicyDefinition<LossSharingPolicy> = {
  name: 'loss-sharing',
  description:
    'Shares of the net principal and interest loss: fund, bank, insurer, guarantor; ordinary and natural disaster.',
  schema: z.object({ ordinary: rule, naturalDisaster: rule }),
  defaultValue: {
    ordinary: {
      principal: { fundBp: 2_000, bankBp: 8_000, insurerBp: 0, guarantorBp: 0 },
      interest: { fundBp: 0, bankBp: 10_000, insurerBp: 0, guarantorBp: 0 },
    },
    naturalDisaster: {
      principal: { fundBp: 5_000, bankBp: 5_000, insurerBp: 0, guarantorBp: 0 },
      interest: { fundBp: 0, bankBp: 10_000, insurerBp: 0, guarantorBp: 0 },
    },
  },
};

/**
 * 价值评估 — a report is valid for at most a year; comparables draw on two years of certified deals and
 * need at least three of them to be a market.
 */
export const valuationPolicy: PolicyDefinition<ValuationRules> = {
  name: 'valuation',
  description: 'Longest validity of a valuation report; window and minimum count of comparable deals.',
  schema: z.object({
    maxValidityDays: z.number().int().min(1).max(1_830),
    comparableWindowDays: z.number().int().min(1).max(3_660),
    comparableMinDeals: z.number().int().min(1).max(100),
  }),
  defaultValue: { maxValidityDays: 365, comparableWindowDays: 730, comparableMinDeals: 3 },
};

/**
 * Every policy of property-mortgage, each with a zod schema and a built-in default (version 0) that
 * applies until the lead unit of track B sets one. Served by PolicyService.
 */
export const policies: PolicyDefinition<unknown>[] = [
  ltvCapsPolicy,
  classificationPolicy,
  lossSharingPolicy,
  valuationPolicy,
] as PolicyDefinition<unknown>[];
