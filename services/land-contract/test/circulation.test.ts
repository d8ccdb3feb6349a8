import type { RecordCirculationReviewRequest } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import type { Principal } from '@pingquan/kit';
import { inTransaction, servicePrincipal } from '@pingquan/kit';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireCirculations } from '../src/app/circulation.js';
import { startCirculationExpiry } from '../src/jobs/circulation-expiry.js';
import {
  change,
  type Harness,
  leadUnitA,
  readEvents,
  registerSample,
  residentId,
  startLandContract,
} from './fixtures.js';
import {
  bank,
  circulate,
  daysAgo,
  enterprise,
  expectRefusedWithoutTrace,
  rightsClients,
} from './rights-fixtures.js';

let h: Harness;
let c: ReturnType<typeof rightsClients>;
const township: Principal = { sub: 'user:township-102', role: 'TOWNSHIP_OFFICIAL', townships: ['130881102'] };

beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
  // The city asks a township review above 5 mu and a city review above 1000 mu, and a risk deposit
  // of 100 yuan per mu from enterprises.
  await c.policy.setPolicy(
    {
      name: 'land-contract.circulation.social-capital',
      valueJson: JSON.stringify({
        socialCapitalKinds: ['ENTERPRISE', 'NON_MEMBER_INDIVIDUAL'],
        reviewTiers: [
          { level: 'TOWNSHIP', aboveMu4: 50_000 },
          { level: 'CITY', aboveMu4: 10_000_000 },
        ],
        riskDeposit: { kinds: ['ENTERPRISE'], perMuFen: 10_000 },
      }),
      effectiveFromDate: '2000-01-01',
      context: change('社会资本流转审查办法'),
    },
    { principal: leadUnitA },
  );
});
afterAll(async () => {
  await h?.stop();
});

function review(
  kind: RecordCirculationReviewRequest['kind'],
  level: RecordCirculationReviewRequest['level'] = 'REVIEW_LEVEL_TOWNSHIP',
): RecordCirculationReviewRequest {
  return {
    level,
    kind,
    approved: true,
    act: { actedOn: daysAgo(20), reference: `审查意见 ${kind}`, by: '榆树林子镇人民政府' },
    transferee: enterprise,
    areaMu4: 100_000,
    project: '设施蔬菜基地',
    townshipCode: '130881102',
    context: change('社会资本审查'),
  };
}

