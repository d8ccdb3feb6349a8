import type { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import type { LandContractServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/land_contract_service';
import type { InternalCallOptions } from '@pingquan/kit';
import { listVillages } from '@pingquan/reference';
import { SingleBar } from 'cli-progress';
import type { Client } from 'nice-grpc';
import { generateCity, type Scale, type SeedHousehold, type SeedVillage } from './dataset.js';
import { SEED_PRINCIPAL, type SeedResult } from './load.js';

// The whole city through the register import, village by village, as the county would load the
// registers the villages keep: each village's CSV in the documented layout (services/land-contract/
// docs/register-import.md), one all-or-nothing import per village, a few villages in flight.

export interface ImportSeedClients {
  landContract: Client<typeof LandContractServiceDefinition, InternalCallOptions>;
  registerImport: Client<typeof RegisterImportServiceDefinition, InternalCallOptions>;
}

const HEADER = [
  '承包方编码',
  '承包方地址',
  '合同编码',
  '承包起始日期',
  '承包终止日期',
  '二轮承包到期日',
  '成员姓名',
  '身份证号',
  '与户主关系',
  '是否健在',
  '死亡日期',
  '进城落户',
  '脱贫人口',
  '防返贫监测对象',
  '地块编码',
  '地块名称',
  '合同面积(亩)',
  '实测面积(亩)',
  '土地类别',
  '是否基本农田',
  '东至',
  '南至',
  '西至',
  '北至',
];

const RELATION_ZH: Record<string, string> = {
  HEAD: '户主',
  SPOUSE: '配偶',
  CHILD: '子女',
  PARENT: '父母',
  GRANDCHILD: '孙子女',
};
const LAND_CLASS_ZH: Record<string, string> = {
  CULTIVATED: '耕地',
  GARDEN: '园地',
  FOREST: '林地',
  GRASS: '草地',
};
const yesNo = (b: boolean) => (b ? '是' : '否');

/** Mu with four decimals, written as a clerk's spreadsheet would. */
function mu(mu4: number): string {
  return `${Math.floor(mu4 / 10_000)}.${String(mu4 % 10_000).padStart(4, '0')}`;
}

function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

function householdRows(h: SeedHousehold): string[] {
  const rows: string[] = [];
  const n = Math.max(h.members.length, h.contract.plots.length);
  for (let r = 0; r < n; r += 1) {
    const m = h.members[r];
    const p = h.contract.plots[r];
    const cells = [
      ...(r === 0
        ? [
            h.code,
            h.address,
            h.contract.code,
            h.contract.termStart,
            h.contract.termEnd,
            h.contract.secondRoundEnd,
          ]
        : ['', '', '', '', '', '']),
      ...(m
        ? [
            m.name,
            m.residentId,
            RELATION_ZH[m.relation] ?? '其他',
            yesNo(m.alive),
            m.deceasedOn ?? '',
            yesNo(m.movedToTown),
            yesNo(m.liftedOutOfPoverty),
            yesNo(m.povertyMonitoring),
          ]
        : ['', '', '', '', '', '', '', '']),
      ...(p
        ? [
            p.code,
            p.name,
            mu(p.contractAreaMu4),
            mu(p.surveyedAreaMu4),
            LAND_CLASS_ZH[p.landClass] ?? '其他',
            yesNo(p.basicFarmland),
            p.boundaries.east,
            p.boundaries.south,
            p.boundaries.west,
            p.boundaries.north,
          ]
        : ['', '', '', '', '', '', '', '', '', '']),
    ];
    rows.push(cells.map(quote).join(','));
  }
  return rows;
}

/** One village's register as the CSV its clerk would export (UTF-8, Chinese headers, CRLF). */
export function villageRegisterCsv(village: SeedVillage): string {
  const lines = [HEADER.join(',')];
  for (const h of village.households) lines.push(...householdRows(h));
  return `${lines.join('\r\n')}\r\n`;
}

export interface ImportSeedOptions {
  /** Villages imported at once; two keeps a 2-core machine busy without starving the relay. */
  concurrency?: number;
  progress?: boolean;
  /** Called after each village, e.g. for benchmark bookkeeping. */
  onVillage?: (village: SeedVillage, result: { households: number; plots: number }) => void;
}

/**
 * Loads the city through RegisterImportService. Villages are generated one at a time and dropped
 * once imported, so memory stays bounded by the villages in flight. Every call carries an
 * idempotency key per village: a second run, or one resumed after Ctrl-C, replays stored results.
 */
export async function seedThroughImport(
  clients: ImportSeedClients,
  scale: Scale,
  options: ImportSeedOptions = {},
): Promise<SeedResult> {
  const concurrency = options.concurrency ?? 2;
  const totalHouseholds = scale === 'full' ? estimateHouseholds() : 0;
  const bar =
    options.progress === true
      ? new SingleBar({
          format: 'importing {bar} {value}/{total} households | {village}',
          hideCursor: true,
          etaBuffer: 50,
        })
      : undefined;
  bar?.start(totalHouseholds, 0, { village: '' });
  const result: SeedResult = { villages: 0, households: 0, contracts: 0, plots: 0 };
  const opts = { principal: SEED_PRINCIPAL, deadline: 300_000 };
  const change = (key: string) => ({
    reason: 'demo data (deterministic generator, register import)',
    documentRef: '',
    idempotencyKey: `seed-import:${key}`,
  });

  const villages = generateCity(scale);
  const worker = async () => {
    for (;;) {
      const next = villages.next();
      if (next.done) return;
      const v = next.value;
      await clients.landContract.registerIssuer({ ...v.issuer, context: change(v.issuer.code) }, opts);
      const res = await clients.registerImport.importRegisterCsv(
        {
          villageCode: v.village.code,
          csv: Buffer.from(villageRegisterCsv(v), 'utf8'),
          dryRun: false,
          fileName: `${v.village.code}-${v.village.name}.csv`,
          context: change(v.village.code),
        },
        opts,
      );
      if (res.outcome !== 'IMPORT_OUTCOME_IMPORTED') {
        const first = res.errors[0];
        throw new Error(
          `import of ${v.village.code} ${v.village.name} was ${res.outcome}: ${res.errorCount} errors, first at row ${first?.row} ${first?.column} ${first?.rule}: ${first?.message}`,
        );
      }
      const plots = v.households.reduce((n, h) => n + h.contract.plots.length, 0);
      result.villages += 1;
      result.households += v.households.length;
      result.contracts += v.households.length;
      result.plots += plots;
      options.onVillage?.(v, { households: v.households.length, plots });
      bar?.increment(v.households.length, { village: v.village.name });
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    bar?.stop();
  }
  return result;
}

/** The progress bar's total from the generator's per-village estimate, without generating households. */
function estimateHouseholds(): number {
  return listVillages().reduce((n, v) => n + (v.householdsEstimate ?? 330), 0);
}
