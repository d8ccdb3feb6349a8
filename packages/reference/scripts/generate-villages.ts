/**
 * Generates data/villages-130881.csv: a synthetic but plausible list of Pingquan's administrative
 * villages (行政村). The real list is not available to us, so codes, names and household counts are
 * made up deterministically (fixed seed, no clock) and marked synthetic; only the two villages the
 * pilot plan names carry real names. Rerun after changing this file:
 *
 *   pnpm --filter @pingquan/reference run gen:villages
 *
 * A test regenerates the CSV in memory and fails when the committed file has drifted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TownshipRow {
  code: string;
  name: string;
}

export interface VillageRow {
  code: string;
  name: string;
  townshipCode: string;
  synthetic: boolean;
  nameReal: boolean;
  householdsEstimate: number;
  pilot: boolean;
}

export const VILLAGES_HEADER = 'code,name,township_code,synthetic,name_real,households_estimate,pilot';

/** Villages per township: towns get more than townships, 330 in all (Pingquan has about 330). */
const VILLAGE_COUNTS: Readonly<Record<string, number>> = {
  '130881100': 24, // 平泉镇
  '130881101': 22, // 黄土梁子镇
  '130881102': 20, // 榆树林子镇
  '130881103': 21, // 杨树岭镇
  '130881104': 20, // 七沟镇
  '130881105': 19, // 小寺沟镇
  '130881106': 18, // 党坝镇
  '130881107': 20, // 卧龙镇
  '130881108': 17, // 南五十家子镇
  '130881109': 16, // 北五十家子镇
  '130881110': 16, // 桲椤树镇
  '130881111': 18, // 柳溪镇
  '130881112': 17, // 平北镇
  '130881113': 16, // 青河镇
  '130881114': 18, // 台头山镇
  '130881200': 12, // 王土房乡
  '130881203': 12, // 七家岱满族乡
  '130881206': 12, // 茅兰沟满族蒙古族乡
  '130881210': 12, // 道虎沟乡
};

/**
 * The villages the pilot plan names (dual-lane road targets for villages of over 2,000 people, so
 * about 700 households at Pingquan's rural household size), with the slot they take in the list.
 */
const REAL_VILLAGES = [
  { townshipCode: '130881102', slot: 6, name: '连云海村', households: 760 },
  { townshipCode: '130881107', slot: 4, name: '碾子沟村', households: 715 },
] as const;

/** Townships whose third village joins the early pilot, besides the two real villages: 8 in all. */
const PILOT_TOWNSHIPS = new Set([
  '130881100',
  '130881101',
  '130881103',
  '130881104',
  '130881106',
  '130881114',
]);

const TOTAL_HOUSEHOLDS = 110_000;

const SURNAMES = [...'王李张刘陈杨赵孙周吴郑冯于董高马朱胡郭何罗梁宋韩唐许邓曹田白崔孟邢姜常齐魏贾潘范'];
const PLANTS = [
  '杨树',
  '榆树',
  '柳树',
  '杏树',
  '梨树',
  '桦树',
  '松树',
  '椴木',
  '榛子',
  '核桃',
  '山楂',
  '荆条',
  '苇子',
  '蒿子',
];
const MODIFIERS = [...'大小前后东西南北上下'];
const LANDMARKS = [
  '黑山',
  '白石',
  '红土',
  '黄土',
  '青石',
  '石门',
  '黑水',
  '清水',
  '白草',
  '红石',
  '石佛',
  '双山',
];
const ORDINALS = ['头道', '二道', '三道', '四道', '五道', '六道'];
const FIXED = [
  '马圈子',
  '牛圈子',
  '羊圈子',
  '古城子',
  '官地',
  '龙潭',
  '三家',
  '五家子',
  '八家',
  '十八盘',
  '碾房',
  '磨盘山',
];

