import { type EffectivePolicy, type EntityManager, type PolicyDefinition, policyOn } from '@pingquan/kit';
import { isLocalDate, type LocalDate, listVillages } from '@pingquan/reference';
import { z } from 'zod';
import { type AdjustmentPolicy, DEFAULT_ADJUSTMENT_POLICY } from '../domain/adjustment.js';
import { DEFAULT_EXTENSION_POLICY, type ExtensionPolicy } from '../domain/extension.js';

// The extension's and the individual adjustment's open values as versioned policies. The domain
// keeps its own version label on each value; it is derived here from the policy record
// (`land-contract.extension@3`), so a batch names exactly the record it ran under.

const localDate = z.string().refine((s) => isLocalDate(s), 'a YYYY-MM-DD calendar date');

export type ExtensionPolicyValue = Omit<ExtensionPolicy, 'version' | 'effectiveFrom'>;

/** 先期试点村 from the reference data: the villages chosen for the early pilot may extend first. */
export function referencePilotVillages(): string[] {
  return listVillages()
    .filter((v) => v.pilot === true)
    .map((v) => v.code);
}

export const extensionPolicy: PolicyDefinition<ExtensionPolicyValue> = {
  name: 'land-contract.extension',
  description:
    'The 30-year extension (延包): how many months ahead of its second-round expiry a contract counts as due, which villages may run batches in the early-pilot phase before the city-wide start, the phase dates, and whether mortgaged contracts are extended (EXTEND) or held for review (SKIP). The default pilot list is the reference data’s pilot villages.',
  schema: z.object({
    dueWindowMonths: z.number().int().min(0).max(240),
    pilotVillageCodes: z.array(z.string().regex(/^\d{12}$/)),
    pilotStartDate: localDate,
    cityWideStartDate: localDate,
    encumberedContracts: z.enum(['EXTEND', 'SKIP']),
  }),
  get defaultValue(): ExtensionPolicyValue {
    const { version: _version, effectiveFrom: _from, ...rest } = DEFAULT_EXTENSION_POLICY;
    return { ...rest, pilotVillageCodes: referencePilotVillages() };
  },
};

export type AdjustmentPolicyValue = Omit<AdjustmentPolicy, 'version' | 'effectiveFrom'>;

export const plotAdjustmentPolicy: PolicyDefinition<AdjustmentPolicyValue> = {
  name: 'land-contract.plot-adjustment',
  description:
    '个别调地 (大稳定、小调整): share of an issuer’s households, in basis points, above which an individual adjustment is flagged with a warning (pilot counties stayed within 0.9–6.7 %), and above which it is refused as a redivision (打乱重分).',
  schema: z
    .object({
      warnAboveBasisPoints: z.number().int().min(0).max(10_000),
      refuseAboveBasisPoints: z.number().int().min(0).max(10_000),
    })
    .refine(
      (p) => p.warnAboveBasisPoints <= p.refuseAboveBasisPoints,
      'the warning share cannot exceed the refusal share',
    ),
  defaultValue: {
    warnAboveBasisPoints: DEFAULT_ADJUSTMENT_POLICY.warnAboveBasisPoints,
    refuseAboveBasisPoints: DEFAULT_ADJUSTMENT_POLICY.refuseAboveBasisPoints,
  },
};

function label(effective: EffectivePolicy<unknown>): { version: string; effectiveFrom: LocalDate } {
  return { version: `${effective.name}@${effective.version}`, effectiveFrom: effective.effectiveFrom };
}

/** The extension policy in effect on `date`, as the domain reads it. */
export async function extensionPolicyOn(em: EntityManager, date: LocalDate): Promise<ExtensionPolicy> {
  const effective = await policyOn(em, extensionPolicy, date);
  return { ...effective.value, ...label(effective) };
}

export async function adjustmentPolicyOn(em: EntityManager, date: LocalDate): Promise<AdjustmentPolicy> {
  const effective = await policyOn(em, plotAdjustmentPolicy, date);
  return { ...effective.value, ...label(effective) };
}