describe('circulation of the management right (土地经营权流转)', () => {
  it('refuses an enterprise above the review threshold without review, and records it after review', async () => {
    const { contract } = await registerSample(h.client, 61);
    const unreviewed = await expectRefusedWithoutTrace(h, () =>
      c.rights.recordCirculation(circulate(contract), { principal: leadUnitA }),
    );
    expect(unreviewed.code).toBe(Status.FAILED_PRECONDITION);
    expect(unreviewed.violations.map((v) => `${v.rule}@${v.field}`)).toEqual([
      'CIRCULATION_REVIEW_REQUIRED@reviews',
      'CIRCULATION_REVIEW_REQUIRED@reviews',
    ]);

    // A township records its own level; a city-level review is not its to record.
    await expect(
      c.rights.recordCirculationReview(review('REVIEW_KIND_PROJECT', 'REVIEW_LEVEL_CITY'), {
        principal: township,
      }),
    ).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
    });
    const { review: qualification } = await c.rights.recordCirculationReview(
      review('REVIEW_KIND_QUALIFICATION'),
      { principal: township },
    );
    const { review: project } = await c.rights.recordCirculationReview(review('REVIEW_KIND_PROJECT'), {
      principal: township,
    });
    const reviewIds = [qualification?.id ?? '', project?.id ?? ''];

    const lowDeposit = await expectRefusedWithoutTrace(h, () =>
      c.rights.recordCirculation(circulate(contract, { reviewIds, riskDepositPaidFen: 10_000 }), {
        principal: leadUnitA,
      }),
    );
    expect(lowDeposit.violations.map((v) => v.rule)).toEqual(['CIRCULATION_RISK_DEPOSIT_REQUIRED']);

    const { circulation } = await c.rights.recordCirculation(circulate(contract, { reviewIds }), {
      principal: township,
    });
    expect(circulation).toMatchObject({
      contractId: contract.id,
      status: 'CIRCULATION_STATUS_ACTIVE',
      areaMu4: 75_000,
      socialCapital: true,
      requiredReviewLevel: 'REVIEW_LEVEL_TOWNSHIP',
      requiredRiskDepositFen: 75_000,
      registrable: false,
      policyVersion: 'land-contract.circulation.social-capital@v1',
      townshipCode: '130881102',
    });
    expect(circulation?.reviews.map((r) => r.kind).sort()).toEqual([
      'REVIEW_KIND_PROJECT',
      'REVIEW_KIND_QUALIFICATION',
    ]);

    // The township ledger (台账) lists it, with the circulated area.
    const ledger = await c.rights.listCirculations(
      {
        townshipCode: '130881102',
        villageCode: '',
        contractId: '',
        householdId: '',
        status: 'CIRCULATION_STATUS_ACTIVE',
        transfereeKind: 'TRANSFEREE_KIND_UNSPECIFIED',
        page: undefined,
      },
      { principal: township },
    );
    expect(ledger.circulations.map((x) => x.id)).toContain(circulation?.id);
    expect(ledger.totalAreaMu4).toBeGreaterThanOrEqual(75_000);
    // Another township's official sees nothing of it.
    const elsewhere = await c.rights.listCirculations(
      {
        townshipCode: '',
        villageCode: '',
        contractId: '',
        householdId: '',
        status: 'CIRCULATION_STATUS_UNSPECIFIED',
        transfereeKind: 'TRANSFEREE_KIND_UNSPECIFIED',
        page: undefined,
      },
      { principal: { ...township, townships: ['130881103'] } },
    );
    expect(elsewhere.circulations).toEqual([]);

    // The management right is the transferee's now: it may secure a loan only to the circulation's end,
    // and the contractor can no longer offer those plots.
    const asTransferee = await c.collateral.verifyCollateral(
      { contractId: contract.id, plotCodes: [], circulationId: circulation?.id ?? '', asOfDate: '' },
      { principal: bank },
    );
    expect(asTransferee.collateral?.requested).toMatchObject({
      eligible: true,
      securableUntilDate: '2028-09-30',
      areaMu4: 75_000,
    });
    expect(asTransferee.collateral?.circulatedRights[0]?.transferee?.creditCode).toBe(enterprise.creditCode);
    const asContractor = await c.collateral.verifyCollateral(
      {
        contractId: contract.id,
        plotCodes: [contract.plots[0]?.code ?? ''],
        circulationId: '',
        asOfDate: '',
      },
      { principal: bank },
    );
    expect(asContractor.collateral?.requested?.ineligibility.map((v) => v.rule)).toEqual([
      'MANAGEMENT_RIGHT_CIRCULATED',
    ]);
  });

  it('refuses a circulation term beyond the contract, and non-agricultural use', async () => {
    const { contract } = await registerSample(h.client, 62);
    const failure = await expectRefusedWithoutTrace(h, () =>
      c.rights.recordCirculation(
        circulate(contract, {
          transferee: {
            kind: 'TRANSFEREE_KIND_HOUSEHOLD',
            name: '王五',
            creditCode: '',
            residentId: residentId(930, '19660606'),
            householdId: '',
            memberOfCollective: true,
          },
          termEndDate: '2029-06-30',
          use: 'LAND_USE_NON_AGRICULTURAL',
          riskDepositPaidFen: 0,
        }),
        { principal: leadUnitA },
      ),
    );
    expect(failure.violations.map((v) => `${v.rule}@${v.field}`).sort()).toEqual([
      'CIRCULATION_AGRICULTURAL_USE_ONLY@use',
      'CIRCULATION_TERM_BEYOND_CONTRACT@termEnd',
    ]);
  });

  it('re-circulates only with the contractor’s written consent, and ends early only on a ground of the law', async () => {
    const { contract } = await registerSample(h.client, 63);
    const household = (name: string, seq: number) => ({
      kind: 'TRANSFEREE_KIND_HOUSEHOLD' as const,
      name,
      creditCode: '',
      residentId: residentId(seq, '19750505'),
      householdId: '',
      memberOfCollective: true,
    });
    const { circulation: first } = await c.rights.recordCirculation(
      circulate(contract, {
        transferee: household('赵六', 940),
        riskDepositPaidFen: 0,
        use: 'LAND_USE_GRAIN',
      }),
      { principal: leadUnitA },
    );
    const sub = circulate(contract, {
      mode: 'CIRCULATION_MODE_SUBCONTRACT',
      transferee: household('孙七', 941),
      parentCirculationId: first?.id ?? '',
      termStartDate: daysAgo(5),
      termEndDate: '2027-12-31',
      riskDepositPaidFen: 0,
      use: 'LAND_USE_GRAIN',
      plots: [{ plotCode: contract.plots[0]?.code ?? '', areaMu4: 10_000 }],
    });
    const noConsent = await expectRefusedWithoutTrace(h, () =>
      c.rights.recordCirculation(sub, { principal: leadUnitA }),
    );
    expect(noConsent.violations.map((v) => v.rule)).toEqual(['RECIRCULATION_CONSENT_REQUIRED']);
    const { circulation: second } = await c.rights.recordCirculation(
      { ...sub, contractorConsent: { actedOn: daysAgo(6), reference: '承包方书面同意', by: '张三' } },
      { principal: leadUnitA },
    );
    expect(second?.parentCirculationId).toBe(first?.id);

    const terminate = (
      ground: 'TERMINATION_GROUND_IDLE_TWO_YEARS' | 'TERMINATION_GROUND_CHANGED_AGRICULTURAL_USE',
    ) => ({
      circulationId: first?.id ?? '',
      ground,
      by: 'TERMINATING_PARTY_CONTRACTOR' as const,
      terminationDate: daysAgo(1),
      evidenceRef: '乡镇农业综合服务站检查记录',
      context: change('提前解除流转合同'),
    });
    // Idleness must be shown by abandonment reports; there are none.
    const unproven = await expectRefusedWithoutTrace(h, () =>
      c.rights.terminateCirculation(terminate('TERMINATION_GROUND_IDLE_TWO_YEARS'), { principal: leadUnitA }),
    );
    expect(unproven.violations.map((v) => v.rule)).toEqual(['IDLENESS_NOT_ESTABLISHED']);

    const { circulation: ended } = await c.rights.terminateCirculation(
      terminate('TERMINATION_GROUND_CHANGED_AGRICULTURAL_USE'),
      { principal: leadUnitA },
    );
    expect(ended).toMatchObject({
      status: 'CIRCULATION_STATUS_TERMINATED',
      terminatedOn: daysAgo(1),
      terminationGround: 'TERMINATION_GROUND_CHANGED_AGRICULTURAL_USE',
      terminatedBy: 'TERMINATING_PARTY_CONTRACTOR',
    });
    // The transferee cannot keep passing on a right it lost.
    const { circulation: child } = await c.rights.getCirculation(
      { id: second?.id ?? '' },
      { principal: leadUnitA },
    );
    expect(child?.status).toBe('CIRCULATION_STATUS_TERMINATED');
  });
});

