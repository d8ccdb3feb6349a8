import { readFileSync } from 'node:fs';
import { type Checked, fail, ok } from './violation.js';

/** 平泉市 — Pingquan City, a county-level city of Chengde, Hebei. */
export const CITY_CODE = '130881';

/**
 * Version of the division data: real townships from the NBS statistical division codes as of
 * 2022-10-31, plus version 1 of the synthetic village list. Recorded with data derived from it.
 */
export const DIVISIONS_VERSION = 'nbs-2022-10-31+synthetic-villages-v1';

/**
 * `county` — 县级市 (the city itself); `township` — 乡镇 (town, township or ethnic township);
 * `village` — 行政村 (administrative village).
 */
export type DivisionLevel = 'county' | 'township' | 'village';

/** 行政区划 — an administrative division with its national statistical division code. */
export interface Division {
  /** 6 digits for the city, 9 for a township, 12 for a village. */
  readonly code: string;
  readonly name: string;
  readonly level: DivisionLevel;
  readonly parentCode: string;
  /** True when the record was made up for the demo rather than taken from official data. */
  readonly synthetic: boolean;
  /** True when the name is real, even if the record (e.g. a village code) is synthetic. */
  readonly nameIsReal: boolean;
  /** Villages only: rough number of rural households, for plausible demo data. */
  readonly householdsEstimate?: number;
  /** Villages only: chosen for the early pilot (先行试点). */
  readonly pilot?: boolean;
}

interface DivisionIndex {
  byCode: Map<string, Division>;
  townships: Division[];
  villagesByTownship: Map<string, Division[]>;
}

let index: DivisionIndex | undefined;

function readCsv(file: string, header: string): string[][] {
  const text = readFileSync(new URL(`../data/${file}`, import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines[0] !== header) throw new Error(`data/${file}: expected header '${header}', got '${lines[0]}'`);
  return lines.slice(1).map((line) => line.split(','));
}

function flag(value: string | undefined, file: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`data/${file}: expected true or false, got '${value}'`);
}

function load(): DivisionIndex {
  const byCode = new Map<string, Division>();
  const townships: Division[] = [];
  const villagesByTownship = new Map<string, Division[]>();

  for (const [code = '', name = '', level, parentCode = ''] of readCsv(
    'divisions-130881.csv',
    'code,name,level,parent_code',
  )) {
    if (level !== 'county' && level !== 'township') {
      throw new Error(`data/divisions-130881.csv: unexpected level '${level}' for ${code}`);
    }
    const division: Division = Object.freeze({
      code,
      name,
      level,
      parentCode,
      synthetic: false,
      nameIsReal: true,
    });
    byCode.set(code, division);
    if (level === 'township') {
      townships.push(division);
      villagesByTownship.set(code, []);
    }
  }

  const villagesFile = 'villages-130881.csv';
  for (const [code = '', name = '', townshipCode = '', synthetic, nameReal, households, pilot] of readCsv(
    villagesFile,
    'code,name,township_code,synthetic,name_real,households_estimate,pilot',
  )) {
    const siblings = villagesByTownship.get(townshipCode);
    if (!siblings || !code.startsWith(townshipCode) || byCode.has(code)) {
      throw new Error(`data/${villagesFile}: village ${code} is duplicated or not under a known township`);
    }
    const division: Division = Object.freeze({
      code,
      name,
      level: 'village',
      parentCode: townshipCode,
      synthetic: flag(synthetic, villagesFile),
      nameIsReal: flag(nameReal, villagesFile),
      householdsEstimate: Number(households),
      pilot: flag(pilot, villagesFile),
    });
    byCode.set(code, division);
    siblings.push(division);
  }

  const byCodeOrder = (a: Division, b: Division) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  townships.sort(byCodeOrder);
  for (const villages of villagesByTownship.values()) villages.sort(byCodeOrder);
  return { byCode, townships, villagesByTownship };
}

// Loaded on first use so that importing the package costs nothing until divisions are needed.
function divisions(): DivisionIndex {
  index ??= load();
  return index;
}

/** The city, a township or a village by its code. */
export function getDivision(code: string): Division | undefined {
  return divisions().byCode.get(code);
}

/** The 19 townships in code order. */
export function listTownships(): Division[] {
  return [...divisions().townships];
}

/** Administrative villages in code order, of one township or of the whole city. */
export function listVillages(townshipCode?: string): Division[] {
  const { villagesByTownship } = divisions();
  if (townshipCode !== undefined) return [...(villagesByTownship.get(townshipCode) ?? [])];
  return [...villagesByTownship.values()].flat();
}

export function isTownshipCode(code: string): boolean {
  return getDivision(code)?.level === 'township';
}

export function isVillageCode(code: string): boolean {
  return getDivision(code)?.level === 'village';
}

/**
 * The township a township (9-digit), village (12-digit) or contract-issuer (14-digit) code lies in,
 * or `undefined` when the code has another shape or names no township of the city.
 */
export function townshipCodeOf(code: string): string | undefined {
  if (!/^(\d{9}|\d{12}|\d{14})$/.test(code)) return undefined;
  const townshipCode = code.slice(0, 9);
  return isTownshipCode(townshipCode) ? townshipCode : undefined;
}

function validateDivision(code: string, field: string, level: 'township' | 'village'): Checked<Division> {
  const digits = level === 'township' ? 9 : 12;
  if (code.length !== digits || !/^\d+$/.test(code)) {
    return fail('DIVISION_CODE_FORMAT', field, `A ${level} code has ${digits} digits, got '${code}'.`);
  }
  if (!code.startsWith(CITY_CODE)) {
    return fail('DIVISION_OUTSIDE_CITY', field, `${code} is not a division of Pingquan City (${CITY_CODE}).`);
  }
  const division = getDivision(code);
  if (division?.level !== level) {
    const rule = level === 'township' ? 'DIVISION_UNKNOWN_TOWNSHIP' : 'DIVISION_UNKNOWN_VILLAGE';
    return fail(rule, field, `${code} is not a known ${level} of Pingquan City (data ${DIVISIONS_VERSION}).`);
  }
  return ok(division);
}

export function validateTownshipCode(code: string, field: string): Checked<Division> {
  return validateDivision(code, field, 'township');
}

export function validateVillageCode(code: string, field: string): Checked<Division> {
  return validateDivision(code, field, 'village');
}
