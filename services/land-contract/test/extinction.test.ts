import { Events } from '@pingquan/contracts/catalogue';
import type { EventEnvelope } from '@pingquan/contracts/pingquan/common/v1/events';
import type { ReclaimContractRequest } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  type Harness,
  leadingGroup,
  leadUnitA,
  readEvents,
  registerSample,
  residentId,
  startLandContract,
} from './fixtures.js';
import { daysAgo, expectRefusedWithoutTrace, registerHouseholdOf, rightsClients } from './rights-fixtures.js';

let h: Harness;
let c: ReturnType<typeof rightsClients>;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
});
afterAll(async () => {
  await h?.stop();
});

const heirA = residentId(901, '19950505');
const heirB = residentId(902, '19970707');

function reclaim(contractId: string, heirs: [number, number]): ReclaimContractRequest {
  return {
    contractId,
    decidedOn: daysAgo(1),
    decisionRef: '村股份经济合作社收回决定 2026-09',
    earnedIncome: [
      { description: '2026年耕地地力保护补贴', amountFen: 100_001, earnedOn: daysAgo(60) },
      { description: '土地流转租金', amountFen: 55_555, earnedOn: daysAgo(40) },
    ],
    heirs: [
      { name: '张小明', residentId: heirA, relation: '子', amountFen: heirs[0] },
      { name: '张小红', residentId: heirB, relation: '女', amountFen: heirs[1] },
    ],
    context: change('承包方消亡，收回承包地'),
  };
}

async function recordDeath(householdId: string, member: string, on: string) {
  return c.rights.recordMemberDeath(
    { householdId, residentId: member, deceasedOn: on, context: change('死亡证明') },
    { principal: leadUnitA },
  );
}

