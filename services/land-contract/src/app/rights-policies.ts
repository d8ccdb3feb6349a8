import { type EntityManager, type PolicyDefinition, policyOn } from '@pingquan/kit';
import type { LocalDate } from '@pingquan/reference';
import { z } from 'zod';
import { type CirculationPolicy, DEFAULT_CIRCULATION_POLICY } from '../domain/circulation.js';
import type { TransfereeKind } from '../domain/model.js';
import {
  DEFAULT_SURRENDER_COMPENSATION_POLICY,
  type SurrenderCompensationPolicy,
} from '../domain/surrender.js';

// The two policies of the rights capabilities, stored as versioned records (pq_policy) and read as
// the version in effect on the act's date, so a later change never re-prices an earlier decision.

export interface SurrenderCompensationValue {
  /** Price per mu and year of remaining term, in fen. */
  perMuAnnualPriceFen: number;
}

export const surrenderCompensationPolicy: PolicyDefinition<SurrenderCompensationValue> = {
  name: 'land-contract.surrender.compensation',
  description:
    'Compensation for a voluntary paid surrender (自愿有偿退出): area_mu × perMuAnnualPriceFen × remaining_years + assessed soil improvement. The version in effect on the surrender date applies.',
  schema: z.object({ perMuAnnualPriceFen: z.number().int().min(0).max(100_000_000) }),
  defaultValue: { perMuAnnualPriceFen: DEFAULT_SURRENDER_COMPENSATION_POLICY.perMuAnnualPriceFen },
};

const KINDS = [
  'HOUSEHOLD',
  'COOPERATIVE',
  'FAMILY_FARM',
  'ENTERPRISE',
  'NON_MEMBER_INDIVIDUAL',
] as const satisfies readonly TransfereeKind[];
const kind = z.enum(KINDS);

export interface CirculationPolicyValue {
  socialCapitalKinds: CirculationPolicy['socialCapitalKinds'];
  reviewTiers: { level: 'TOWNSHIP' | 'CITY'; aboveMu4: number }[];
  riskDeposit: { kinds: CirculationPolicy['riskDeposit']['kinds']; perMuFen: number };
}

export const circulationPolicy: PolicyDefinition<CirculationPolicyValue> = {
  name: 'land-contract.circulation.social-capital',
  description:
    'Social capital in management-right circulation (工商企业等社会资本): which transferee kinds count, the area tiers (1/10000 mu, counting what the transferee already holds) above which a township or city qualification and project review is required, and the risk deposit (风险保障金) per mu asked of which kinds. The version in effect on the circulation start applies.',
  schema: z.object({
    socialCapitalKinds: z.array(kind),
    reviewTiers: z.array(
      z.object({ level: z.enum(['TOWNSHIP', 'CITY']), aboveMu4: z.number().int().min(0).max(1_000_000_000) }),
    ),
    riskDeposit: z.object({ kinds: z.array(kind), perMuFen: z.number().int().min(0).max(100_000_000) }),
  }),
  defaultValue: {
    socialCapitalKinds: DEFAULT_CIRCULATION_POLICY.socialCapitalKinds,
    reviewTiers: DEFAULT_CIRCULATION_POLICY.reviewTiers.map((t) => ({ ...t })),
    riskDeposit: { ...DEFAULT_CIRCULATION_POLICY.riskDeposit },
  },
};

/** Version 0 is the built-in default; its name says so, so a decision never cites a phantom record. */
const versionName = (name: string, version: number, builtIn: string) =>
  version === 0 ? builtIn : `${name}@v${version}`;

export async function surrenderPolicyOn(
  em: EntityManager,
  date: LocalDate,
): Promise<SurrenderCompensationPolicy> {
  const p = await policyOn(em, surrenderCompensationPolicy, date);
  return {
    version: versionName(p.name, p.version, DEFAULT_SURRENDER_COMPENSATION_POLICY.version),
    effectiveFrom: p.effectiveFrom,
    perMuAnnualPriceFen: p.value.perMuAnnualPriceFen,
  };
}

export async function circulationPolicyOn(em: EntityManager, date: LocalDate): Promise<CirculationPolicy> {
  const p = await policyOn(em, circulationPolicy, date);
  return {
    version: versionName(p.name, p.version, DEFAULT_CIRCULATION_POLICY.version),
    effectiveFrom: p.effectiveFrom,
    ...p.value,
  };
}
