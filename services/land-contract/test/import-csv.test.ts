import { describe, expect, it } from 'vitest';
import { locateField, normaliseDate, parseCsvRecords, readRegisterCsv } from '../src/app/import-csv.js';
import { HEADER_EN, HEADER_ZH } from './import-support.js';

// Reading the register layout: pure, no database. Each test names the rule it checks.

describe('register CSV reading', () => {
  it('CSV quoting: commas, doubled quotes and line breaks inside quoted cells; CRLF or LF', () => {
    const { records, error } = parseCsvRecords('a,"b,c","d ""e""",f\r\n"g\nh",i\n');
    expect(error).toBeUndefined();
    expect(records).toEqual([
      ['a', 'b,c', 'd "e"', 'f'],
      ['g\nh', 'i'],
    ]);
  });

  it('CSV_UNTERMINATED_QUOTE: a quote that never closes is reported, not swallowed', () => {
    expect(parseCsvRecords('a,"b\nc,d\n').error?.rule).toBe('CSV_UNTERMINATED_QUOTE');
  });

  it('dates as spreadsheets save them (2028/9/30, 2028年9月30日, 20280930) mean 2028-09-30; impossible dates are refused', () => {
    for (const text of ['2028-09-30', '2028/9/30', '2028.09.30', '2028年9月30日', '20280930'])
      expect(normaliseDate(text)).toBe('2028-09-30');
    expect(normaliseDate('2028-02-30')).toBeUndefined();
    expect(normaliseDate('30/09/2028')).toBeUndefined();
  });

  it('headers in Chinese or English (full-width brackets allowed) select the same columns', () => {
    const zh = readRegisterCsv(`${HEADER_ZH.replace('合同面积(亩)', '合同面积（亩）')}\n`);
    const en = readRegisterCsv(`${HEADER_EN}\n`);
    expect(zh.language).toBe('zh');
    expect(en.language).toBe('en');
    expect(Object.keys(zh.headers).sort()).toEqual(Object.keys(en.headers).sort());
    expect(zh.errors.map((e) => e.rule)).toEqual(['CSV_NO_RECORDS']);
  });

  it('CSV_COLUMN_MISSING and CSV_HEADER_UNKNOWN name the column in row 1', () => {
    const parsed = readRegisterCsv('承包方编码,合同编码,备注\n');
    expect(parsed.errors).toContainEqual(
      expect.objectContaining({ row: 1, column: '备注', rule: 'CSV_HEADER_UNKNOWN' }),
    );
    expect(parsed.errors).toContainEqual(
      expect.objectContaining({ row: 1, column: '身份证号', rule: 'CSV_COLUMN_MISSING' }),
    );
  });

  it('a household is a block of rows: members and plots listed side by side under its first row', () => {
    const csv = [
      HEADER_ZH,
      '130881102201000001,1号,1308811022010000011,1998-10-01,2028-09-30,甲,130881197001010011,户主,是,否,否,1308811022010000001,东地,1.5,1.5,耕地,是,路,沟,河,林',
      ',,,,,乙,130881197001010029,配偶,是,否,否,,,,,,,,,,',
      ',,,,,,,,,,,1308811022010000002,西地,2,2,草地,否,路,沟,河,林',
    ].join('\n');
    const parsed = readRegisterCsv(csv);
    expect(parsed.errors).toEqual([]);
    expect(parsed.blocks).toHaveLength(1);
    const [block] = parsed.blocks;
    expect(block?.members.map((m) => [m.row, m.member.relation])).toEqual([
      [2, 'HEAD'],
      [3, 'SPOUSE'],
    ]);
    expect(block?.plots.map((p) => [p.row, p.plot.landClass, p.plot.contractAreaMu4])).toEqual([
      [2, 'CULTIVATED', 15_000],
      [4, 'GRASS', 20_000],
    ]);
    // Domain violations point back at the cell they concern.
    expect(locateField(block!, 'household.members[1].residentId')).toEqual({ row: 3, key: 'resident_id' });
    expect(locateField(block!, 'plots[1].boundaries.north')).toEqual({ row: 4, key: 'boundary_north' });
    expect(locateField(block!, 'termEnd')).toEqual({ row: 2, key: 'term_end' });
  });

  it('HOUSEHOLD_CELLS_DISAGREE, HOUSEHOLD_ROWS_NOT_TOGETHER and ROW_OUTSIDE_HOUSEHOLD keep blocks honest', () => {
    const head = (n: number) => `13088110220100000${n},${n}号,13088110220100000${n}1,1998-10-01,2028-09-30`;
    const csv = [
      HEADER_ZH,
      ',,,,,甲,130881197001010011,户主,是,否,否,,,,,,,,,,',
      `${head(1)},甲,130881197001010011,户主,是,否,否,,,,,,,,,,`,
      `,,1308811022010000091,,,乙,130881197001010029,配偶,是,否,否,,,,,,,,,,`,
      `${head(2)},丙,130881197001010037,户主,是,否,否,,,,,,,,,,`,
      `${head(1)},丁,130881197001010045,户主,是,否,否,,,,,,,,,,`,
    ].join('\n');
    const rules = readRegisterCsv(csv).errors.map((e) => `${e.row}:${e.rule}`);
    expect(rules).toEqual([
      '2:ROW_OUTSIDE_HOUSEHOLD',
      '4:HOUSEHOLD_CELLS_DISAGREE',
      '6:HOUSEHOLD_ROWS_NOT_TOGETHER',
    ]);
  });

  it('CELL_SCIENTIFIC_NOTATION, CELL_NOT_YES_NO, RELATION_UNKNOWN, AREA_TOO_MANY_DECIMALS point at their cells', () => {
    const csv = [
      HEADER_ZH,
      '130881102201000001,1号,1308811022010000011,1998-10-01,2028-09-30,甲,1.30881E+17,户长,也许,否,否,1308811022010000001,东地,1.23456,1.5,耕地,是,路,沟,河,林',
    ].join('\n');
    const found = readRegisterCsv(csv).errors.map((e) => `${e.column}:${e.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        '身份证号:CELL_SCIENTIFIC_NOTATION',
        '是否健在:CELL_NOT_YES_NO',
        '与户主关系:RELATION_UNKNOWN',
        '合同面积(亩):AREA_TOO_MANY_DECIMALS',
      ]),
    );
  });
});