// Each family of names takes only the landform words it is really found with in Chengde's hills.
const TEMPLATES: ReadonlyArray<{ weight: number; stems: readonly string[]; endings: readonly string[] }> = [
  {
    weight: 30,
    stems: SURNAMES.map((s) => `${s}家`),
    endings: ['店', '营', '营子', '沟', '窝铺', '台', '庄', '湾', '洼', '梁', '杖子', '屯'],
  },
  { weight: 12, stems: SURNAMES, endings: ['杖子', '营子', '窝铺', '店'] },
  { weight: 18, stems: PLANTS, endings: ['沟', '洼', '台', '岭', '林子', '甸子', '湾', '底', '梁'] },
  {
    weight: 15,
    stems: MODIFIERS,
    endings: ['营子', '沟', '梁', '台', '窝铺', '甸子', '杖子', '庙', '城子', '房身', '井', '店'],
  },
  { weight: 10, stems: LANDMARKS, endings: ['沟', '梁', '台', '坎', '洼', '嘴', '峪'] },
  { weight: 8, stems: ORDINALS, endings: ['沟', '河', '梁', '营子'] },
  { weight: 7, stems: FIXED, endings: [''] },
];

/** mulberry32: a tiny seeded generator, so the output depends on nothing but this file. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function syntheticName(random: () => number): string {
  const totalWeight = TEMPLATES.reduce((sum, t) => sum + t.weight, 0);
  let roll = random() * totalWeight;
  for (const template of TEMPLATES) {
    roll -= template.weight;
    if (roll < 0) return `${pick(random, template.stems)}${pick(random, template.endings)}村`;
  }
  throw new Error('unreachable: template weights exhausted');
}

export function generateVillages(townships: readonly TownshipRow[]): VillageRow[] {
  const random = seededRandom(130881);
  // Names stay unique city-wide and never repeat a township's own name or a real village's name, so
  // a synthetic village can't be mistaken for a real place in the demo.
  const taken = new Set<string>([
    ...REAL_VILLAGES.map((v) => v.name),
    ...townships.map((t) => `${t.name.replace(/(满族蒙古族|满族)?[镇乡]$/, '')}村`),
  ]);
  const rows: VillageRow[] = [];
  const weights: number[] = [];

  for (const township of townships) {
    const count = VILLAGE_COUNTS[township.code];
    if (count === undefined) throw new Error(`no village count for township ${township.code}`);
    for (let i = 0; i < count; i += 1) {
      const code = `${township.code}${201 + i}`;
      const real = REAL_VILLAGES.find((v) => v.townshipCode === township.code && v.slot === i);
      let name = real?.name ?? syntheticName(random);
      while (!real && taken.has(name)) name = syntheticName(random);
      taken.add(name);
      // Sum of two uniforms: villages cluster around the mean with a few small and large ones.
      const weight = 1.2 + random() + random();
      rows.push({
        code,
        name,
        townshipCode: township.code,
        synthetic: true,
        nameReal: real !== undefined,
        householdsEstimate: real?.households ?? 0,
        pilot: real !== undefined || (PILOT_TOWNSHIPS.has(township.code) && i === 2),
      });
      weights.push(real ? 0 : weight);
    }
  }

  const realHouseholds = REAL_VILLAGES.reduce((sum, v) => sum + v.households, 0);
  const scale = (TOTAL_HOUSEHOLDS - realHouseholds) / weights.reduce((sum, w) => sum + w, 0);
  rows.forEach((row, i) => {
    const weight = weights[i] ?? 0;
    if (weight > 0) row.householdsEstimate = Math.round(weight * scale);
  });
  return rows;
}

export function villagesCsv(rows: readonly VillageRow[]): string {
  const lines = rows.map((r) =>
    [r.code, r.name, r.townshipCode, r.synthetic, r.nameReal, r.householdsEstimate, r.pilot].join(','),
  );
  return `${[VILLAGES_HEADER, ...lines].join('\n')}\n`;
}

export function readTownships(divisionsCsv: string): TownshipRow[] {
  return divisionsCsv
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(','))
    .filter((cols) => cols[2] === 'township')
    .map(([code = '', name = '']) => ({ code, name }));
}

function main(): void {
  const dataDir = new URL('../data/', import.meta.url);
  const townships = readTownships(readFileSync(new URL('divisions-130881.csv', dataDir), 'utf8'));
  const rows = generateVillages(townships);
  writeFileSync(new URL('villages-130881.csv', dataDir), villagesCsv(rows));
  const households = rows.reduce((sum, r) => sum + r.householdsEstimate, 0);
  console.log(`wrote ${rows.length} villages, ${households} households`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
