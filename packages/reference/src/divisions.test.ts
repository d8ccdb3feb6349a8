import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateVillages, readTownships, villagesCsv } from '../scripts/generate-villages.js';
import {
  CITY_CODE,
  getDivision,
  isTownshipCode,
  isVillageCode,
  listTownships,
  listVillages,
  townshipCodeOf,
  validateTownshipCode,
  validateVillageCode,
} from './divisions.js';
import type { Checked } from './violation.js';

const TOWNSHIPS: ReadonlyArray<[string, string]> = [
  ['130881100', '平泉镇'],
  ['130881101', '黄土梁子镇'],
  ['130881102', '榆树林子镇'],
  ['130881103', '杨树岭镇'],
  ['130881104', '七沟镇'],
  ['130881105', '小寺沟镇'],
  ['130881106', '党坝镇'],
  ['130881107', '卧龙镇'],
  ['130881108', '南五十家子镇'],
  ['130881109', '北五十家子镇'],
  ['130881110', '桲椤树镇'],
  ['130881111', '柳溪镇'],
  ['130881112', '平北镇'],
  ['130881113', '青河镇'],
  ['130881114', '台头山镇'],
  ['130881200', '王土房乡'],
  ['130881203', '七家岱满族乡'],
  ['130881206', '茅兰沟满族蒙古族乡'],
  ['130881210', '道虎沟乡'],
];

function ruleOf<T>(checked: Checked<T>): string | undefined {
  return checked.ok ? undefined : checked.violations[0]?.rule;
}

describe('Pingquan divisions', () => {
  it('holds the city with its real code', () => {
    expect(getDivision(CITY_CODE)).toMatchObject({ name: '平泉市', level: 'county', synthetic: false });
  });

  it('holds the 19 real townships with their NBS codes and names', () => {
    const townships = listTownships();
    expect(townships.map((t) => [t.code, t.name])).toEqual(TOWNSHIPS);
    for (const t of townships) {
      expect(t).toMatchObject({
        level: 'township',
        parentCode: CITY_CODE,
        synthetic: false,
        nameIsReal: true,
      });
    }
  });

  it('holds about 330 synthetic villages with unique codes under their townships', () => {
    const villages = listVillages();
    expect(villages.length).toBeGreaterThanOrEqual(300);
    expect(villages.length).toBeLessThanOrEqual(360);
    expect(new Set(villages.map((v) => v.code)).size).toBe(villages.length);
    for (const v of villages) {
      expect(v.code).toMatch(/^\d{12}$/);
      expect(v.code.startsWith(v.parentCode)).toBe(true);
      expect(isTownshipCode(v.parentCode)).toBe(true);
      const serial = Number(v.code.slice(9));
      expect(serial).toBeGreaterThanOrEqual(200);
      expect(serial).toBeLessThanOrEqual(399);
      expect(v.synthetic).toBe(true);
    }
    for (const t of listTownships()) {
      const names = listVillages(t.code).map((v) => v.name);
      expect(names.length).toBeGreaterThanOrEqual(12);
      expect(names.length).toBeLessThanOrEqual(24);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('holds the two villages the plan names in their real townships, names marked real', () => {
    const real = listVillages().filter((v) => v.nameIsReal);
    expect(real.map((v) => [v.parentCode, v.name]).sort()).toEqual([
      ['130881102', '连云海村'],
      ['130881107', '碾子沟村'],
    ]);
    for (const v of real) expect(v).toMatchObject({ synthetic: true, pilot: true });
  });

  it('estimates about 110,000 rural households and marks about 8 pilot villages', () => {
    const villages = listVillages();
    const households = villages.reduce((sum, v) => sum + (v.householdsEstimate ?? 0), 0);
    expect(households).toBeGreaterThanOrEqual(100_000);
    expect(households).toBeLessThanOrEqual(120_000);
    const pilots = villages.filter((v) => v.pilot);
    expect(pilots.length).toBeGreaterThanOrEqual(6);
    expect(pilots.length).toBeLessThanOrEqual(10);
  });

  it('finds the township of township, village and issuer codes', () => {
    const village = listVillages('130881107')[0];
    expect(village).toBeDefined();
    const code = village?.code ?? '';
    expect(townshipCodeOf('130881107')).toBe('130881107');
    expect(townshipCodeOf(code)).toBe('130881107');
    expect(townshipCodeOf(`${code}01`)).toBe('130881107');
    expect(townshipCodeOf('130881199')).toBeUndefined();
    expect(townshipCodeOf('1308811070')).toBeUndefined();
    expect(isVillageCode(code)).toBe(true);
    expect(isVillageCode('130881107')).toBe(false);
  });

  it('DIVISION_CODE_FORMAT, DIVISION_OUTSIDE_CITY, DIVISION_UNKNOWN_TOWNSHIP, DIVISION_UNKNOWN_VILLAGE', () => {
    expect(validateTownshipCode('130881102', 't')).toMatchObject({ ok: true, value: { name: '榆树林子镇' } });
    expect(ruleOf(validateTownshipCode('13088110', 't'))).toBe('DIVISION_CODE_FORMAT');
    expect(ruleOf(validateTownshipCode('110105001', 't'))).toBe('DIVISION_OUTSIDE_CITY');
    expect(ruleOf(validateTownshipCode('130881199', 't'))).toBe('DIVISION_UNKNOWN_TOWNSHIP');
    expect(ruleOf(validateVillageCode('130881102', 'v'))).toBe('DIVISION_CODE_FORMAT');
    expect(ruleOf(validateVillageCode('130881102399', 'v'))).toBe('DIVISION_UNKNOWN_VILLAGE');
    const village = listVillages('130881102')[0];
    expect(validateVillageCode(village?.code ?? '', 'v')).toEqual({ ok: true, value: village });
  });

  it('the committed village file is exactly what the generator produces', () => {
    const dataDir = new URL('../data/', import.meta.url);
    const townships = readTownships(readFileSync(new URL('divisions-130881.csv', dataDir), 'utf8'));
    const committed = readFileSync(new URL('villages-130881.csv', dataDir), 'utf8');
    expect(villagesCsv(generateVillages(townships))).toBe(committed);
  });
});
