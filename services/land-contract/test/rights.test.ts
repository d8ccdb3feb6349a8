import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, leadUnitA, registerSample, startLandContract } from './fixtures.js';
import { daysAgo, registerHouseholdOf, rightsClients, settledStreamLength } from './rights-fixtures.js';

let h: Harness;
let c: ReturnType<typeof rightsClients>;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
});
afterAll(async () => {
  await h?.stop();
});

describe('rights commands: idempotency and audit', () => {
  it('returns the first result for a retry with the same key, refuses the key for another request, and audits who and why', async () => {
    const { contract, issuer } = await registerSample(h.client, 81);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const request = {
      contractId: contract.id,
      toHouseholdId: neighbour.id,
      plotCodes: [contract.plots[0]?.code ?? ''],
      transferDate: daysAgo(3),
      issuerConsent: { actedOn: daysAgo(4), reference: '同意书 81', by: '村股份经济合作社' },
      context: { reason: '承包权转让', documentRef: '转让合同 2026-81', idempotencyKey: 'transfer-81' },
    };
    const streamBefore = await settledStreamLength(h);
    const first = await c.rights.transferContractRight(request, { principal: leadUnitA });
    const retry = await c.rights.transferContractRight(request, { principal: leadUnitA });
    expect(retry).toEqual(first);
    expect(await settledStreamLength(h)).toBe(streamBefore + 2);
    await expect(
      c.rights.transferContractRight(
        { ...request, plotCodes: [contract.plots[1]?.code ?? ''] },
        { principal: leadUnitA },
      ),
    ).rejects.toMatchObject({ code: Status.ABORTED });

    const db = new pg.Client({ connectionString: h.dbUrl });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT action, actor_subject, actor_role, reason, document_ref, event_id, aggregate_version,
                to_char(effective_on, 'YYYY-MM-DD') AS effective_on
         FROM pq_audit_log WHERE aggregate_id = ANY($1) AND action LIKE 'contract.%' AND action <> 'contract.registered'
         ORDER BY id`,
        [[contract.id, first.transferee?.id]],
      );
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'contract.transferred',
          actor_subject: leadUnitA.sub,
          actor_role: 'LEAD_UNIT',
          reason: '承包权转让',
          document_ref: '转让合同 2026-81',
          effective_on: daysAgo(3),
          aggregate_version: '2',
        }),
        expect.objectContaining({
          action: 'contract.right-received',
          effective_on: daysAgo(3),
          aggregate_version: '1',
        }),
      ]);
      expect(rows.every((r) => r.event_id !== null)).toBe(true);
    } finally {
      await db.end();
    }
  });

  it('refuses a command without a reason or document reference', async () => {
    const { household } = await registerSample(h.client, 82);
    await expect(
      c.rights.recordMemberDeath(
        {
          householdId: household.id,
          residentId: household.members[0]?.residentId ?? '',
          deceasedOn: daysAgo(1),
          context: { reason: '', documentRef: '', idempotencyKey: '' },
        },
        { principal: leadUnitA },
      ),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });
});
