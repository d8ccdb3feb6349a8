import type { SurrenderContractRequest } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import { addMonths, yearsRemaining } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  type Harness,
  leadUnitA,
  readEvents,
  registerSample,
  startLandContract,
} from './fixtures.js';
import {
  daysAgo,
  expectRefusedWithoutTrace,
  mortgageRegistered,
  mortgageReleased,
  publishMortgageEvent,
  rightsClients,
  settledStreamLength,
  waitFor,
} from './rights-fixtures.js';

let h: Harness;
let c: ReturnType<typeof rightsClients>;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
});
afterAll(async () => {
  await h?.stop();
});

/** The policy default, worked out independently of the service: 300 yuan per mu and year. */
function expectedCompensation(areaMu4: number, from: string, to: string, soilFen: number): number {
  const { years, days } = yearsRemaining(from, to);
  const numerator = BigInt(areaMu4) * 30_000n * BigInt(years * 365 + days);
  const denominator = 10_000n * 365n;
  return Number((numerator * 2n + denominator) / (denominator * 2n)) + soilFen;
}

function surrenderRequest(
  contractId: string,
  surrenderDate: string,
  overrides: Partial<SurrenderContractRequest> = {},
): SurrenderContractRequest {
  return {
    contractId,
    surrenderDate,
    notice: { givenOn: addMonths(surrenderDate, -7), written: true, reference: '退地申请书 2026-001' },
    voluntary: true,
    hukouCondition: false,
    compensationAgreed: true,
    soilImprovementFen: 50_000,
    issuerAcceptance: {
      actedOn: surrenderDate,
      reference: '村股份经济合作社决定 2026-07',
      by: '样例村股份经济合作社',
    },
    context: change('自愿有偿退出'),
    ...overrides,
  };
}

