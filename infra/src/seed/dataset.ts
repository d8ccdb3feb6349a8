import {
  addYears,
  type Division,
  listVillages,
  makeCollectiveOrgCode,
  makeContractCode,
  makeContractorCode,
  makeIssuerCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';
import { Random } from './random.js';

// A deterministic, realistic Pingquan: every village's collective as issuer, households with
// members, second-round family contracts with their plots. Each later service extends it.

export type Scale = 'small' | 'full';

export interface SeedMember {
  residentId: string;
  name: string;
  relation: 'HEAD' | 'SPOUSE' | 'CHILD' | 'PARENT' | 'GRANDCHILD';
  alive: boolean;
  deceasedOn?: string;
  movedToTown: boolean;
  liftedOutOfPoverty: boolean;
  povertyMonitoring: boolean;
}

export interface SeedPlot {
  code: string;
  name: string;
  contractAreaMu4: number;
  surveyedAreaMu4: number;
  landClass: 'CULTIVATED' | 'GARDEN' | 'FOREST' | 'GRASS';
  basicFarmland: boolean;
  boundaries: { east: string; south: string; west: string; north: string };
}

export interface SeedHousehold {
  code: string;
  address: string;
  members: SeedMember[];
  contract: {
    code: string;
    termStart: string;
    termEnd: string;
    secondRoundEnd: string;
    plots: SeedPlot[];
  };
}

export interface SeedVillage {
  village: Division;
  issuer: { code: string; creditCode: string; name: string };
  households: SeedHousehold[];
}

const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
  '何',
  '高',
  '林',
  '罗',
  '于',
  '董',
  '孟',
  '宋',
  '韩',
  '冯',
  '邢',
  '白',
  '贾',
  '崔',
];
const GIVEN = [
  '国',
  '建',
  '文',
  '明',
  '春',
  '秀',
  '玉',
  '凤',
  '志',
  '海',
  '金',
  '德',
  '福',
  '兰',
  '英',
  '军',
  '平',
  '利',
  '淑',
  '桂',
  '宝',
  '占',
  '永',
  '振',
  '树',
  '学',
  '忠',
  '艳',
  '红',
  '霞',
];
const FIELD_NAMES = [
  '东大地',
  '西洼',
  '南梁',
  '北坡',
  '河滩地',
  '沟门',
  '后山',
  '前川',
  '老坟地',
  '榆树底下',
  '台子地',
  '大甸子',
];
const NEIGHBOURS = ['路', '沟', '河', '林带', '渠', '山根'];

function personName(rng: Random, surname: string): string {
  return surname + rng.pick(GIVEN) + (rng.chance(0.7) ? rng.pick(GIVEN) : '');
}

/** Households per village: a few each for the quick start, the village's estimate for the full city. */
function householdCount(village: Division, scale: Scale, rng: Random): number {
  if (scale === 'small') return rng.int(2, 4);
  return village.householdsEstimate ?? 330;
}

/**
 * The city village by village. Identifiers are unique by construction: resident IDs come from a
 * counter spread over birth dates, plot and contract codes from per-issuer sequences.
 */
export function* generateCity(scale: Scale, seed = 130881): Generator<SeedVillage> {
  const rng = new Random(seed);
  let person = 0;
  const issued = new Set<string>();
  const villages = listVillages();
  for (const [vi, village] of villages.entries()) {
    const issuerCode = makeIssuerCode(village.code, 0);
    const body9 = `MA${String(vi + 1).padStart(4, '0')}${village.code.slice(9)}`;
    const issuer = {
      code: issuerCode,
      creditCode: makeCollectiveOrgCode('VILLAGE', '130881', body9),
      name: `${village.name}股份经济合作社`,
    };
    const households: SeedHousehold[] = [];
    let plotSeq = 0;
    const count = householdCount(village, scale, rng);
    for (let h = 1; h <= count; h += 1) {
      const surname = rng.pick(SURNAMES);
      const size = rng.int(1, 6);
      const members: SeedMember[] = [];
      for (let m = 0; m < size; m += 1) {
        person += 1;
        const age = m === 0 ? rng.int(35, 80) : m === 1 ? rng.int(33, 78) : rng.int(1, 50);
        const year = 2026 - age;
        const month = rng.int(1, 12);
        const day = rng.int(1, 28);
        // The 3-digit sequence cycles with the counter; the birth date spreads the rest, and the
        // rare clash (same date, same sequence) moves on to the next sequence number.
        const born = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
        let first17 = `130881${born}${String(person % 1000).padStart(3, '0')}`;
        while (issued.has(first17)) {
          person += 1;
          first17 = `130881${born}${String(person % 1000).padStart(3, '0')}`;
        }
        issued.add(first17);
        const lifted = rng.chance(0.06);
        members.push({
          residentId: first17 + residentIdCheckCharacter(first17),
          name: personName(rng, m === 1 ? rng.pick(SURNAMES) : surname),
          relation:
            m === 0
              ? 'HEAD'
              : m === 1
                ? 'SPOUSE'
                : age > 60
                  ? 'PARENT'
                  : age < 12 && m > 3
                    ? 'GRANDCHILD'
                    : 'CHILD',
          alive: true,
          movedToTown: m > 1 && rng.chance(0.15),
          liftedOutOfPoverty: lifted,
          povertyMonitoring: lifted && rng.chance(0.1),
        });
      }
      const startYear = rng.pick([1997, 1998, 1998, 1999]);
      const termStart = `${startYear}-10-01`;
      const termEnd = addYears(`${startYear}-09-30`, 30);
      const plots: SeedPlot[] = [];
      const plotCount = scale === 'small' ? rng.int(2, 5) : rng.int(3, 8);
      for (let p = 0; p < plotCount; p += 1) {
        plotSeq += 1;
        const area = rng.int(3_000, 60_000);
        const landClass = rng.chance(0.8) ? 'CULTIVATED' : rng.pick(['GARDEN', 'GRASS', 'FOREST'] as const);
        plots.push({
          code: makePlotCode(issuerCode, plotSeq),
          name: rng.pick(FIELD_NAMES),
          contractAreaMu4: area,
          surveyedAreaMu4: area + rng.int(-800, 1_500),
          landClass,
          basicFarmland: landClass === 'CULTIVATED' && rng.chance(0.7),
          boundaries: {
            east: rng.chance(0.5) ? rng.pick(NEIGHBOURS) : personName(rng, rng.pick(SURNAMES)),
            south: rng.chance(0.5) ? rng.pick(NEIGHBOURS) : personName(rng, rng.pick(SURNAMES)),
            west: rng.chance(0.5) ? rng.pick(NEIGHBOURS) : personName(rng, rng.pick(SURNAMES)),
            north: rng.chance(0.5) ? rng.pick(NEIGHBOURS) : personName(rng, rng.pick(SURNAMES)),
          },
        });
      }
      households.push({
        code: makeContractorCode(issuerCode, h),
        address: `${village.name}${h}号`,
        members,
        contract: {
          code: makeContractCode(issuerCode, h, 'FAMILY'),
          termStart,
          termEnd,
          secondRoundEnd: termEnd,
          plots,
        },
      });
    }
    yield { village, issuer, households };
  }
}
