import type { PolicyDefinition } from '@pingquan/kit';
import { z } from 'zod';
import { extensionPolicy, plotAdjustmentPolicy } from './app/extension-policy.js';
import { circulationPolicy, surrenderCompensationPolicy } from './app/rights-policies.js';
import { DEFAULT_CERTIFICATION_POLICY } from './domain/certification.js';

/** 公示期 — how long the certification campaign's public notice stays posted. */
export interface CertificationNoticePolicy {
  noticeWindowDays: number;
}

export const certificationNoticePolicy: PolicyDefinition<CertificationNoticePolicy> = {
  name: 'land-contract.certification.notice-window',
  description:
    'Days the survey results of a household stay posted for public notice (公示期) in the certification campaign; objections are taken within them. Applies to notices posted on or after its effective date.',
  schema: z.object({ noticeWindowDays: z.number().int().min(7).max(180) }),
  defaultValue: { noticeWindowDays: DEFAULT_CERTIFICATION_POLICY.noticeWindowDays },
};

/**
 * Every policy of land-contract: the values the plan leaves open, each with a zod schema and the
 * built-in default (version 0) that applies until the lead unit sets one. Served by PolicyService.
 */
export const policies: PolicyDefinition<unknown>[] = [
  certificationNoticePolicy as PolicyDefinition<unknown>,
  extensionPolicy as PolicyDefinition<unknown>,
  plotAdjustmentPolicy as PolicyDefinition<unknown>,
  surrenderCompensationPolicy as PolicyDefinition<unknown>,
  circulationPolicy as PolicyDefinition<unknown>,
];