describe('voluntary paid surrender (自愿有偿退出)', () => {
  it('previews the compensation with its formula and writes nothing', async () => {
    const { contract } = await registerSample(h.client, 31);
    const date = daysAgo(1);
    const { compensation, blocking } = await expectNoWrite(() =>
      c.rights.previewSurrenderCompensation(
        { contractId: contract.id, surrenderDate: date, soilImprovementFen: 50_000 },
        { principal: leadUnitA },
      ),
    );
    const expected = expectedCompensation(75_000, date, '2028-09-30', 50_000);
    expect(blocking).toEqual([]);
    expect(compensation).toMatchObject({
      policyVersion: 'surrender-default-1',
      formula: 'area_mu × per_mu_annual_price_fen × remaining_years + soil_improvement_fen',
      areaMu4: 75_000,
      soilImprovementFen: 50_000,
      amountFen: expected,
      landCompensationFen: expected - 50_000,
    });
    expect(compensation?.terms.map((t) => t.name)).toEqual([
      'area_mu',
      'per_mu_annual_price_fen',
      'remaining_years',
      'soil_improvement_fen',
      'land_compensation_fen',
    ]);
    expect(compensation?.terms[0]?.value).toBe('7.5000');
    expect(compensation?.text).toMatch(
      new RegExp(`^7\\.5000 mu × 30000 fen × \\(\\d+ \\+ \\d+/365\\) years \\+ 50000 fen = ${expected} fen$`),
    );
  });

  it('refuses a surrender of a mortgaged right while the mortgage stands, and allows it once released', async () => {
    const { contract, household } = await registerSample(h.client, 33);
    const mortgage = mortgageRegistered(contract.id);
    await publishMortgageEvent(h, 'MortgageRegistered', mortgage);
    await waitFor(async () => {
      const { blocking } = await c.rights.previewSurrenderCompensation(
        { contractId: contract.id, surrenderDate: '', soilImprovementFen: 0 },
        { principal: leadUnitA },
      );
      return blocking.some((b) => b.rule === 'RIGHT_ENCUMBERED') ? true : undefined;
    });
    const surrenderDate = daysAgo(1);
    const refused = await expectRefusedWithoutTrace(h, () =>
      c.rights.surrenderContract(surrenderRequest(contract.id, surrenderDate), { principal: leadUnitA }),
    );
    expect(refused.code).toBe(Status.FAILED_PRECONDITION);
    expect(refused.violations).toContainEqual(
      expect.objectContaining({ rule: 'RIGHT_ENCUMBERED', field: 'contract' }),
    );

    await publishMortgageEvent(h, 'MortgageReleased', mortgageReleased(mortgage, daysAgo(2)));
    await waitFor(async () => {
      const { blocking } = await c.rights.previewSurrenderCompensation(
        { contractId: contract.id, surrenderDate, soilImprovementFen: 0 },
        { principal: leadUnitA },
      );
      return blocking.length === 0 ? true : undefined;
    });
    const streamBefore = await settledStreamLength(h);
    const { contract: surrendered, surrender } = await c.rights.surrenderContract(
      surrenderRequest(contract.id, surrenderDate),
      {
        principal: leadUnitA,
      },
    );
    expect(surrendered?.status).toBe('CONTRACT_STATUS_SURRENDERED');
    expect(surrender).toMatchObject({
      householdId: household.id,
      surrenderedOn: surrenderDate,
      noNewContractUntilDate: '2028-09-30',
      returnedPlotCodes: contract.plots.map((p) => p.code).sort(),
    });
    expect(surrender?.compensation?.amountFen).toBe(
      expectedCompensation(75_000, surrenderDate, '2028-09-30', 50_000),
    );
    expect(surrender?.compensation?.terms.length).toBe(5);

    // One event, published once, carrying the compensation and its formula.
    expect(await settledStreamLength(h)).toBe(streamBefore + 1);
    const events = await readEvents(h.service.runtime.nc, h.prefix);
    const published = events.filter((e) => e.type === 'pingquan.land_contract.v1.ContractSurrendered');
    expect(published).toHaveLength(1);
    expect(published[0]?.aggregateId).toBe(contract.id);

    // The plots are back with the collective.
    const { plots } = await c.rights.listReturnedPlots(
      { issuerCode: contract.issuerCode, townshipCode: '', page: undefined },
      { principal: leadUnitA },
    );
    expect(plots.map((p) => [p.plot?.code, p.reason])).toEqual(
      contract.plots.map((p) => [p.code, 'RETURN_REASON_SURRENDERED']),
    );

    // The household cannot contract again during the term it gave up.
    const again = await expectRefusedWithoutTrace(h, () =>
      c.rights.recontractPlots(
        {
          householdId: household.id,
          mode: 'CONTRACT_MODE_FAMILY',
          termStartDate: daysAgo(0),
          termEndDate: '2028-09-30',
          plotCodes: [contract.plots[0]?.code ?? ''],
          secondRoundEndDate: '',
          adjustmentForbidden: false,
          context: change('重新承包'),
        },
        { principal: leadUnitA },
      ),
    );
    expect(again.violations.map((v) => v.rule)).toContain('SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT');
  });

  it('is never compelled, never a hukou condition, and needs six months of written notice', async () => {
    const { contract } = await registerSample(h.client, 34);
    const date = daysAgo(1);
    const refused = await expectRefusedWithoutTrace(h, () =>
      c.rights.surrenderContract(
        surrenderRequest(contract.id, date, {
          voluntary: false,
          hukouCondition: true,
          notice: { givenOn: addMonths(date, -5), written: true, reference: 'x' },
        }),
        { principal: leadUnitA },
      ),
    );
    expect(refused.code).toBe(Status.FAILED_PRECONDITION);
    expect(refused.violations.map((v) => `${v.rule}@${v.field}`).sort()).toEqual([
      'SURRENDER_HUKOU_CONDITION_FORBIDDEN@hukouCondition',
      'SURRENDER_MUST_BE_VOLUNTARY@voluntary',
      'SURRENDER_NOTICE_SIX_MONTHS@surrenderDate',
    ]);
  });

  // Last: the policy it sets applies to every later surrender in this database.
  it('applies the policy version in force on the surrender date', async () => {
    const { contract } = await registerSample(h.client, 32);
    await c.policy.setPolicy(
      {
        name: 'land-contract.surrender.compensation',
        valueJson: JSON.stringify({ perMuAnnualPriceFen: 60_000 }),
        effectiveFromDate: daysAgo(10),
        context: change('2026年退出补偿标准'),
      },
      { principal: leadUnitA },
    );
    const before = await c.rights.previewSurrenderCompensation(
      { contractId: contract.id, surrenderDate: daysAgo(11), soilImprovementFen: 0 },
      { principal: leadUnitA },
    );
    const after = await c.rights.previewSurrenderCompensation(
      { contractId: contract.id, surrenderDate: daysAgo(9), soilImprovementFen: 0 },
      { principal: leadUnitA },
    );
    expect(before.compensation?.policyVersion).toBe('surrender-default-1');
    expect(after.compensation?.policyVersion).toBe('land-contract.surrender.compensation@v1');
    expect(after.compensation?.terms[1]?.value).toBe('60000');
  });
});

async function expectNoWrite<T>(call: () => Promise<T>): Promise<T> {
  const before = await settledStreamLength(h);
  const result = await call();
  expect(await settledStreamLength(h)).toBe(before);
  return result;
}
