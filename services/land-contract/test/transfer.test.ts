import type { TransferContractRightRequest } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
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
  publishMortgageEvent,
  registerContractOf,
  registerHouseholdOf,
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

const consent = { actedOn: daysAgo(5), reference: '发包方同意书 2026-12', by: '村股份经济合作社' };

function transfer(
  contractId: string,
  toHouseholdId: string,
  overrides: Partial<TransferContractRightRequest> = {},
): TransferContractRightRequest {
  return {
    contractId,
    toHouseholdId,
    plotCodes: [],
    transferDate: daysAgo(2),
    issuerConsent: consent,
    context: change('承包权转让'),
    ...overrides,
  };
}

describe('transfer of the contract right (承包权转让) and exchange (互换)', () => {
  it('refuses a transfer to a household of another collective, changing and publishing nothing', async () => {
    const { contract } = await registerSample(h.client, 41);
    const { household: outsider } = await registerSample(h.client, 42);
    const failure = await expectRefusedWithoutTrace(h, () =>
      c.rights.transferContractRight(transfer(contract.id, outsider.id), { principal: leadUnitA }),
    );
    expect(failure.code).toBe(Status.FAILED_PRECONDITION);
    expect(failure.violations).toContainEqual(
      expect.objectContaining({ rule: 'TRANSFER_OUTSIDE_COLLECTIVE', field: 'to' }),
    );
  });

  it("refuses a transfer without the issuer's consent", async () => {
    const { contract, issuer } = await registerSample(h.client, 43);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const { issuerConsent: _, ...withoutConsent } = transfer(contract.id, neighbour.id);
    const failure = await expectRefusedWithoutTrace(h, () =>
      c.rights.transferContractRight(
        { ...withoutConsent, issuerConsent: undefined },
        { principal: leadUnitA },
      ),
    );
    expect(failure.violations.map((v) => v.rule)).toEqual(['TRANSFER_ISSUER_CONSENT_REQUIRED']);
  });

  it('transfers part, then the rest: the transferee holds for the remaining term only', async () => {
    const { contract, issuer } = await registerSample(h.client, 44);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const [plot1, plot2] = contract.plots;
    const streamBefore = await settledStreamLength(h);

    const part = await c.rights.transferContractRight(
      transfer(contract.id, neighbour.id, { plotCodes: [plot2?.code ?? ''], priceFen: 800_000 }),
      {
        principal: leadUnitA,
      },
    );
    expect(part.partial).toBe(true);
    expect(part.transfereeContractNew).toBe(true);
    expect(part.transferor).toMatchObject({
      status: 'CONTRACT_STATUS_ACTIVE',
      totalAreaMu4: 25_000,
      version: 2,
    });
    expect(part.transferor?.plots.map((p) => p.code)).toEqual([plot1?.code]);
    expect(part.transferee).toMatchObject({
      code: `${neighbour.code}1`,
      householdId: neighbour.id,
      status: 'CONTRACT_STATUS_ACTIVE',
      termStartDate: daysAgo(2),
      termEndDate: '2028-09-30',
      totalAreaMu4: 50_000,
    });

    const rest = await c.rights.transferContractRight(transfer(contract.id, neighbour.id), {
      principal: leadUnitA,
    });
    expect(rest.partial).toBe(false);
    expect(rest.transfereeContractNew).toBe(false);
    expect(rest.transferor).toMatchObject({ status: 'CONTRACT_STATUS_TRANSFERRED', version: 3 });
    expect(rest.transferee?.version).toBe(2);
    expect(rest.transferee?.id).toBe(part.transferee?.id);
    expect(rest.transferee?.plots.map((p) => p.code).sort()).toEqual([plot1?.code, plot2?.code].sort());
    expect(rest.transferee?.totalAreaMu4).toBe(75_000);

    // Each transfer: one event for the transferor's contract and one for the transferee's.
    expect(await settledStreamLength(h)).toBe(streamBefore + 4);
    const types = (await readEvents(h.service.runtime.nc, h.prefix))
      .filter((e) => e.aggregateId === contract.id || e.aggregateId === part.transferee?.id)
      .map((e) => e.type.split('.').pop());
    expect(types).toEqual(
      expect.arrayContaining([
        'ContractRightTransferred',
        'ContractRightReceived',
        'ContractRightTransferred',
        'ContractRightReceived',
      ]),
    );
    const read = await h.client.getContract({ idOrCode: `${neighbour.code}1` }, { principal: leadUnitA });
    expect(read.contract?.plots).toHaveLength(2);
  });

  it('refuses the transfer of mortgaged plots', async () => {
    const { contract, issuer } = await registerSample(h.client, 45);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const mortgage = mortgageRegistered(contract.id, {
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contract.id,
        plotCodes: [contract.plots[1]?.code ?? ''],
        circulationId: '',
      },
    });
    await publishMortgageEvent(h, 'MortgageRegistered', mortgage);
    await waitFor(async () => {
      const { byContract } = await c.rights.batchGetEncumbrances(
        { contractIds: [contract.id], householdIds: [], includeReleased: false },
        { principal: leadUnitA },
      );
      return byContract[0]?.encumbrances.length ? true : undefined;
    });
    const failure = await expectRefusedWithoutTrace(h, () =>
      c.rights.transferContractRight(
        transfer(contract.id, neighbour.id, { plotCodes: [contract.plots[1]?.code ?? ''] }),
        {
          principal: leadUnitA,
        },
      ),
    );
    expect(failure.violations.map((v) => v.rule)).toContain('RIGHT_ENCUMBERED');
    // The unmortgaged plot may still go.
    const ok = await c.rights.transferContractRight(
      transfer(contract.id, neighbour.id, { plotCodes: [contract.plots[0]?.code ?? ''] }),
      {
        principal: leadUnitA,
      },
    );
    expect(ok.partial).toBe(true);
  });

  it('moves a running circulation with the plots it covers, and refuses to split one', async () => {
    const { contract, issuer } = await registerSample(h.client, 47);
    const neighbour = await registerHouseholdOf(h, issuer?.issuer?.code ?? '', 2);
    const [plot1, plot2] = contract.plots;
    const circulate = (plots: { plotCode: string; areaMu4: number }[]) =>
      c.rights.recordCirculation(
        {
          contractId: contract.id,
          mode: 'CIRCULATION_MODE_LEASE',
          transferee: {
            kind: 'TRANSFEREE_KIND_HOUSEHOLD',
            name: '吴九',
            creditCode: '',
            residentId: '',
            householdId: neighbour.id,
            memberOfCollective: false,
          },
          plots,
          termStartDate: daysAgo(30),
          termEndDate: '2027-09-30',
          use: 'LAND_USE_GRAIN',
          written: true,
          filing: { actedOn: daysAgo(31), reference: '流转备案 47', by: '村股份经济合作社' },
          parentCirculationId: '',
          contractorConsent: undefined,
          reviewIds: [],
          riskDepositPaidFen: 0,
          context: change('出租'),
        },
        { principal: leadUnitA },
      );
    const spanning = await circulate([
      { plotCode: plot1?.code ?? '', areaMu4: 10_000 },
      { plotCode: plot2?.code ?? '', areaMu4: 10_000 },
    ]);
    // The household of the register is a member of the collective, whatever the caller said.
    expect(spanning.circulation?.transferee?.memberOfCollective).toBe(true);
    const split = await expectRefusedWithoutTrace(h, () =>
      c.rights.transferContractRight(
        transfer(contract.id, neighbour.id, { plotCodes: [plot2?.code ?? ''] }),
        {
          principal: leadUnitA,
        },
      ),
    );
    expect(split.violations.map((v) => v.rule)).toEqual(['CIRCULATION_WOULD_BE_SPLIT']);
    // The whole contract may go: the circulation follows it to the transferee's contract.
    const all = await c.rights.transferContractRight(transfer(contract.id, neighbour.id), {
      principal: leadUnitA,
    });
    const { circulation } = await c.rights.getCirculation(
      { id: spanning.circulation?.id ?? '' },
      { principal: leadUnitA },
    );
    expect(circulation).toMatchObject({
      contractId: all.transferee?.id,
      contractorHouseholdId: neighbour.id,
      status: 'CIRCULATION_STATUS_ACTIVE',
    });
  });

  it('exchanges plots between two households of the collective, filed with the issuer', async () => {
    const { issuer } = await registerSample(h.client, 46);
    const issuerCode = issuer?.issuer?.code ?? '';
    const ha = await registerHouseholdOf(h, issuerCode, 3);
    const hb = await registerHouseholdOf(h, issuerCode, 4);
    const a = await registerContractOf(h, ha, 30, 20_000);
    const b = await registerContractOf(h, hb, 31, 30_000);
    const request = {
      a: { contractId: a.id, plotCodes: [a.plots[0]?.code ?? ''] },
      b: { contractId: b.id, plotCodes: [b.plots[0]?.code ?? ''] },
      exchangeDate: daysAgo(3),
      filing: { actedOn: daysAgo(3), reference: '互换备案 2026-3', by: '村股份经济合作社' },
      context: change('互换便于耕种'),
    };
    const unfiled = await expectRefusedWithoutTrace(h, () =>
      c.rights.exchangePlots({ ...request, filing: undefined }, { principal: leadUnitA }),
    );
    expect(unfiled.violations.map((v) => v.rule)).toEqual(['EXCHANGE_FILING_REQUIRED']);

    const swapped = await c.rights.exchangePlots(request, { principal: leadUnitA });
    expect(swapped.a?.plots.map((p) => p.code)).toEqual([b.plots[0]?.code]);
    expect(swapped.b?.plots.map((p) => p.code)).toEqual([a.plots[0]?.code]);
    expect(swapped.a).toMatchObject({
      totalAreaMu4: 30_000,
      termEndDate: '2028-09-30',
      status: 'CONTRACT_STATUS_ACTIVE',
    });
    expect(swapped.b?.totalAreaMu4).toBe(20_000);
  });
});
