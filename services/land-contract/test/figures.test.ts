import { CertificationServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import {
  type AreaLandFigures,
  type GetLandFiguresResponse,
  LandFiguresServiceDefinition,
} from '@pingquan/contracts/pingquan/land_contract/v1/figures';
import {
  type CommandContext,
  describeClientError,
  inTransaction,
  newId,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import {
  addDays,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  todayInShanghai,
} from '@pingquan/reference';
import { Status } from 'nice-grpc-common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractToMsg } from '../src/app/mapping.js';
import { type ContractFigureRow, leadingGroupFigures } from '../src/domain/figures.js';
import type { ContractMode, ContractStatus } from '../src/domain/model.js';
import { ContractEntity, PlotEntity } from '../src/persistence/entities.js';
import {
  change,
  creditCode,
  type Harness,
  leadingGroup,
  leadUnitA,
  residentId,
  startLandContract,
} from './fixtures.js';

// A small city with numbers a person can check by hand:
//
//   village 130881102201 (township 130881102)
//     h1  ACTIVE   family, second round ends 2028-09-30   10.0000 mu   due         certified 2024-06-01
//     h2  EXTENDED (to 2058-09-30)                          2.0000 mu   extended
//     h3  ACTIVE   family, second round ends 2040-12-31    3.0000 mu   not yet due; 0.5000 mu abandoned
//   village 130881102202
//     h4  SURRENDERED                                       4.0000 mu   (surrender register: 4.0000 mu)
//     h5  RECLAIMED                                         5.0000 mu
//   village 130881103201 (township 130881103)
//     h6  ACTIVE   family, ends 2028-09-30                  6.0000 mu   due; certified 2025-03-01
//         circulated 2.5000 mu (a re-circulation of 1.0000 mu of it is not counted again; a
//         terminated one of 0.5000 mu no longer counts); abandoned: two open reports on one plot
//         (1.0000 and 1.5000 mu: the larger counts) and one resumed (2.0000 mu: gone)

let h: Harness;
let figures: ReturnType<typeof figuresClient>;
const figuresClient = (x: Harness) =>
  x.clients.create(LandFiguresServiceDefinition, `127.0.0.1:${x.service.port}`);

const A1 = '130881102201';
const A2 = '130881102202';
const B1 = '130881103201';
const today = todayInShanghai();

interface Made {
  householdId: string;
  contractId: string;
  contractCode: string;
  plotCodes: string[];
}

let seq = 100;
/** A household with one family contract of one or two plots in `village`. */
async function make(village: string, areasMu4: number[], secondRoundEnd: string): Promise<Made> {
  seq += 1;
  const issuerCode = makeIssuerCode(village, seq % 100);
  await h.client.registerIssuer(
    { code: issuerCode, creditCode: creditCode(seq), name: `第${seq}组`, context: change() },
    { principal: leadUnitA },
  );
  const { household } = await h.client.registerHousehold(
    {
      code: makeContractorCode(issuerCode, 1),
      address: '',
      members: [
        {
          residentId: residentId(seq),
          name: '户主',
          relation: 'RELATION_HEAD',
          alive: true,
          movedToTown: false,
          liftedOutOfPoverty: false,
          povertyMonitoring: false,
          deceasedOn: '',
        },
      ],
      context: change(),
    },
    { principal: leadUnitA },
  );
  const { contract } = await h.client.registerContract(
    {
      code: makeContractCode(issuerCode, 1, 'FAMILY'),
      householdId: household!.id,
      mode: 'CONTRACT_MODE_FAMILY',
      termStartDate: '1998-10-01',
      termEndDate: secondRoundEnd,
      secondRoundEndDate: secondRoundEnd,
      adjustmentForbidden: false,
      plots: areasMu4.map((area, i) => ({
        code: makePlotCode(issuerCode, i + 1),
        name: `地${i + 1}`,
        contractAreaMu4: area,
        surveyedAreaMu4: area,
        landClass: 'LAND_CLASS_CULTIVATED',
        basicFarmland: false,
        boundaries: { east: '路', south: '沟', west: '邻户', north: '山' },
        geometryGeojson: '',
      })),
      context: change(),
    },
    { principal: leadUnitA },
  );
  return {
    householdId: household!.id,
    contractId: contract!.id,
    contractCode: contract!.code,
    plotCodes: contract!.plots.map((p) => p.code),
  };
}

/** Changes a contract's status (and term) the way a use case records it: row and audit entry together. */
async function setStatus(m: Made, status: ContractStatus, termEnd?: string) {
  await inTransaction(h.service.runtime.orm, async (em) => {
    const row = await em.findOneOrFail(ContractEntity, { id: m.contractId });
    row.status = status;
    if (termEnd) row.termEnd = termEnd;
    await em.flush();
    const plots = await em.find(PlotEntity, { contractId: row.id });
    const ctx: CommandContext = {
      principal: leadUnitA,
      reason: `test: ${status}`,
      documentRef: '',
      traceId: '',
      now: new Date(),
    };
    await recordChanges(em, ctx, [
      {
        aggregateType: 'contract',
        aggregateId: row.id,
        aggregateVersion: row.version,
        townshipCode: row.townshipCode,
        action: `contract.${status.toLowerCase()}`,
        state: contractToMsg(row, plots),
      },
    ]);
  });
}

async function certify(householdId: string, certifiedOn: string, no: string) {
  const cert = h.clients.create(CertificationServiceDefinition, `127.0.0.1:${h.service.port}`);
  const dates = ['2024-01-02', '2024-01-03', '2024-02-03', '2024-02-04', certifiedOn];
  const stages = ['SURVEYED', 'PUBLICLY_NOTICED', 'SIGNED', 'REGISTERED', 'CERTIFIED'] as const;
  for (const [i, stage] of stages.entries()) {
    await cert.advanceCertificationStage(
      {
        householdId,
        stage: `CERTIFICATION_STAGE_${stage}`,
        date: dates[i]!,
        certificateNo: stage === 'CERTIFIED' ? no : '',
        registerBookNo: '',
        context: change(),
      },
      { principal: leadUnitA },
    );
  }
}

async function sql(text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

async function circulate(
  m: Made,
  village: string,
  area: number,
  from: string,
  to: string,
  extra: { parent?: string; terminatedOn?: string } = {},
) {
  const id = newId();
  await sql(
    `INSERT INTO circulation (id, contract_id, contract_code, contractor_household_id, issuer_code, village_code, township_code,
       mode, transferee_kind, transferee_name, transferee_member, transferee_key, area_mu4, term_start, term_end, land_use,
       written, filing_on, filing_ref, filing_by, status, terminated_on, parent_circulation_id, risk_deposit_paid_fen,
       required_risk_deposit_fen, social_capital, registrable, policy_version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'LEASE', 'HOUSEHOLD', '邻户', true, 'k', $8, $9, $10, 'GRAIN', true, $9, 'BA-1', '村委会',
       $11, $12, $13, 0, 0, false, false, 'test', now(), now())`,
    [
      id,
      m.contractId,
      m.contractCode,
      m.householdId,
      m.contractCode.slice(0, 14),
      village,
      village.slice(0, 9),
      area,
      from,
      to,
      extra.terminatedOn ? 'TERMINATED' : 'ACTIVE',
      extra.terminatedOn ?? null,
      extra.parent ?? null,
    ],
  );
  return id;
}

async function abandon(
  m: Made,
  plotCode: string,
  village: string,
  area: number,
  since: string,
  resumedOn: string | null,
) {
  await sql(
    `INSERT INTO abandonment_report (id, contract_id, plot_code, area_mu4, since, reported_on, resumed_on, reporter_subject,
       reporter_role, village_code, township_code, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5, $6, 'user:x', 'TOWNSHIP_OFFICIAL', $7, $8, now(), now())`,
    [newId(), m.contractId, plotCode, area, since, resumedOn, village, village.slice(0, 9)],
  );
}

beforeAll(async () => {
  h = await startLandContract();
  figures = figuresClient(h);
  const h1 = await make(A1, [60_000, 40_000], '2028-09-30');
  const h2 = await make(A1, [20_000], '2028-09-30');
  const h3 = await make(A1, [30_000], '2040-12-31');
  const h4 = await make(A2, [40_000], '2028-09-30');
  const h5 = await make(A2, [50_000], '2028-09-30');
  const h6 = await make(B1, [30_000, 30_000], '2028-09-30');
  await setStatus(h2, 'EXTENDED', '2058-09-30');
  await setStatus(h4, 'SURRENDERED');
  await setStatus(h5, 'RECLAIMED');
  await certify(h1.householdId, '2024-06-01', 'JY-F-1');
  await certify(h6.householdId, '2025-03-01', 'JY-F-6');

  // h2 was registered long ago; its extension is today's change. As of mid-2025 the register held it,
  // still ACTIVE and due, and nothing else.
  const registered = await sql(
    `UPDATE contract_state_log SET recorded_at = '2025-01-01T10:00:00+08:00' WHERE contract_id = $1 AND status = 'ACTIVE' RETURNING seq`,
    [h2.contractId],
  );
  expect(registered).toHaveLength(1);
  await sql(`UPDATE household SET created_at = '2025-01-01T10:00:00+08:00' WHERE id = $1`, [h2.householdId]);

  const parent = await circulate(h6, B1, 25_000, '2024-01-01', '2028-09-30');
  await circulate(h6, B1, 10_000, '2024-06-01', '2027-01-01', { parent });
  await circulate(h6, B1, 5_000, '2024-01-01', '2028-09-30', { terminatedOn: '2025-06-01' });
  await abandon(h6, h6.plotCodes[0]!, B1, 10_000, '2025-04-01', null);
  await abandon(h6, h6.plotCodes[0]!, B1, 15_000, '2025-05-01', null);
  await abandon(h6, h6.plotCodes[1]!, B1, 20_000, '2025-04-01', '2025-10-01');
  await abandon(h3, h3.plotCodes[0]!, A1, 5_000, '2025-04-01', null);
  await sql(
    `INSERT INTO surrender (id, contract_id, household_id, issuer_code, village_code, township_code, surrendered_on, term_end,
       notice_given_on, notice_ref, acceptance_on, acceptance_ref, acceptance_by, area_mu4, soil_improvement_fen,
       land_compensation_fen, compensation_fen, policy_version, breakdown, returned_plot_codes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, '2026-01-15', '2028-09-30', '2025-07-01', 'N-1', '2026-01-10', 'A-1', '村委会', 40000, 0, 0, 0,
       'test', '{}', '[]', now())`,
    [newId(), h4.contractId, h4.householdId, h4.contractCode.slice(0, 14), A2, A2.slice(0, 9)],
  );
});
afterAll(async () => {
  await h?.stop();
});

const count = (n: number, areaMu4: number) => ({ count: n, areaMu4 });
const share = (numerator: number, denominator: number, basisPoints?: number) =>
  basisPoints === undefined ? { numerator, denominator } : { numerator, denominator, basisPoints };

function byCode(r: GetLandFiguresResponse): Map<string, AreaLandFigures> {
  return new Map([...(r.city ? [r.city] : []), ...r.townships, ...r.villages].map((f) => [f.code, f]));
}

describe('leading-group land figures', () => {
  it('counts contracts due and extended, certified households, circulation, surrender, reclaim and abandonment by hand', async () => {
    const r = await figures.getLandFigures({ asOfDate: '', townshipCode: '' }, { principal: leadingGroup });
    expect(r.asOfDate).toBe(today);
    const f = byCode(r);
    expect(r.townships.map((t) => t.code)).toEqual(['130881102', '130881103']);
    expect(r.villages.map((v) => v.code)).toEqual([A1, A2, B1]);

    expect(f.get(A1)).toEqual(
      expect.objectContaining({
        level: 'LAND_FIGURE_LEVEL_VILLAGE',
        contractsInForce: count(3, 150_000),
        dueForExtension: count(1, 100_000),
        extended: count(1, 20_000),
        households: 3,
        certifiedHouseholds: 1,
        certifiedShare: share(1, 3, 3333),
        surrendered: count(0, 0),
        reclaimed: count(0, 0),
      }),
    );
    expect(f.get(A2)).toEqual(
      expect.objectContaining({
        contractsInForce: count(0, 0),
        dueForExtension: count(0, 0),
        surrendered: count(1, 40_000),
        reclaimed: count(1, 50_000),
        households: 2,
        certifiedHouseholds: 0,
        certifiedShare: share(0, 2, 0),
        // Nothing in force: no share to speak of.
        circulatedShare: share(0, 0),
      }),
    );
    expect(f.get('130881102')).toEqual(
      expect.objectContaining({
        level: 'LAND_FIGURE_LEVEL_TOWNSHIP',
        contractsInForce: count(3, 150_000),
        dueForExtension: count(1, 100_000),
        extended: count(1, 20_000),
        surrendered: count(1, 40_000),
        reclaimed: count(1, 50_000),
        households: 5,
        certifiedHouseholds: 1,
        certifiedShare: share(1, 5, 2000),
      }),
    );
    expect(f.get('130881')).toEqual(
      expect.objectContaining({
        level: 'LAND_FIGURE_LEVEL_CITY',
        contractsInForce: count(4, 210_000),
        dueForExtension: count(2, 160_000),
        extended: count(1, 20_000),
        households: 6,
        certifiedHouseholds: 2,
        certifiedShare: share(2, 6, 3333),
      }),
    );
    expect(r.unavailable).toEqual([]);
    // 2.5 mu of 6 mu in force: 41.67 %.
    expect(f.get(B1)).toEqual(
      expect.objectContaining({
        circulatedAreaMu4: 25_000,
        circulatedShare: share(25_000, 60_000, 4167),
        abandonedAreaMu4: 15_000,
      }),
    );
    expect(f.get(A1)?.abandonedAreaMu4).toBe(5_000);
    // 2.5 mu of 21 mu: 11.90 %.
    expect(f.get('130881')).toEqual(
      expect.objectContaining({
        circulatedAreaMu4: 25_000,
        circulatedShare: share(25_000, 210_000, 1190),
        abandonedAreaMu4: 20_000,
      }),
    );
    expect(f.get('130881')?.surrendered).toEqual(count(1, 40_000));
  });

  it('agrees with the domain rules (leadingGroupFigures) on the same rows', async () => {
    const asOf = today;
    const contracts = await sql(
      `SELECT issuer_code, mode, status, to_char(term_end, 'YYYY-MM-DD') AS term_end,
              to_char(second_round_end, 'YYYY-MM-DD') AS second_round_end, total_area_mu4 FROM contract`,
    );
    const cases = await sql(
      `SELECT h.issuer_code, h.id, CASE WHEN cc.certified_on <= $1::date THEN 'CERTIFIED' END AS stage
       FROM household h LEFT JOIN certification_case cc ON cc.household_id = h.id`,
      [asOf],
    );
    const circulations = await sql(
      `SELECT issuer_code, status, to_char(term_start, 'YYYY-MM-DD') AS term_start, to_char(term_end, 'YYYY-MM-DD') AS term_end,
                  area_mu4, parent_circulation_id FROM circulation`,
    );
    const abandonment = await sql(
      `SELECT plot_code, area_mu4, to_char(since, 'YYYY-MM-DD') AS since, to_char(resumed_on, 'YYYY-MM-DD') AS resumed_on
           FROM abandonment_report`,
    );
    const oracle = leadingGroupFigures({
      asOf,
      contracts: contracts.map(
        (c): ContractFigureRow => ({
          issuerCode: String(c['issuer_code']),
          mode: c['mode'] as ContractMode,
          status: c['status'] as ContractStatus,
          termEnd: String(c['term_end']),
          ...(c['second_round_end'] ? { secondRoundEnd: String(c['second_round_end']) } : {}),
          areaMu4: Number(c['total_area_mu4']),
        }),
      ),
      certifications: cases.map((c) => ({
        issuerCode: String(c['issuer_code']),
        householdId: String(c['id']),
        ...(c['stage'] ? { stage: 'CERTIFIED' as const } : {}),
      })),
      circulations: circulations.map((c) => ({
        issuerCode: String(c['issuer_code']),
        status: c['status'] as 'ACTIVE' | 'TERMINATED',
        termStart: String(c['term_start']),
        termEnd: String(c['term_end']),
        areaMu4: Number(c['area_mu4']),
        ...(c['parent_circulation_id'] ? { parentCirculationId: String(c['parent_circulation_id']) } : {}),
      })),
      abandonment: abandonment.map((a) => ({
        plotCode: String(a['plot_code']),
        areaMu4: Number(a['area_mu4']),
        since: String(a['since']),
        ...(a['resumed_on'] ? { resumedOn: String(a['resumed_on']) } : {}),
      })),
    });
    const r = await figures.getLandFigures({ asOfDate: asOf, townshipCode: '' }, { principal: leadingGroup });
    const served = byCode(r);
    for (const expected of [...oracle.city, ...oracle.townships, ...oracle.villages]) {
      const got = served.get(expected.code);
      expect(got, expected.code).toBeDefined();
      expect(
        {
          inForce: got?.contractsInForce,
          due: got?.dueForExtension,
          extended: got?.extended,
          households: got?.households,
          certified: got?.certifiedHouseholds,
          circulated: got?.circulatedAreaMu4,
          reclaimed: got?.reclaimed,
          abandoned: got?.abandonedAreaMu4,
        },
        expected.code,
      ).toEqual({
        inForce: expected.contractsInForce,
        due: expected.dueForExtension,
        extended: expected.extended,
        households: expected.households,
        certified: expected.certifiedHouseholds,
        circulated: expected.circulatedAreaMu4,
        reclaimed: expected.reclaimed,
        abandoned: expected.abandonedAreaMu4,
      });
    }
    // Villages are 12-digit codes in the figures; the domain keys groups by issuer prefix and agrees.
    expect(oracle.villages.map((v) => v.code)).toEqual(r.villages.map((v) => v.code));
  });

  it('answers as the register stood at the end of an earlier day', async () => {
    const r = await figures.getLandFigures(
      { asOfDate: '2025-06-30', townshipCode: '' },
      { principal: leadingGroup },
    );
    expect(r.city).toEqual(
      expect.objectContaining({
        // Only h2 was recorded by then, and it was not yet extended.
        contractsInForce: count(1, 20_000),
        dueForExtension: count(1, 20_000),
        extended: count(0, 0),
        households: 1,
        certifiedHouseholds: 0,
        surrendered: count(0, 0),
      }),
    );
    expect(r.villages.map((v) => v.code)).toEqual([A1]);
    // The day before yesterday's figures equal today's when nothing changed since.
    const yesterday = await figures.getLandFigures(
      { asOfDate: addDays(today, -1), townshipCode: '' },
      { principal: leadingGroup },
    );
    expect(yesterday.city?.contractsInForce).toEqual(count(1, 20_000));
  });

  it('limits a township official to its township and refuses bad input', async () => {
    const official: Principal = { sub: 'user:t', role: 'TOWNSHIP_OFFICIAL', townships: ['130881103'] };
    const own = await figures.getLandFigures({ asOfDate: '', townshipCode: '' }, { principal: official });
    expect(own.city).toBeUndefined();
    expect(own.townships.map((t) => t.code)).toEqual(['130881103']);
    expect(own.villages.map((v) => v.code)).toEqual([B1]);

    const outcome = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => describeClientError(e),
      );
    expect(
      (
        await outcome(
          figures.getLandFigures({ asOfDate: '', townshipCode: '130881102' }, { principal: official }),
        )
      )?.code,
    ).toBe(Status.PERMISSION_DENIED);
    const taskForce: Principal = { sub: 'user:v', role: 'VILLAGE_TASK_FORCE', villages: [B1] };
    expect(
      (await outcome(figures.getLandFigures({ asOfDate: '', townshipCode: '' }, { principal: taskForce })))
        ?.code,
    ).toBe(Status.PERMISSION_DENIED);
    const unknown = await outcome(
      figures.getLandFigures({ asOfDate: '', townshipCode: '130881999' }, { principal: leadingGroup }),
    );
    expect(unknown?.code).toBe(Status.INVALID_ARGUMENT);
    expect(unknown?.violations[0]?.field).toBe('townshipCode');
    const future = await outcome(
      figures.getLandFigures({ asOfDate: addDays(today, 1), townshipCode: '' }, { principal: leadingGroup }),
    );
    expect(future?.violations[0]).toEqual(
      expect.objectContaining({ rule: 'AS_OF_IN_FUTURE', field: 'asOfDate' }),
    );

    const one = await figures.getLandFigures(
      { asOfDate: '', townshipCode: '130881102' },
      { principal: leadingGroup },
    );
    expect(one.city).toBeUndefined();
    expect(one.villages.map((v) => v.code)).toEqual([A1, A2]);
  });
});
