import { Events } from '@pingquan/contracts/catalogue';
import { LandHistoryServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import { describeClientError } from '@pingquan/kit';
import { makeIssuerCode, makePlotCode } from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  change,
  creditCode,
  type Harness,
  ISSUER,
  leadingGroup,
  leadUnitA,
  readEvents,
  startLandContract,
  VILLAGE,
} from './fixtures.js';
import { extensionClient, extensionResolution, importClient, villageCsv } from './import-support.js';

let h: Harness;
let ext: ReturnType<typeof extensionClient>;
const PILOT_VILLAGE = '130881102207'; // 连云海村, a pilot village in the reference data
const PILOT_ISSUER = makeIssuerCode(PILOT_VILLAGE, 0);
const asOf = '2025-06-01';
const households = 30;

beforeAll(async () => {
  h = await startLandContract();
  ext = extensionClient(h.clients, h.service.port);
  const imports = importClient(h.clients, h.service.port);
  for (const [i, code] of [ISSUER, PILOT_ISSUER].entries()) {
    await h.client.registerIssuer(
      { code, creditCode: creditCode(i + 1), name: `第${i}合作社`, context: change() },
      { principal: leadUnitA },
    );
  }
  const csv = villageCsv({
    issuerCode: ISSUER,
    households,
    personSeries: 21,
    // Households 1–3 run to 2040 (not due); household 4 has died out.
    termEnd: (n) => (n <= 3 ? '2040-12-31' : '2028-09-30'),
    extinct: (n) => n === 4,
  });
  const res = await imports.importRegisterCsv(
    { villageCode: VILLAGE, csv: Buffer.from(csv), dryRun: false, fileName: 'v.csv', context: change() },
    { principal: leadUnitA },
  );
  expect(res.errors).toEqual([]);
  const pilot = await imports.importRegisterCsv(
    {
      villageCode: PILOT_VILLAGE,
      csv: Buffer.from(villageCsv({ issuerCode: PILOT_ISSUER, households: 5, personSeries: 22 })),
      dryRun: false,
      fileName: 'p.csv',
      context: change(),
    },
    { principal: leadUnitA },
  );
  expect(pilot.errors).toEqual([]);
});
afterAll(async () => {
  await h?.stop();
});

async function waitForBatch(id: string) {
  for (let i = 0; i < 100; i += 1) {
    const { batch } = await ext.getExtensionBatch(
      { batchId: id, skippedReason: 'EXTENSION_SKIP_REASON_UNSPECIFIED' },
      { principal: leadingGroup },
    );
    if (batch?.status === 'EXTENSION_BATCH_STATUS_COMPLETED') return batch;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`batch ${id} did not complete`);
}

