import type { Principal } from '@pingquan/kit';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  type Harness,
  leadUnitA,
  registerSample,
  residentId,
  startLandContract,
  VILLAGE,
} from './fixtures.js';
import { daysAgo, expectRefusedWithoutTrace, rightsClients } from './rights-fixtures.js';

let h: Harness;
let c: ReturnType<typeof rightsClients>;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
});
afterAll(async () => {
  await h?.stop();
});

const taskForce: Principal = { sub: 'user:tf-201', role: 'VILLAGE_TASK_FORCE', villages: [VILLAGE] };

describe('abandoned land (弃耕抛荒)', () => {
  it('takes reports and the issuer’s measures, and ends a circulation left idle two years', async () => {
    const { contract } = await registerSample(h.client, 71);
    const [plot1, plot2] = contract.plots;
    const { circulation } = await c.rights.recordCirculation(
      {
        contractId: contract.id,
        mode: 'CIRCULATION_MODE_SUBCONTRACT',
        transferee: {
          kind: 'TRANSFEREE_KIND_HOUSEHOLD',
          name: '周八',
          creditCode: '',
          residentId: residentId(950, '19690909'),
          householdId: '',
          memberOfCollective: true,
        },
        plots: [{ plotCode: plot1?.code ?? '', areaMu4: 25_000 }],
        termStartDate: daysAgo(1200),
        termEndDate: '2028-09-30',
        use: 'LAND_USE_GRAIN',
        written: true,
        filing: { actedOn: daysAgo(1201), reference: '流转备案 2023-7', by: '村股份经济合作社' },
        parentCirculationId: '',
        contractorConsent: undefined,
        reviewIds: [],
        riskDepositPaidFen: 0,
        context: change('转包'),
      },
      { principal: leadUnitA },
    );

    // The village task force reports; one of another village may not.
    const report = (plotCode: string, areaMu4: number, since: string, reportedOn: string) => ({
      contractId: contract.id,
      plotCode,
      areaMu4,
      sinceDate: since,
      reportedOn,
      context: change('巡查发现撂荒'),
    });
    await expect(
      c.rights.reportAbandonment(report(plot1?.code ?? '', 25_000, daysAgo(800), daysAgo(780)), {
        principal: { ...taskForce, villages: ['130881102202'] },
      }),
    ).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    const tooLarge = await expectRefusedWithoutTrace(h, () =>
      c.rights.reportAbandonment(report(plot1?.code ?? '', 25_001, daysAgo(800), daysAgo(780)), {
        principal: taskForce,
      }),
    );
    expect(tooLarge.violations).toEqual([
      expect.objectContaining({ rule: 'AREA_EXCEEDS_PLOT', field: 'areaMu4' }),
    ]);

    const { report: idle } = await c.rights.reportAbandonment(
      report(plot1?.code ?? '', 25_000, daysAgo(800), daysAgo(780)),
      { principal: taskForce },
    );
    expect(idle).toMatchObject({
      plotCode: plot1?.code,
      resumedOn: '',
      reporter: { subject: taskForce.sub, role: 'ROLE_VILLAGE_TASK_FORCE' },
    });
    const { report: brief } = await c.rights.reportAbandonment(
      report(plot2?.code ?? '', 10_000, daysAgo(400), daysAgo(390)),
      { principal: taskForce },
    );
    await c.rights.recordCultivationResumed(
      { reportId: brief?.id ?? '', resumedOn: daysAgo(200), context: change('已复耕') },
      { principal: taskForce },
    );

    // The issuer's measures answer a report, never before it.
    const early = await expectRefusedWithoutTrace(h, () =>
      c.rights.recordIssuerMeasure(
        {
          reportId: idle?.id ?? '',
          kind: 'ISSUER_MEASURE_KIND_REMINDER',
          takenOn: daysAgo(790),
          note: '',
          act: undefined,
          context: change('督促'),
        },
        { principal: leadUnitA },
      ),
    );
    expect(early.violations).toEqual([
      expect.objectContaining({ rule: 'MEASURE_BEFORE_REPORT', field: 'takenOn' }),
    ]);
    const { measure } = await c.rights.recordIssuerMeasure(
      {
        reportId: idle?.id ?? '',
        kind: 'ISSUER_MEASURE_KIND_ORDER_TO_RESUME',
        takenOn: daysAgo(700),
        note: '限期恢复耕种',
        act: { actedOn: daysAgo(700), reference: '责令恢复耕种通知书 2024-3', by: '村股份经济合作社' },
        context: change('责令恢复耕种'),
      },
      { principal: leadUnitA },
    );
    expect(measure?.kind).toBe('ISSUER_MEASURE_KIND_ORDER_TO_RESUME');

    const open = await c.rights.listAbandonmentReports(
      { townshipCode: '130881102', contractId: '', openOnly: true, asOfDate: '', page: undefined },
      { principal: leadUnitA },
    );
    expect(open.reports.map((r) => r.id)).toEqual([idle?.id]);
    expect(open.totalAreaMu4).toBe(25_000);
    expect(open.reports[0]?.measures.map((m) => m.id)).toEqual([measure?.id]);

    // Two consecutive idle years while the transferee held the land: the issuer ends the circulation.
    const { terminated } = await c.rights.terminateIdleCirculations(
      { townshipCode: '130881102', asOfDate: '', context: change('弃耕抛荒连续两年') },
      { principal: leadUnitA },
    );
    expect(terminated.map((t) => [t.id, t.status, t.terminationGround, t.terminatedBy])).toEqual([
      [
        circulation?.id,
        'CIRCULATION_STATUS_TERMINATED',
        'TERMINATION_GROUND_IDLE_TWO_YEARS',
        'TERMINATING_PARTY_ISSUER',
      ],
    ]);
    // Run again: nothing left to end.
    const again = await c.rights.terminateIdleCirculations(
      { townshipCode: '130881102', asOfDate: '', context: change('弃耕抛荒连续两年') },
      { principal: leadUnitA },
    );
    expect(again.terminated).toEqual([]);
  });
});
