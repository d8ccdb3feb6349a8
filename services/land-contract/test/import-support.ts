import { ExtensionServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import { RegisterImportServiceDefinition } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import type { GrpcClients } from '@pingquan/kit';
import {
  makeContractCode,
  makeContractorCode,
  makePlotCode,
  residentIdCheckCharacter,
} from '@pingquan/reference';

// Register files for the import and extension tests, written in the documented layout.

export const HEADER_ZH =
  '承包方编码,承包方地址,合同编码,承包起始日期,承包终止日期,成员姓名,身份证号,与户主关系,是否健在,进城落户,脱贫人口,地块编码,地块名称,合同面积(亩),实测面积(亩),土地类别,是否基本农田,东至,南至,西至,北至';
export const HEADER_EN =
  'contractor_code,address,contract_code,term_start,term_end,member_name,resident_id,relation,alive,moved_to_town,lifted_out_of_poverty,plot_code,plot_name,contract_area_mu,surveyed_area_mu,land_class,basic_farmland,boundary_east,boundary_south,boundary_west,boundary_north';

export interface VillageFileOptions {
  issuerCode: string;
  households: number;
  /** First household number (so a second file of the same issuer continues the sequence). */
  firstHousehold?: number;
  /** Distinguishes resident IDs of different files (0–99). */
  personSeries: number;
  membersPer?: number;
  plotsPer?: number;
  /** Term end of household n; defaults to 2028-09-30 (due). */
  termEnd?: (n: number) => string;
  /** Every member of household n is deceased (承包方消亡). */
  extinct?: (n: number) => boolean;
}

/** Resident ID of person `p` of series `s`: birth dates spread over 1950–1990, valid check character. */
export function personId(series: number, p: number): string {
  const year = 1950 + (p % 40);
  const month = String(1 + ((p >> 3) % 12)).padStart(2, '0');
  const day = String(1 + ((p >> 5) % 28)).padStart(2, '0');
  const seq = String(Math.floor(p / 40) % 1000).padStart(3, '0');
  const first17 = `${String(130800 + series).padStart(6, '0')}${year}${month}${day}${seq}`;
  return first17 + residentIdCheckCharacter(first17);
}

export function villageCsv(o: VillageFileOptions): string {
  const lines = [HEADER_ZH];
  const members = o.membersPer ?? 2;
  const plots = o.plotsPer ?? 2;
  const first = o.firstHousehold ?? 1;
  let person = first * members;
  let plot = (first - 1) * plots;
  for (let n = first; n < first + o.households; n += 1) {
    const rows = Math.max(members, plots);
    const dead = o.extinct?.(n) ?? false;
    for (let r = 0; r < rows; r += 1) {
      const head = r === 0;
      const cells: string[] = head
        ? [
            makeContractorCode(o.issuerCode, n),
            `${n}号`,
            makeContractCode(o.issuerCode, n, 'FAMILY'),
            '1998-10-01',
            o.termEnd?.(n) ?? '2028-09-30',
          ]
        : ['', '', '', '', ''];
      if (r < members) {
        person += 1;
        cells.push(
          `成员${n}-${r}`,
          personId(o.personSeries, person),
          r === 0 ? '户主' : r === 1 ? '配偶' : '子女',
          dead ? '否' : '是',
          '否',
          '否',
        );
      } else cells.push('', '', '', '', '', '');
      if (r < plots) {
        plot += 1;
        cells.push(
          makePlotCode(o.issuerCode, plot),
          '东大地',
          '1.5000',
          '1.5200',
          '耕地',
          '是',
          '路',
          '沟',
          '河',
          '林带',
        );
      } else cells.push('', '', '', '', '', '', '', '', '', '');
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function importClient(clients: GrpcClients, port: number) {
  return clients.create(RegisterImportServiceDefinition, `127.0.0.1:${port}`);
}

export function extensionClient(clients: GrpcClients, port: number) {
  return clients.create(ExtensionServiceDefinition, `127.0.0.1:${port}`);
}

/** A valid member-meeting resolution on CONTRACT_EXTENSION. */
export function extensionResolution(documentRef: string) {
  return {
    body: 'COLLECTIVE_RESOLUTION_BODY_MEMBER_MEETING' as const,
    matter: 'CONTRACT_EXTENSION',
    meetingDate: '2025-03-20',
    noticeDate: '2025-03-05',
    totalMembers: 300,
    attending: 260,
    votesFor: 240,
    votesAgainst: 10,
    documentRef,
  };
}