describe('household extinction (承包方消亡) and reclaim (收回)', () => {
  it('records deaths, detects extinction, and reclaims with the earned income passed to named heirs in full', async () => {
    const { contract, household, issuer } = await registerSample(h.client, 51);
    const [head, spouse] = [residentId(102), residentId(103, '19720304')];

    const first = await recordDeath(household.id, head, daysAgo(200));
    expect(first.householdExtinct).toBe(false);
    expect(first.household?.members.find((m) => m.residentId === head)).toMatchObject({
      alive: false,
      deceasedOn: daysAgo(200),
    });
    const early = await expectRefusedWithoutTrace(h, () =>
      c.rights.reclaimContract(reclaim(contract.id, [77_778, 77_778]), { principal: leadUnitA }),
    );
    expect(early.violations.map((v) => v.rule)).toContain('HOUSEHOLD_NOT_EXTINCT');

    const second = await recordDeath(household.id, spouse, daysAgo(30));
    expect(second.householdExtinct).toBe(true);
    const again = await expectRefusedWithoutTrace(h, () => recordDeath(household.id, spouse, daysAgo(30)));
    expect(again.violations.map((v) => v.rule)).toEqual(['MEMBER_ALREADY_DECEASED']);

    const { households } = await c.rights.listExtinctHouseholds(
      { townshipCode: '130881102', issuerCode: '', page: undefined },
      { principal: leadUnitA },
    );
    expect(households.map((x) => [x.household?.id, x.contractIdsInForce, x.lastDeathOn])).toEqual([
      [household.id, [contract.id], daysAgo(30)],
    ]);

    // 155 556 fen earned; parts that do not add up to it exactly are refused.
    const short = await expectRefusedWithoutTrace(h, () =>
      c.rights.reclaimContract(reclaim(contract.id, [77_778, 77_777]), { principal: leadUnitA }),
    );
    expect(short.code).toBe(Status.FAILED_PRECONDITION);
    expect(short.violations).toEqual([
      expect.objectContaining({ rule: 'INHERITANCE_SUM_MISMATCH', field: 'heirs' }),
    ]);

    const done = await c.rights.reclaimContract(reclaim(contract.id, [77_778, 77_778]), {
      principal: leadUnitA,
    });
    expect(done.contract?.status).toBe('CONTRACT_STATUS_RECLAIMED');
    expect(done.reclamation).toMatchObject({
      totalIncomeFen: 155_556,
      returnedPlotCodes: contract.plots.map((p) => p.code).sort(),
      heirs: [
        { name: '张小明', residentId: heirA, amountFen: 77_778 },
        { name: '张小红', residentId: heirB, amountFen: 77_778 },
      ],
    });
    const heirs = done.reclamation?.heirs ?? [];
    expect(heirs.reduce((sum, x) => sum + x.amountFen, 0)).toBe(done.reclamation?.totalIncomeFen);

    // The event leaves the service with the heirs' ID numbers masked.
    const envelope = (await readEvents(h.service.runtime.nc, h.prefix)).find(
      (e) => e.type === 'pingquan.land_contract.v1.ContractReclaimed',
    ) as EventEnvelope;
    const payload = Events['land-contract'].ContractReclaimed.codec.decode(envelope.payload);
    expect(payload.reclamation?.heirs.map((x) => x.residentId)).toEqual([
      expect.stringMatching(/^130881\*{8}\d{3}[\dX]$/),
      expect.stringMatching(/^130881\*{8}\d{3}[\dX]$/),
    ]);
    expect(
      (
        await c.rights.listExtinctHouseholds(
          { townshipCode: '', issuerCode: '', page: undefined },
          { principal: leadingGroup },
        )
      ).households,
    ).toEqual([]);

    // 另行发包: the returned plots go to another household of the collective for the rest of the round.
    const { plots } = await c.rights.listReturnedPlots(
      { issuerCode: issuer?.issuer?.code ?? '', townshipCode: '', page: undefined },
      { principal: leadUnitA },
    );
    expect(plots.map((p) => p.reason)).toEqual(['RETURN_REASON_RECLAIMED', 'RETURN_REASON_RECLAIMED']);
    const newcomer = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 5);
    const { contract: anew, newContract } = await c.rights.recontractPlots(
      {
        householdId: newcomer.id,
        mode: 'CONTRACT_MODE_FAMILY',
        termStartDate: daysAgo(0),
        termEndDate: '2028-09-30',
        plotCodes: contract.plots.map((p) => p.code),
        secondRoundEndDate: '2028-09-30',
        adjustmentForbidden: false,
        context: change('另行发包'),
      },
      { principal: leadUnitA },
    );
    expect(newContract).toBe(true);
    expect(anew).toMatchObject({
      code: `${newcomer.code}1`,
      householdId: newcomer.id,
      status: 'CONTRACT_STATUS_ACTIVE',
      totalAreaMu4: 75_000,
    });
    expect(
      (
        await c.rights.listReturnedPlots(
          { issuerCode: issuer?.issuer?.code ?? '', townshipCode: '', page: undefined },
          { principal: leadUnitA },
        )
      ).plots,
    ).toEqual([]);
    // A plot is contracted once: the pool is empty, so a second re-contract finds nothing to give.
    const twice = await expectRefusedWithoutTrace(h, () =>
      c.rights.recontractPlots(
        {
          householdId: newcomer.id,
          mode: 'CONTRACT_MODE_FAMILY',
          termStartDate: daysAgo(0),
          termEndDate: '2028-09-30',
          plotCodes: [contract.plots[0]?.code ?? ''],
          secondRoundEndDate: '',
          adjustmentForbidden: false,
          context: change('另行发包'),
        },
        { principal: leadUnitA },
      ),
    );
    expect(twice.violations.map((v) => v.rule)).toEqual(['RETURNED_PLOT_NOT_AVAILABLE']);
  });

  it('refuses bad input at the edge: an heir ID with a wrong check character, a date that is not one', async () => {
    const { contract } = await registerSample(h.client, 52);
    const bad = reclaim(contract.id, [77_778, 77_778]);
    const wrongCheck = `${heirA.slice(0, 17)}${heirA.endsWith('0') ? '1' : '0'}`;
    const failure = await expectRefusedWithoutTrace(h, () =>
      c.rights.reclaimContract(
        {
          ...bad,
          decidedOn: '2026-02-30',
          heirs: [{ ...(bad.heirs[0] as (typeof bad.heirs)[number]), residentId: wrongCheck }],
        },
        { principal: leadUnitA },
      ),
    );
    expect(failure.code).toBe(Status.INVALID_ARGUMENT);
    expect(failure.violations.map((v) => v.field).sort()).toEqual(['decidedOn', 'heirs[0].residentId']);
  });
});
