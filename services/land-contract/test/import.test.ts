import { readFileSync } from 'node:fs';
import { Events } from '@pingquan/contracts/catalogue';
import { HouseholdRegistered } from '@pingquan/contracts/pingquan/land_contract/v1/events';
import { describeClientError } from '@pingquan/kit';
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
import { HEADER_EN, importClient, villageCsv } from './import-support.js';

let h: Harness;
let client: ReturnType<typeof importClient>;
const example = readFileSync(new URL('../docs/register-import-example.csv', import.meta.url));

beforeAll(async () => {
  h = await startLandContract();
  client = importClient(h.clients, h.service.port);
  await h.client.registerIssuer(
    { code: ISSUER, creditCode: creditCode(1), name: '样例村股份经济合作社', context: change() },
    { principal: leadUnitA },
  );
});
afterAll(async () => {
  await h?.stop();
});

async function counts(): Promise<Record<string, number>> {
  const c = new pg.Client({ connectionString: h.dbUrl });
  await c.connect();
  const out: Record<string, number> = {};
  for (const t of [
    'household',
    'household_member',
    'contract',
    'plot',
    'pq_outbox',
    'pq_audit_log',
    'register_import',
  ]) {
    out[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
  }
  await c.end();
  return out;
}

const request = (csv: Buffer | string, extra: { dryRun?: boolean; key?: string; village?: string } = {}) => ({
  villageCode: extra.village ?? VILLAGE,
  csv: Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'),
  dryRun: extra.dryRun ?? false,
  fileName: 'register.csv',
  context: { reason: 'register import test', documentRef: '', idempotencyKey: extra.key ?? '' },
});

describe('register CSV import (all or nothing)', () => {
  it('validates the documented example in a dry run without writing anything', async () => {
    const before = await counts();
    const res = await client.importRegisterCsv(request(example, { dryRun: true }), { principal: leadUnitA });
    expect(res.outcome).toBe('IMPORT_OUTCOME_VALID');
    expect(res.errors).toEqual([]);
    expect(res.headerLanguage).toBe('zh');
    expect(res.counts).toMatchObject({
      rows: 5,
      households: 2,
      members: 5,
      contracts: 2,
      plots: 5,
      contractAreaMu4: 121_200,
    });
    expect(await counts()).toEqual(before);
  });

  it('imports the example in one transaction with one masked event per household and contract, and replays it by key', async () => {
    const before = await counts();
    const first = await client.importRegisterCsv(request(example, { key: 'example-1' }), {
      principal: leadUnitA,
    });
    expect(first.outcome).toBe('IMPORT_OUTCOME_IMPORTED');
    expect(first.importId).not.toBe('');
    const after = await counts();
    expect(after['household']! - before['household']!).toBe(2);
    expect(after['household_member']! - before['household_member']!).toBe(5);
    expect(after['contract']! - before['contract']!).toBe(2);
    expect(after['plot']! - before['plot']!).toBe(5);
    expect(after['pq_outbox']! - before['pq_outbox']!).toBe(5); // 2 households + 2 contracts + RegisterImported

    const again = await client.importRegisterCsv(request(example, { key: 'example-1' }), {
      principal: leadUnitA,
    });
    expect(again.importId).toBe(first.importId);
    expect(await counts()).toEqual(after);

    const contract = await h.client.getContract(
      { idOrCode: '1308811022010000021' },
      { principal: leadingGroup },
    );
    expect(contract.contract?.plots[0]?.boundaries?.east).toBe('李家"老坟"');
    expect(contract.contract?.secondRoundEndDate).toBe('2028-09-30');

    let events = await readEvents(h.service.runtime.nc, h.prefix);
    for (
      let i = 0;
      i < 50 && events.filter((e) => e.type !== Events['land-contract'].IssuerRegistered.typeName).length < 5;
      i += 1
    ) {
      await new Promise((r) => setTimeout(r, 200));
      events = await readEvents(h.service.runtime.nc, h.prefix);
    }
    const households = events.filter((e) => e.type === Events['land-contract'].HouseholdRegistered.typeName);
    expect(households).toHaveLength(2);
    expect(events.filter((e) => e.type === Events['land-contract'].ContractRegistered.typeName)).toHaveLength(
      2,
    );
    expect(events.filter((e) => e.type === Events['land-contract'].RegisterImported.typeName)).toHaveLength(
      1,
    );
    for (const e of households) {
      for (const m of HouseholdRegistered.decode(e.payload).household?.members ?? [])
        expect(m.residentId).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    }
  });

  it('refuses to import codes already in the register, row by row, and writes nothing', async () => {
    const before = await counts();
    const res = await client.importRegisterCsv(request(example, { key: 'example-2' }), {
      principal: leadUnitA,
    });
    expect(res.outcome).toBe('IMPORT_OUTCOME_REJECTED');
    const rules = res.errors.map((e) => `${e.row}:${e.column}:${e.rule}`);
    expect(rules).toContain('2:承包方编码:HOUSEHOLD_ALREADY_REGISTERED');
    expect(rules).toContain('2:合同编码:CONTRACT_ALREADY_REGISTERED');
    expect(rules).toContain('2:身份证号:MEMBER_IN_ANOTHER_HOUSEHOLD');
    expect(rules).toContain('3:地块编码:PLOT_ALREADY_CONTRACTED');
    expect(await counts()).toEqual(before);
  });

  it('reports every bad cell of an English-header file with row, column and rule, and writes nothing', async () => {
    const issuer = ISSUER;
    const good = villageCsv({ issuerCode: issuer, households: 3, firstHousehold: 10, personSeries: 7 }).split(
      '\r\n',
    );
    const lines = [HEADER_EN, ...good.slice(1)];
    const cells = (i: number) => (lines[i] ?? '').split(',');
    const bad = (i: number, col: number, value: string) => {
      const c = cells(i);
      c[col] = value;
      lines[i] = c.join(',');
    };
    bad(1, 6, `${(cells(1)[6] ?? '').slice(0, 17)}${(cells(1)[6] ?? '').endsWith('1') ? '2' : '1'}`); // check character
    bad(2, 13, '0'); // contract area zero
    bad(3, 15, '水田'); // unknown land class
    bad(4, 4, '2028/13/40'); // not a date
    bad(5, 6, '1.30881E+17'); // Excel's scientific notation
    const before = await counts();
    const res = await client.importRegisterCsv(request(lines.join('\n')), { principal: leadUnitA });
    expect(res.outcome).toBe('IMPORT_OUTCOME_REJECTED');
    expect(res.headerLanguage).toBe('en');
    const found = res.errors.map((e) => `${e.row}:${e.column}:${e.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        '2:resident_id:RESIDENT_ID_CHECK_CHARACTER',
        '3:contract_area_mu:AREA_NOT_POSITIVE',
        '4:land_class:LAND_CLASS_UNKNOWN',
        '5:term_end:DATE_INVALID',
        '6:resident_id:CELL_SCIENTIFIC_NOTATION',
      ]),
    );
    expect(res.errorCount).toBe(res.errors.length);
    expect(await counts()).toEqual(before);
  });

  it('refuses a file that is not UTF-8, one with missing columns, and a village outside the city', async () => {
    const gbk = Buffer.from([0xb3, 0xd0, 0xb0, 0xfc, 0xb7, 0xbd, 0x0a]); // 承包方 in GBK
    const res = await client.importRegisterCsv(request(gbk), { principal: leadUnitA });
    expect(res.errors[0]?.rule).toBe('CSV_ENCODING_NOT_UTF8');
    const missing = await client.importRegisterCsv(request('承包方编码,合同编码\n1,2\n'), {
      principal: leadUnitA,
    });
    expect(missing.errors.map((e) => e.rule)).toContain('CSV_COLUMN_MISSING');
    expect(missing.errors.find((e) => e.rule === 'CSV_COLUMN_MISSING')?.row).toBe(1);
    const outside = await client
      .importRegisterCsv(request(example, { village: '110101001001' }), { principal: leadUnitA })
      .catch((e: unknown) => e);
    expect(describeClientError(outside)?.code).toBe(Status.INVALID_ARGUMENT);
    expect(describeClientError(outside)?.violations[0]?.field).toBe('villageCode');
  });

  it('refuses a role that may not write the register', async () => {
    const error = await client
      .importRegisterCsv(request(example, { dryRun: true }), { principal: leadingGroup })
      .catch((e: unknown) => e);
    expect(describeClientError(error)?.code).toBe(Status.PERMISSION_DENIED);
  });

  it('imports a village of a few hundred households in one call', async () => {
    const csv = villageCsv({
      issuerCode: ISSUER,
      households: 400,
      firstHousehold: 100,
      personSeries: 11,
      membersPer: 3,
      plotsPer: 5,
    });
    const res = await client.importRegisterCsv(request(csv), { principal: leadUnitA });
    expect(res.errors).toEqual([]);
    expect(res.outcome).toBe('IMPORT_OUTCOME_IMPORTED');
    expect(res.counts).toMatchObject({ households: 400, members: 1200, plots: 2000 });
  });
});
