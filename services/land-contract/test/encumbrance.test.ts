import { Status } from 'nice-grpc-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, leadingGroup, registerSample, startLandContract } from './fixtures.js';
import {
  bank,
  daysAgo,
  exchangeCentre,
  mortgageRegistered,
  mortgageReleased,
  publishMortgageEvent,
  rightsClients,
  rowCounts,
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

const consumerOf = (subject: string) =>
  h.service.consumers.find(
    (x) =>
      (x as unknown as { subscription: { type: { subject: string } } }).subscription.type.subject === subject,
  );

async function encumbrancesOf(contractId: string, includeReleased = false) {
  const { byContract } = await c.rights.batchGetEncumbrances(
    { contractIds: [contractId], householdIds: [], includeReleased },
    { principal: leadingGroup },
  );
  return byContract[0]?.encumbrances ?? [];
}

describe('encumbrance learned from property-mortgage events (inbox)', () => {
  it('records a registered mortgage once, however often the event is delivered', async () => {
    const { contract, household } = await registerSample(h.client, 21);
    const event = mortgageRegistered(contract.id, { securedAmountFen: 12_345_600 });
    const eventId = await publishMortgageEvent(h, 'MortgageRegistered', event);
    const [found] = await waitFor(async () => {
      const list = await encumbrancesOf(contract.id);
      return list.length > 0 ? list : undefined;
    });
    expect(found).toMatchObject({
      mortgageId: event.mortgageId,
      householdId: household.id,
      securedAmountFen: 12_345_600,
      inEffect: true,
      registeredOn: event.registeredOn,
      // The bank's term runs past nothing: the contract ends 2028-09-30, the loan 2027-12-31.
      securedUntilDate: '2027-12-31',
    });

    // The same envelope again, past JetStream's duplicate window (another message id): the inbox
    // recognises the event id and nothing changes.
    const before = await rowCounts(h);
    const consumer = consumerOf('pq.property-mortgage.v1.mortgage.registered');
    const duplicatesBefore = consumer?.duplicateCount ?? 0;
    await publishMortgageEvent(h, 'MortgageRegistered', event, { eventId, msgId: `${eventId}-redelivered` });
    await waitFor(async () => ((consumer?.duplicateCount ?? 0) > duplicatesBefore ? true : undefined));
    expect(await rowCounts(h)).toEqual(before);
    expect(await encumbrancesOf(contract.id)).toHaveLength(1);
  });

  it('answers collateral checks with holder, remaining term, area and the secured total', async () => {
    const { contract, household } = await registerSample(h.client, 22);
    const first = mortgageRegistered(contract.id, { securedAmountFen: 5_000_000 });
    const second = mortgageRegistered(contract.id, {
      securedAmountFen: 3_000_000,
      ranking: 2,
      collateral: {
        rightType: 'RIGHT_TYPE_LAND_MANAGEMENT',
        rightId: contract.id,
        plotCodes: [contract.plots[0]?.code ?? ''],
        circulationId: '',
      },
    });
    await publishMortgageEvent(h, 'MortgageRegistered', first);
    await publishMortgageEvent(h, 'MortgageRegistered', second);
    await waitFor(async () => ((await encumbrancesOf(contract.id)).length === 2 ? true : undefined));

    const asOf = daysAgo(0);
    const { collateral } = await c.collateral.verifyCollateral(
      {
        contractId: contract.code,
        plotCodes: [contract.plots[1]?.code ?? ''],
        circulationId: '',
        asOfDate: asOf,
      },
      { principal: bank },
    );
    expect(collateral).toMatchObject({
      contractId: contract.id,
      holderHouseholdId: household.id,
      holderHouseholdCode: household.code,
      status: 'CONTRACT_STATUS_ACTIVE',
      eligible: true,
      termEndDate: '2028-09-30',
      areaMu4: 75_000,
      securedTotalFen: 8_000_000,
    });
    expect(collateral?.remaining?.totalDays).toBeGreaterThan(0);
    expect(collateral?.encumbrances.map((e) => e.mortgageId).sort()).toEqual(
      [first.mortgageId, second.mortgageId].sort(),
    );
    expect(collateral?.plots.find((p) => p.code === contract.plots[0]?.code)?.encumbered).toBe(true);
    // The plot asked about is covered only by the whole-contract mortgage.
    expect(collateral?.requested).toMatchObject({
      areaMu4: 50_000,
      securedTotalFen: 5_000_000,
      securableUntilDate: '2028-09-30',
      eligible: true,
    });

    const batch = await c.collateral.batchVerifyCollateral(
      {
        requests: [
          { contractId: contract.id, plotCodes: [], circulationId: '', asOfDate: '' },
          { contractId: '1308811022019999991', plotCodes: [], circulationId: '', asOfDate: '' },
        ],
      },
      { principal: exchangeCentre },
    );
    expect(batch.results.map((r) => r.found)).toEqual([true, false]);
    expect(batch.results[0]?.collateral?.securedTotalFen).toBe(8_000_000);
  });

  it('lifts the encumbrance on release, also when the release overtakes the registration', async () => {
    const { contract } = await registerSample(h.client, 23);
    const registered = mortgageRegistered(contract.id);
    await publishMortgageEvent(h, 'MortgageReleased', mortgageReleased(registered, daysAgo(1)));
    await waitFor(async () => ((await encumbrancesOf(contract.id, true)).length === 1 ? true : undefined));
    await publishMortgageEvent(h, 'MortgageRegistered', registered);
    const [row] = await waitFor(async () => {
      const list = await encumbrancesOf(contract.id, true);
      return list[0]?.registeredOn ? list : undefined;
    });
    expect(row).toMatchObject({
      releasedOn: daysAgo(1),
      registeredOn: registered.registeredOn,
      inEffect: false,
    });
    expect(await encumbrancesOf(contract.id)).toEqual([]);
  });

  it('lets a cooperating bank check collateral and nothing else', async () => {
    const { contract } = await registerSample(h.client, 24);
    const denied = [
      () =>
        c.rights.batchGetEncumbrances(
          { contractIds: [contract.id], householdIds: [], includeReleased: false },
          { principal: bank },
        ),
      () =>
        c.rights.previewSurrenderCompensation(
          { contractId: contract.id, surrenderDate: '', soilImprovementFen: 0 },
          { principal: bank },
        ),
      () =>
        c.rights.listCirculations(
          {
            townshipCode: '130881102',
            villageCode: '',
            contractId: '',
            householdId: '',
            status: 'CIRCULATION_STATUS_UNSPECIFIED',
            transfereeKind: 'TRANSFEREE_KIND_UNSPECIFIED',
            page: undefined,
          },
          { principal: bank },
        ),
    ];
    for (const call of denied) {
      await expect(call()).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    }
    const { collateral } = await c.collateral.verifyCollateral(
      { contractId: contract.id, plotCodes: [], circulationId: '', asOfDate: '' },
      { principal: bank },
    );
    expect(collateral?.contractId).toBe(contract.id);
    // A village task force of another village may not look at this right at all.
    await expect(
      c.collateral.verifyCollateral(
        { contractId: contract.id, plotCodes: [], circulationId: '', asOfDate: '' },
        { principal: { sub: 'tf', role: 'VILLAGE_TASK_FORCE', villages: ['130881102202'] } },
      ),
    ).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
  });
});
