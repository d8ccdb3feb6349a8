import type { PolicyDefinition } from '@pingquan/kit';

/**
 * Every policy of land-contract: the values the plan leaves open, each with a zod schema and the
 * built-in default (version 0) that applies until the lead unit sets one. Served by PolicyService.
 */
export const policies: PolicyDefinition<unknown>[] = [];