describe('expiry (到期)', () => {
  it('marks circulations whose term has run out as EXPIRED, once each, and leaves the others', async () => {
    const { contract } = await registerSample(h.client, 67);
    const [plot1, plot2] = contract.plots;
    const record = (plotCode: string, termEndDate: string, seq: number) =>
      c.rights.recordCirculation(
        {
          contractId: contract.id,
          mode: 'CIRCULATION_MODE_SUBCONTRACT',
          transferee: {
            kind: 'TRANSFEREE_KIND_HOUSEHOLD',
            name: `邻户${seq}`,
            creditCode: '',
            residentId: residentId(960 + seq, '19700303'),
            householdId: '',
            memberOfCollective: true,
          },
          plots: [{ plotCode, areaMu4: 10_000 }],
          termStartDate: daysAgo(700),
          termEndDate,
          use: 'LAND_USE_GRAIN',
          written: true,
          filing: { actedOn: daysAgo(701), reference: `流转备案 到期-${seq}`, by: '村股份经济合作社' },
          annualPricePerMuFen: 40_000,
          parentCirculationId: '',
          contractorConsent: undefined,
          reviewIds: [],
          riskDepositPaidFen: 0,
          context: change('转包'),
        },
        { principal: leadUnitA },
      );
    const { circulation: ended } = await record(plot1?.code ?? '', daysAgo(1), 1);
    const { circulation: running } = await record(plot2?.code ?? '', '2028-09-30', 2);

    // The job, as the service runs it, with a short interval and batches of one.
    const job = startCirculationExpiry({
      orm: h.service.runtime.orm,
      logger: h.service.runtime.logger,
      service: 'land-contract',
      intervalMs: 100,
      batchSize: 1,
    });
    try {
      for (let i = 0; i < 100; i += 1) {
        const { circulation } = await c.rights.getCirculation(
          { id: ended?.id ?? '' },
          { principal: leadUnitA },
        );
        if (circulation?.status === 'CIRCULATION_STATUS_EXPIRED') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await job.stop();
    }
    const read = async (id: string) =>
      (await c.rights.getCirculation({ id }, { principal: leadUnitA })).circulation?.status;
    expect(await read(ended?.id ?? '')).toBe('CIRCULATION_STATUS_EXPIRED');
    expect(await read(running?.id ?? '')).toBe('CIRCULATION_STATUS_ACTIVE');

    // Running it again as of today changes nothing; as of the other's term end, that one expires.
    const ctx = {
      principal: servicePrincipal('land-contract'),
      reason: 'test',
      documentRef: '',
      traceId: '',
      now: new Date(),
    };
    const orm = h.service.runtime.orm;
    expect(await inTransaction(orm, (em) => expireCirculations(em, ctx, daysAgo(0), 10))).toBe(0);
    expect(await inTransaction(orm, (em) => expireCirculations(em, ctx, '2028-09-29', 10))).toBe(0);
    // (Other tests of this file leave circulations ending 2028-09-30 too.)
    expect(
      await inTransaction(orm, (em) => expireCirculations(em, ctx, '2028-09-30', 10)),
    ).toBeGreaterThanOrEqual(1);
    expect(await read(running?.id ?? '')).toBe('CIRCULATION_STATUS_EXPIRED');

    // One CirculationExpired event per circulation, with the circulation as it now stands.
    const ours = new Set([ended?.id, running?.id]);
    let expiredEvents: Awaited<ReturnType<typeof readEvents>> = [];
    for (let i = 0; i < 50 && expiredEvents.length < 2; i += 1) {
      expiredEvents = (await readEvents(h.service.runtime.nc, h.prefix)).filter(
        (e) => e.type === 'pingquan.land_contract.v1.CirculationExpired' && ours.has(e.aggregateId),
      );
      if (expiredEvents.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300)); // a double would have arrived by now
    expiredEvents = (await readEvents(h.service.runtime.nc, h.prefix)).filter(
      (e) => e.type === 'pingquan.land_contract.v1.CirculationExpired' && ours.has(e.aggregateId),
    );
    expect(expiredEvents.map((e) => e.aggregateId).sort()).toEqual([ended?.id, running?.id].sort());
  });
});
