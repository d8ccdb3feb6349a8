import { describeClientError, PrincipalSigner } from '@pingquan/kit';
import { makePlotCode } from '@pingquan/reference';
import { ClientError, Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  type Harness,
  leadingGroup,
  leadUnitA,
  readEvents,
  registerSample,
  startLandContract,
} from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  h = await startLandContract();
});
afterAll(async () => {
  await h?.stop();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rowCounts(): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  const out: Record<string, number> = {};
  for (const t of [
    'issuer',
    'household',
    'household_member',
    'contract',
    'plot',
    'pq_outbox',
    'pq_audit_log',
  ]) {
    out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  await c.end();
  return out;
}

describe('land-contract register (walking skeleton)', () => {
  it('registers an issuer, a household and a contract, reads it back, and publishes each event once', async () => {
    const { contract, household } = await registerSample(h.client, 1);
    expect(contract.status).toBe('CONTRACT_STATUS_ACTIVE');
    expect(contract.totalAreaMu4).toBe(75_000);
    expect(contract.townshipCode).toBe('130881102');

    const read = await h.client.getContract({ idOrCode: contract.code }, { principal: leadingGroup });
    expect(read.contract?.plots.map((p) => p.code)).toEqual(contract.plots.map((p) => p.code));

    // The leading group sees personal ID numbers masked; the track's lead unit does not.
    const [masked] = (await h.client.batchGetHouseholds({ ids: [household.id] }, { principal: leadingGroup }))
      .households;
    expect(masked?.members[0]?.residentId).toMatch(/^130881\*{8}\d{3}[\dX]$/);
    const [plain] = (await h.client.batchGetHouseholds({ ids: [household.id] }, { principal: leadUnitA }))
      .households;
    expect(plain?.members[0]?.residentId).toMatch(/^\d{17}[\dX]$/);

    const events = await waitFor(async () => {
      const e = await readEvents(h.service.runtime.nc, h.prefix);
      return e.length >= 3 ? e : undefined;
    });
    expect(events.map((e) => e.type)).toEqual([
      'pingquan.land_contract.v1.IssuerRegistered',
      'pingquan.land_contract.v1.HouseholdRegistered',
      'pingquan.land_contract.v1.ContractRegistered',
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events[2]?.aggregateId).toBe(contract.id);
    expect(events[2]?.actor?.subject).toBe(leadUnitA.sub);
  });

  it('answers a household record (household, contracts) in one call, within the caller’s scope', async () => {
    const { contract, household } = await registerSample(h.client, 7);
    const unknown = '018f0000-0000-7000-8000-0000000000ff';
    const { records } = await h.client.batchGetHouseholdRecords(
      { householdIds: [household.id, unknown, household.id] },
      { principal: leadingGroup },
    );
    // One record per distinct id, in the order asked; an unknown id carries its id only.
    expect(records.map((r) => r.householdId)).toEqual([household.id, unknown]);
    expect(records[0]?.household?.code).toBe(household.code);
    expect(records[0]?.contracts.map((c) => c.code)).toEqual([contract.code]);
    expect(records[0]?.contracts[0]?.plots.length).toBe(contract.plots.length);
    expect(records[0]?.encumbrances).toEqual([]);
    expect(records[1]).toEqual({ householdId: unknown, contracts: [], encumbrances: [] });

    // A village task force of another village gets the id only, as for a household that does not exist.
    const elsewhere = await h.client.batchGetHouseholdRecords(
      { householdIds: [household.id] },
      { principal: { sub: 'user:vtf', role: 'VILLAGE_TASK_FORCE', villages: ['130881102202'] } },
    );
    expect(elsewhere.records).toEqual([{ householdId: household.id, contracts: [], encumbrances: [] }]);

    // Banks read mortgages through the exchange centre, not the register's record.
    const bank = await h.client
      .batchGetHouseholdRecords(
        { householdIds: [household.id] },
        { principal: { sub: 'bank:1', role: 'COOPERATING_BANK', bank: '91130881MA0000000X' } },
      )
      .catch((e: unknown) => e);
    expect(bank).toBeInstanceOf(ClientError);
    expect((bank as ClientError).code).toBe(Status.PERMISSION_DENIED);

    const bad = await h.client
      .batchGetHouseholdRecords({ householdIds: [household.id, 'H-1'] }, { principal: leadingGroup })
      .catch((e: unknown) => e);
    expect((bad as ClientError).code).toBe(Status.INVALID_ARGUMENT);
    expect(describeClientError(bad)?.violations.map((v) => v.field)).toEqual(['householdIds[1]']);
  });

  it('refuses a contract whose plot area is zero, names the field, and changes nothing', async () => {
    const before = await rowCounts();
    const { household } = await h.client
      .batchGetHouseholds({ ids: [] }, { principal: leadUnitA })
      .then(() => ({ household: undefined }));
    void household;
    const error = await h.client
      .registerContract(
        {
          code: '1308811022010200011',
          householdId: '018f0000-0000-7000-8000-000000000000',
          mode: 'CONTRACT_MODE_FAMILY',
          termStartDate: '1998-10-01',
          termEndDate: '2028-09-30',
          secondRoundEndDate: '',
          adjustmentForbidden: false,
          plots: [
            {
              code: makePlotCode('13088110220102', 1),
              name: 'x',
              contractAreaMu4: 0,
              surveyedAreaMu4: 10,
              landClass: 'LAND_CLASS_CULTIVATED',
              basicFarmland: false,
              boundaries: { east: 'a', south: 'b', west: 'c', north: 'd' },
              geometryGeojson: '',
            },
          ],
          context: change(),
        },
        { principal: leadUnitA },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const failure = describeClientError(error);
    expect(failure?.code).toBe(Status.INVALID_ARGUMENT);
    expect(failure?.violations.map((v) => v.field)).toContain('householdId');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses calls without a signed principal, and principals signed with another key', async () => {
    const noPrincipal = await h.client.getContract({ idOrCode: 'x' }).catch((e: unknown) => e);
    expect((noPrincipal as ClientError).code).toBe(Status.UNAUTHENTICATED);
    const forged = new PrincipalSigner('another-key-that-is-at-least-32-characters-long');
    const metadata = await forged.metadata(leadingGroup);
    const bad = await h.client.getContract({ idOrCode: 'x' }, { metadata }).catch((e: unknown) => e);
    expect((bad as ClientError).code).toBe(Status.UNAUTHENTICATED);
  });

  it('refuses a write from a role that may only read, without saying more', async () => {
    const error = await h.client
      .registerIssuer(
        { code: '13088110220199', creditCode: 'N2130881MA00000099', name: 'x', context: change() },
        { principal: leadingGroup },
      )
      .catch((e: unknown) => e);
    expect([Status.PERMISSION_DENIED, Status.INVALID_ARGUMENT]).toContain((error as ClientError).code);
  });

  it('returns the first result for a retried command with the same idempotency key', async () => {
    const request = {
      code: '13088110220177',
      creditCode: '',
      name: '重试合作社',
      context: { reason: 'retry test', documentRef: '', idempotencyKey: 'key-77' },
    };
    const { creditCode } = await import('./fixtures.js');
    request.creditCode = creditCode(77);
    const first = await h.client.registerIssuer(request, { principal: leadUnitA });
    const second = await h.client.registerIssuer(request, { principal: leadUnitA });
    expect(second.issuer?.id).toBe(first.issuer?.id);
    const conflict = await h.client
      .registerIssuer({ ...request, name: '另一个名字' }, { principal: leadUnitA })
      .catch((e: unknown) => e);
    expect((conflict as ClientError).code).toBe(Status.ABORTED);
  });
});
