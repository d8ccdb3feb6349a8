import type { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { InternalCallOptions, Principal } from '@pingquan/kit';
import { SingleBar } from 'cli-progress';
import type { Client } from 'nice-grpc';
import { generateCity, type Scale, type SeedVillage } from './dataset.js';

export const SEED_PRINCIPAL: Principal = {
  sub: 'seed:demo-data',
  role: 'LEAD_UNIT',
  track: 'A',
  name: 'demo data loader',
};

export interface SeedClients {
  landContract: Client<typeof LandContractServiceDefinition, InternalCallOptions>;
}

export interface SeedResult {
  villages: number;
  households: number;
  contracts: number;
  plots: number;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Loads the demo city through the services' own gRPC APIs, so seeded data obeys every rule and
 * publishes every event. Each command carries an idempotency key derived from its record's code:
 * a second run (or a run resumed after Ctrl-C) returns the stored results instead of duplicating.
 */
export async function seedThroughServices(
  clients: SeedClients,
  scale: Scale,
  progress = true,
): Promise<SeedResult> {
  const villages = [...generateCity(scale)];
  const totalHouseholds = villages.reduce((n, v) => n + v.households.length, 0);
  const bar = progress
    ? new SingleBar({ format: 'seeding {bar} {value}/{total} households | {village}', hideCursor: true })
    : undefined;
  bar?.start(totalHouseholds, 0, { village: '' });
  const result: SeedResult = { villages: 0, households: 0, contracts: 0, plots: 0 };
  const opts = { principal: SEED_PRINCIPAL, deadline: 30_000 };
  const change = (key: string) => ({
    reason: 'demo data (deterministic generator)',
    documentRef: '',
    idempotencyKey: `seed:${key}`,
  });
  await pool(villages, 4, async (v: SeedVillage) => {
    await clients.landContract.registerIssuer({ ...v.issuer, context: change(v.issuer.code) }, opts);
    result.villages += 1;
    await pool(v.households, 4, async (h) => {
      const { household } = await clients.landContract.registerHousehold(
        {
          code: h.code,
          address: h.address,
          members: h.members.map((m) => ({
            ...m,
            relation: `RELATION_${m.relation}` as const,
            deceasedOn: m.deceasedOn ?? '',
          })),
          context: change(h.code),
        },
        opts,
      );
      await clients.landContract.registerContract(
        {
          code: h.contract.code,
          householdId: household?.id ?? '',
          mode: 'CONTRACT_MODE_FAMILY',
          termStartDate: h.contract.termStart,
          termEndDate: h.contract.termEnd,
          secondRoundEndDate: h.contract.secondRoundEnd,
          adjustmentForbidden: false,
          plots: h.contract.plots.map((p) => ({
            ...p,
            landClass: `LAND_CLASS_${p.landClass}` as const,
            geometryGeojson: '',
          })),
          context: change(h.contract.code),
        },
        opts,
      );
      result.households += 1;
      result.contracts += 1;
      result.plots += h.contract.plots.length;
      bar?.increment(1, { village: `${v.village.name}` });
    });
  });
  bar?.stop();
  return result;
}
