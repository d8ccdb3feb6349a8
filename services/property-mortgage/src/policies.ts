import type { PolicyDefinition } from '@pingquan/kit';

/**
 * Every policy of property-mortgage (LTV caps, fund ratios, disaster rule, classification grace):
 * each with a zod schema and a built-in default. Served by PolicyService.
 */
export const policies: PolicyDefinition<unknown>[] = [];