describe('30-year extension (延包)', () => {
  it('previews what a batch would extend and skip, and why, without writing', async () => {
    const preview = await ext.previewExtensionBatch(
      {
        scopeCode: VILLAGE,
        resolution: extensionResolution('决议〔2025〕1号'),
        asOfDate: asOf,
        skippedSampleSize: 10,
      },
      { principal: leadingGroup },
    );
    expect(preview.totalContracts).toBe(households);
    expect(preview.extendCount).toBe(households - 4);
    expect(preview.extendAreaMu4).toBe((households - 4) * 30_000);
    expect(preview.skipped.map((s) => [s.reason, s.count])).toEqual([
      ['EXTENSION_SKIP_REASON_HOUSEHOLD_EXTINCT', 1],
      ['EXTENSION_SKIP_REASON_NOT_DUE', 3],
    ]);
    expect(preview.startRefusals).toEqual([]);
    expect(preview.skippedSample).toHaveLength(4);
  });

  it('refuses a batch without a two-thirds resolution of all members, naming rule and field', async () => {
    const weak = { ...extensionResolution('决议〔2025〕弱'), votesFor: 150 };
    const error = await ext
      .startExtensionBatch(
        { scopeCode: VILLAGE, resolution: weak, asOfDate: asOf, context: change() },
        { principal: leadUnitA },
      )
      .catch((e: unknown) => e);
    const failure = describeClientError(error);
    expect(failure?.code).toBe(Status.FAILED_PRECONDITION);
    expect(failure?.violations).toContainEqual(
      expect.objectContaining({ rule: 'RESOLUTION_TWO_THIRDS_OF_ALL', field: 'resolution.votesFor' }),
    );
  });

  it('lets only pilot villages start before the city-wide phase', async () => {
    const early = '2024-01-15';
    const refused = await ext
      .startExtensionBatch(
        {
          scopeCode: VILLAGE,
          resolution: {
            ...extensionResolution('决议〔2024〕早'),
            meetingDate: '2024-01-10',
            noticeDate: '2023-12-20',
          },
          asOfDate: early,
          context: change(),
        },
        { principal: leadUnitA },
      )
      .catch((e: unknown) => e);
    expect(describeClientError(refused)?.violations.map((v) => v.rule)).toContain(
      'EXTENSION_PILOT_VILLAGES_FIRST',
    );
    const { batch } = await ext.startExtensionBatch(
      {
        scopeCode: PILOT_ISSUER,
        resolution: {
          ...extensionResolution('决议〔2024〕试点'),
          meetingDate: '2024-01-10',
          noticeDate: '2023-12-20',
        },
        asOfDate: early,
        context: change(),
      },
      { principal: leadUnitA },
    );
    const done = await waitForBatch(batch!.id);
    expect(done.extendedCount).toBe(5);
  });

  it('extends every due contract once, records a uniform amendment, leaves certificates alone, and is idempotent', async () => {
    const resolution = extensionResolution('决议〔2025〕2号');
    const started = await ext.startExtensionBatch(
      { scopeCode: VILLAGE, resolution, asOfDate: asOf, context: change() },
      { principal: leadUnitA },
    );
    expect(started.created).toBe(true);
    const done = await waitForBatch(started.batch!.id);
    expect(done.extendedCount).toBe(households - 4);
    expect(done.processedContracts).toBe(households);
    expect(done.skippedCount).toBe(4);

    const again = await ext.startExtensionBatch(
      { scopeCode: VILLAGE, resolution, asOfDate: asOf, context: change() },
      { principal: leadUnitA },
    );
    expect(again.created).toBe(false);
    expect(again.batch?.id).toBe(started.batch!.id);

    const { contract } = await h.client.getContract(
      { idOrCode: `${ISSUER}00101` },
      { principal: leadingGroup },
    );
    expect(contract?.status).toBe('CONTRACT_STATUS_EXTENDED');
    expect(contract?.termEndDate).toBe('2058-09-30');
    expect(contract?.termStartDate).toBe('1998-10-01');
    expect(contract?.secondRoundEndDate).toBe('2028-09-30');
    // As-of reads replay the recorded states: before the batch date the old term, from it the extended one.
    const history = h.clients.create(LandHistoryServiceDefinition, `127.0.0.1:${h.service.port}`);
    const before = await history.getContractAsOf(
      { idOrCode: contract!.code, asOfDate: '2025-05-31' },
      { principal: leadingGroup },
    );
    expect(before.contract?.termEndDate).toBe('2028-09-30');
    const after = await history.getContractAsOf(
      { idOrCode: contract!.code, asOfDate: asOf },
      { principal: leadingGroup },
    );
    expect(after.contract).toMatchObject({ termEndDate: '2058-09-30', status: 'CONTRACT_STATUS_EXTENDED' });
    expect(after.contract?.plots).toHaveLength(2);
    const { amendments } = await ext.listContractAmendments(
      { contractIdOrCode: contract!.code },
      { principal: leadingGroup },
    );
    expect(amendments).toHaveLength(1);
    expect(amendments[0]).toMatchObject({
      kind: 'AMENDMENT_KIND_TERM_EXTENSION',
      oldTermEndDate: '2028-09-30',
      newTermEndDate: '2058-09-30',
      certificateReissued: false,
    });

    const skipped = await ext.getExtensionBatch(
      {
        batchId: done.id,
        skippedReason: 'EXTENSION_SKIP_REASON_NOT_DUE',
        skippedPage: { pageSize: 2, pageToken: '' },
      },
      { principal: leadingGroup },
    );
    expect(skipped.skipped.map((s) => s.contractCode)).toEqual([`${ISSUER}00011`, `${ISSUER}00021`]);
    expect(skipped.skippedPageInfo?.totalCount).toBe(3);

    // A second resolution later extends nothing twice.
    const second = await ext.startExtensionBatch(
      {
        scopeCode: VILLAGE,
        resolution: extensionResolution('决议〔2025〕3号'),
        asOfDate: asOf,
        context: change(),
      },
      { principal: leadUnitA },
    );
    const secondDone = await waitForBatch(second.batch!.id);
    expect(secondDone.extendedCount).toBe(0);
    expect(secondDone.skipped.find((s) => s.reason === 'EXTENSION_SKIP_REASON_ALREADY_EXTENDED')?.count).toBe(
      households - 4,
    );

    const c = new pg.Client({ connectionString: h.dbUrl });
    await c.connect();
    const { rows } = await c.query(`SELECT count(*) AS n FROM pq_outbox WHERE event_type = $1`, [
      Events['land-contract'].ContractExtended.typeName,
    ]);
    await c.end();
    expect(Number(rows[0].n)).toBe(households - 4 + 5);
  });

  it('adjusts a plot between two households with a resolution and approvals, as an amendment', async () => {
    const from = `${ISSUER}00051`;
    const to = `${ISSUER}00061`;
    const plotCode = makePlotCode(ISSUER, 9);
    const request = {
      issuerCode: ISSUER,
      reason: 'ADJUSTMENT_REASON_SEVERE_DISASTER_DAMAGE' as const,
      reasonNote: '2025-07 山洪冲毁河滩地',
      date: '2025-09-01',
      items: [
        { contractCode: from, removePlotCodes: [plotCode], addPlots: [] },
        {
          contractCode: to,
          removePlotCodes: [],
          addPlots: [
            {
              source: 'ADJUSTMENT_SOURCE_OTHER_HOUSEHOLD' as const,
              plot: {
                code: plotCode,
                name: '东大地',
                contractAreaMu4: 15_000,
                surveyedAreaMu4: 15_200,
                landClass: 'LAND_CLASS_CULTIVATED' as const,
                basicFarmland: true,
                boundaries: { east: '路', south: '沟', west: '河', north: '林带' },
                geometryGeojson: '',
              },
            },
          ],
        },
      ],
      resolution: {
        ...extensionResolution('决议〔2025〕调地1号'),
        matter: 'PLOT_ADJUSTMENT',
        meetingDate: '2025-08-01',
        noticeDate: '2025-07-20',
      },
      prioritySourceAvailableMu4: 0,
      context: change('个别调地'),
    };
    const refused = await ext.adjustPlots(request, { principal: leadUnitA }).catch((e: unknown) => e);
    expect(describeClientError(refused)?.violations.map((v) => v.rule)).toEqual(
      expect.arrayContaining(['ADJUSTMENT_TOWNSHIP_APPROVAL_REQUIRED', 'ADJUSTMENT_CITY_APPROVAL_REQUIRED']),
    );
    const res = await ext.adjustPlots(
      {
        ...request,
        townshipApproval: { date: '2025-08-10', reference: '乡政字〔2025〕8号', by: '乡人民政府' },
        cityApproval: { date: '2025-08-20', reference: '农字〔2025〕20号', by: '市农业农村局' },
      },
      { principal: leadUnitA },
    );
    expect(res.contracts.map((c) => c.totalAreaMu4)).toEqual([15_000, 45_000]);
    expect(res.amendmentIds).toHaveLength(2);
    // 2 of 30 households: 6.66 %, just within the 6.7 % pilot counties reached, so no warning.
    expect(res.shareBasisPoints).toBe(666);
    expect(res.warnings).toEqual([]);
    const { amendments } = await ext.listContractAmendments(
      { contractIdOrCode: to },
      { principal: leadingGroup },
    );
    expect(amendments.map((a) => a.kind)).toEqual([
      'AMENDMENT_KIND_TERM_EXTENSION',
      'AMENDMENT_KIND_PLOT_ADJUSTMENT',
    ]);
  });

  it('publishes ContractExtended once per contract', async () => {
    let extended: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const events = await readEvents(h.service.runtime.nc, h.prefix);
      extended = events
        .filter((e) => e.type === Events['land-contract'].ContractExtended.typeName)
        .map((e) => e.aggregateId);
      if (extended.length >= households - 4 + 5) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(extended).toHaveLength(households - 4 + 5);
    expect(new Set(extended).size).toBe(extended.length);
  });
});
