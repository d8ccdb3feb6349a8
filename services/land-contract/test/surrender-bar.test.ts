import type { RegisterContractRequest } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { Household } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { addMonths, type ContractMode, makeContractCode, makePlotCode } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { change, type Harness, leadUnitA, registerSample, startLandContract } from './fixtures.js';
import { daysAgo, expectRefusedWithoutTrace, registerHouseholdOf, rightsClients } from './rights-fixtures.js';

// 自愿有偿退出 (LCL Art 30): a household that surrendered its contract may not contract again during
// the term it gave up — RegisterContract refuses it (SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT), as
// RecontractPlots and TransferContractRight already do.

let h: Harness;
let c: ReturnType<typeof rightsClients>;
beforeAll(async () => {
  h = await startLandContract();
  c = rightsClients(h);
});
afterAll(async () => {
  await h?.stop();
});

const MODE_ENUM: Record<ContractMode, RegisterContractRequest['mode']> = {
  FAMILY: 'CONTRACT_MODE_FAMILY',
  TENDER: 'CONTRACT_MODE_TENDER',
  AUCTION: 'CONTRACT_MODE_AUCTION',
  OPEN_NEGOTIATION: 'CONTRACT_MODE_OPEN_NEGOTIATION',
  OTHER: 'CONTRACT_MODE_OTHER',
};

/** A contract of `household` in `mode` over one new plot. */
function contractRequest(
  household: Household,
  mode: ContractMode,
  plotSeq: number,
  termStartDate: string,
  termEndDate: string,
): RegisterContractRequest {
  const issuerCode = household.code.slice(0, 14);
  return {
    code: makeContractCode(issuerCode, Number(household.code.slice(14)), mode),
    householdId: household.id,
    mode: MODE_ENUM[mode],
    termStartDate,
    termEndDate,
    secondRoundEndDate: '',
    adjustmentForbidden: false,
    plots: [
      {
        code: makePlotCode(issuerCode, plotSeq),
        name: `荒山${plotSeq}`,
        contractAreaMu4: 30_000,
        surveyedAreaMu4: 30_000,
        landClass: 'LAND_CLASS_GRASS',
        basicFarmland: false,
        boundaries: { east: '山', south: '沟', west: '路', north: '林' },
        geometryGeojson: '',
      },
    ],
    context: change('发包'),
  };
}

async function surrender(contractId: string, surrenderDate: string) {
  return c.rights.surrenderContract(
    {
      contractId,
      surrenderDate,
      notice: { givenOn: addMonths(surrenderDate, -7), written: true, reference: '退地申请书' },
      voluntary: true,
      hukouCondition: false,
      compensationAgreed: true,
      soilImprovementFen: 0,
      issuerAcceptance: {
        actedOn: surrenderDate,
        reference: '村股份经济合作社决定',
        by: '样例村股份经济合作社',
      },
      context: change('自愿有偿退出'),
    },
    { principal: leadUnitA },
  );
}

describe('RegisterContract after a voluntary paid surrender (自愿有偿退出)', () => {
  it('refuses the household a new contract within the surrendered term, with the rule, writing nothing', async () => {
    const { contract, household, issuer } = await registerSample(h.client, 81);
    const { surrender: record } = await surrender(contract.id, daysAgo(1));
    expect(record?.noNewContractUntilDate).toBe('2028-09-30');

    // Land of another mode (e.g. barren hills by tender), new plots, starting today.
    const tender = contractRequest(household, 'TENDER', 11, daysAgo(0), '2040-12-31');
    const refused = await expectRefusedWithoutTrace(h, () =>
      h.client.registerContract(tender, { principal: leadUnitA }),
    );
    expect(refused.code).toBe(Status.FAILED_PRECONDITION);
    expect(refused.violations).toEqual([
      expect.objectContaining({
        rule: 'SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT',
        field: 'householdId',
        message: expect.stringContaining('2028-09-30'),
      }),
    ]);

    // Asking for its old family contract code again: the household hears the rule, not "exists".
    const family = contractRequest(household, 'FAMILY', 12, daysAgo(0), '2040-12-31');
    const again = await expectRefusedWithoutTrace(h, () =>
      h.client.registerContract(family, { principal: leadUnitA }),
    );
    expect(again.code).toBe(Status.FAILED_PRECONDITION);
    expect(again.violations.map((v) => v.rule)).toEqual(['SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT']);

    // The bar is the household's alone: a neighbour of the same collective contracts as before.
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const { contract: theirs } = await h.client.registerContract(
      contractRequest(neighbour, 'TENDER', 13, daysAgo(0), '2040-12-31'),
      { principal: leadUnitA },
    );
    expect(theirs?.status).toBe('CONTRACT_STATUS_ACTIVE');
  });

  it('lets the household contract again once the surrendered term is over, but not into it', async () => {
    const { issuer } = await registerSample(h.client, 82);
    const household = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 3);
    // A contract whose term ran out twenty days ago, surrendered a year and a half before that.
    const ended = daysAgo(20);
    const { contract: old } = await h.client.registerContract(
      contractRequest(household, 'FAMILY', 21, '2000-01-01', ended),
      { principal: leadUnitA },
    );
    const surrenderedOn = addMonths(ended, -18);
    const { surrender: record } = await surrender(old?.id ?? '', surrenderedOn);
    expect(record?.noNewContractUntilDate).toBe(ended);

    // A contract signed now but dated back into the barred term is still contracting within it.
    const backDated = contractRequest(household, 'TENDER', 22, addMonths(ended, -2), '2040-12-31');
    const refused = await expectRefusedWithoutTrace(h, () =>
      h.client.registerContract(backDated, { principal: leadUnitA }),
    );
    expect(refused.violations.map((v) => `${v.rule}@${v.field}`)).toEqual([
      'SURRENDERED_HOUSEHOLD_MAY_NOT_CONTRACT@householdId',
    ]);

    // From the term's end on, the household is free to contract again.
    const { contract: fresh } = await h.client.registerContract(
      contractRequest(household, 'TENDER', 23, ended, '2040-12-31'),
      { principal: leadUnitA },
    );
    expect(fresh).toMatchObject({ householdId: household.id, status: 'CONTRACT_STATUS_ACTIVE' });
  });
});
