import { isLocalDate, type LocalDate, parseMu } from '@pingquan/reference';
import type { Household, LandClass, Member, MemberRelation, Plot, PovertyFlag } from '../domain/model.js';

// Reading a village register file: CSV records → household blocks, with the spreadsheet row and
// column of every value kept so each refusal can point at a cell. No I/O and no register lookups
// here; the import use case checks the blocks against the domain rules and the database.

/** One problem at one cell (row 0 = the whole file, column '' = the whole row). */
export interface RowError {
  row: number;
  column: string;
  rule: string;
  message: string;
}

/** The columns of the layout; each has a Chinese and an English header (see docs/register-import.md). */
export type ColumnKey =
  | 'contractor_code'
  | 'address'
  | 'contract_code'
  | 'term_start'
  | 'term_end'
  | 'second_round_end'
  | 'adjustment_forbidden'
  | 'member_name'
  | 'resident_id'
  | 'relation'
  | 'alive'
  | 'deceased_on'
  | 'moved_to_town'
  | 'lifted_out_of_poverty'
  | 'poverty_monitoring'
  | 'plot_code'
  | 'plot_name'
  | 'contract_area_mu'
  | 'surveyed_area_mu'
  | 'land_class'
  | 'basic_farmland'
  | 'boundary_east'
  | 'boundary_south'
  | 'boundary_west'
  | 'boundary_north';

interface ColumnSpec {
  key: ColumnKey;
  /** The header written in the example file and the template. */
  zh: string;
  /** Other Chinese spellings clerks use for the same column. */
  zhAliases?: readonly string[];
  required: boolean;
  /** Which part of a household block the column describes. */
  part: 'household' | 'member' | 'plot';
}

export const COLUMNS: readonly ColumnSpec[] = [
  { key: 'contractor_code', zh: '承包方编码', required: true, part: 'household' },
  { key: 'address', zh: '承包方地址', zhAliases: ['地址'], required: false, part: 'household' },
  {
    key: 'contract_code',
    zh: '合同编码',
    zhAliases: ['承包合同编码', '承包合同代码'],
    required: true,
    part: 'household',
  },
  { key: 'term_start', zh: '承包起始日期', zhAliases: ['承包期限起'], required: true, part: 'household' },
  { key: 'term_end', zh: '承包终止日期', zhAliases: ['承包期限止'], required: true, part: 'household' },
  { key: 'second_round_end', zh: '二轮承包到期日', required: false, part: 'household' },
  { key: 'adjustment_forbidden', zh: '约定不得调整', required: false, part: 'household' },
  { key: 'member_name', zh: '成员姓名', zhAliases: ['姓名'], required: true, part: 'member' },
  {
    key: 'resident_id',
    zh: '身份证号',
    zhAliases: ['身份证号码', '证件号码'],
    required: true,
    part: 'member',
  },
  { key: 'relation', zh: '与户主关系', required: true, part: 'member' },
  { key: 'alive', zh: '是否健在', required: false, part: 'member' },
  { key: 'deceased_on', zh: '死亡日期', required: false, part: 'member' },
  { key: 'moved_to_town', zh: '进城落户', required: false, part: 'member' },
  { key: 'lifted_out_of_poverty', zh: '脱贫人口', required: false, part: 'member' },
  { key: 'poverty_monitoring', zh: '防返贫监测对象', required: false, part: 'member' },
  { key: 'plot_code', zh: '地块编码', required: true, part: 'plot' },
  { key: 'plot_name', zh: '地块名称', required: true, part: 'plot' },
  { key: 'contract_area_mu', zh: '合同面积(亩)', zhAliases: ['合同面积'], required: true, part: 'plot' },
  { key: 'surveyed_area_mu', zh: '实测面积(亩)', zhAliases: ['实测面积'], required: true, part: 'plot' },
  { key: 'land_class', zh: '土地类别', zhAliases: ['地类'], required: true, part: 'plot' },
  { key: 'basic_farmland', zh: '是否基本农田', required: true, part: 'plot' },
  { key: 'boundary_east', zh: '东至', required: true, part: 'plot' },
  { key: 'boundary_south', zh: '南至', required: true, part: 'plot' },
  { key: 'boundary_west', zh: '西至', required: true, part: 'plot' },
  { key: 'boundary_north', zh: '北至', required: true, part: 'plot' },
];

/** Header text as compared: full-width brackets made ASCII, blanks dropped, English lower-cased. */
function normaliseHeader(text: string): string {
  return text.replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '').toLowerCase();
}

interface HeaderMatch {
  key: ColumnKey;
  language: 'zh' | 'en';
}

const HEADER_INDEX: ReadonlyMap<string, HeaderMatch> = new Map<string, HeaderMatch>(
  COLUMNS.flatMap((c): [string, HeaderMatch][] => [
    [normaliseHeader(c.key), { key: c.key, language: 'en' }],
    [normaliseHeader(c.zh), { key: c.key, language: 'zh' }],
    ...(c.zhAliases ?? []).map((a): [string, HeaderMatch] => [
      normaliseHeader(a),
      { key: c.key, language: 'zh' },
    ]),
  ]),
);

/** The file's header line in the language of the file, for messages and the template. */
export function headerLine(language: 'zh' | 'en'): string {
  return COLUMNS.map((c) => (language === 'zh' ? c.zh : c.key)).join(',');
}

/**
 * RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks; CRLF or LF ends a
 * record. Returns the records with their 1-based spreadsheet row (record index, not text line).
 */
export function parseCsvRecords(text: string): { records: string[][]; error?: RowError } {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (quoted) {
      if (ch === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      const next = text.indexOf('"', i);
      if (next === -1) {
        return {
          records,
          error: {
            row: records.length + 1,
            column: '',
            rule: 'CSV_UNTERMINATED_QUOTE',
            message: 'A quoted cell is never closed; the file is cut off or a quote is stray.',
          },
        };
      }
      cell += text.slice(i, next);
      i = next;
      continue;
    }
    if (ch === 34 && cell === '') {
      quoted = true;
      i += 1;
    } else if (ch === 44 /* , */) {
      record.push(cell);
      cell = '';
      i += 1;
    } else if (ch === 13 || ch === 10) {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += ch === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      // Plain run up to the next delimiter, copied at once rather than char by char.
      let j = i + 1;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 13 || c === 10) break;
        j += 1;
      }
      cell += text.slice(i, j);
      i = j;
    }
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return { records };
}

/** A value of a block with the cell it came from. */
interface Located {
  row: number;
}

export interface MemberLine extends Located {
  member: Member;
}

export interface PlotLine extends Located {
  plot: Plot;
}

/** One household of the file: its rows, its members and plots, and its contract's terms. */
export interface HouseholdBlock {
  /** Row of the block's first line: household and contract values are reported there. */
  row: number;
  household: Omit<Household, 'id' | 'members'>;
  address: string;
  contractCode: string;
  termStart: LocalDate;
  termEnd: LocalDate;
  secondRoundEnd?: LocalDate;
  adjustmentForbidden: boolean;
  members: MemberLine[];
  plots: PlotLine[];
}

export interface ParsedRegister {
  language: 'zh' | 'en';
  /** Header text as written, per column key present. */
  headers: Partial<Record<ColumnKey, string>>;
  blocks: HouseholdBlock[];
  rows: number;
  errors: RowError[];
}

const TRUE_WORDS = new Set(['是', '有', 'y', 'yes', 'true', '1', '√']);
const FALSE_WORDS = new Set(['否', '无', 'n', 'no', 'false', '0', '']);

const RELATIONS: ReadonlyMap<string, MemberRelation> = new Map<string, MemberRelation>([
  ...(['户主', '本人', 'head'] as const).map((w) => [w, 'HEAD'] as const),
  ...(['配偶', '妻', '妻子', '夫', '丈夫', 'spouse'] as const).map((w) => [w, 'SPOUSE'] as const),
  ...(
    [
      '子女',
      '子',
      '女',
      '儿子',
      '女儿',
      '长子',
      '次子',
      '三子',
      '长女',
      '次女',
      '三女',
      '养子',
      '养女',
      'child',
    ] as const
  ).map((w) => [w, 'CHILD'] as const),
  ...(['父母', '父亲', '母亲', '父', '母', 'parent'] as const).map((w) => [w, 'PARENT'] as const),
  ...(['孙子女', '孙子', '孙女', '外孙', '外孙女', 'grandchild'] as const).map(
    (w) => [w, 'GRANDCHILD'] as const,
  ),
  ...(['祖父母', '祖父', '祖母', '外祖父', '外祖母', 'grandparent'] as const).map(
    (w) => [w, 'GRANDPARENT'] as const,
  ),
  ...(['兄弟姐妹', '兄', '弟', '姐', '妹', '哥哥', '弟弟', '姐姐', '妹妹', 'sibling'] as const).map(
    (w) => [w, 'SIBLING'] as const,
  ),
  ...(['其他', '儿媳', '女婿', 'other'] as const).map((w) => [w, 'OTHER'] as const),
]);

const LAND_CLASS_WORDS: ReadonlyMap<string, LandClass> = new Map<string, LandClass>([
  ['耕地', 'CULTIVATED'],
  ['园地', 'GARDEN'],
  ['林地', 'FOREST'],
  ['草地', 'GRASS'],
  ['其他', 'OTHER'],
  ['cultivated', 'CULTIVATED'],
  ['garden', 'GARDEN'],
  ['forest', 'FOREST'],
  ['grass', 'GRASS'],
  ['other', 'OTHER'],
]);

/**
 * Spreadsheets save dates as 2028/9/30 or 2028年9月30日 as often as 2028-09-30; all mean the same day.
 * Returns undefined when the text is no real date.
 */
export function normaliseDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const date = `${m[1]}-${(m[2] ?? '').padStart(2, '0')}-${(m[3] ?? '').padStart(2, '0')}`;
  return isLocalDate(date) ? date : undefined;
}

/** Excel shows long numbers as 1.30881E+17 and saves them so: the digits are lost, not mistyped. */
const SCIENTIFIC = /^\d(\.\d+)?e\+\d+$/i;

const MAX_ERRORS_COLLECTED = 10_000;

/**
 * Reads the file into household blocks. Layout (the clerk's ledger with merged cells, saved as CSV):
 * a household is a block of consecutive rows; household and contract columns are filled on its
 * first row and blank (or repeated) below; member columns list one member per row and plot columns
 * one plot per row, side by side, so a block has as many rows as it has members or plots, whichever
 * is more.
 */
export function readRegisterCsv(text: string): ParsedRegister {
  const errors: RowError[] = [];
  const push = (e: RowError) => {
    if (errors.length < MAX_ERRORS_COLLECTED) errors.push(e);
  };
  const { records, error } = parseCsvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (error) push(error);
  const empty: ParsedRegister = { language: 'zh', headers: {}, blocks: [], rows: 0, errors };
  const header = records[0];
  if (!header || header.every((h) => h.trim() === '')) {
    push({
      row: 1,
      column: '',
      rule: 'CSV_HEADER_MISSING',
      message: `The first row must name the columns, e.g. ${headerLine('zh')}.`,
    });
    return empty;
  }

  const byKey = new Map<ColumnKey, number>();
  const headers: Partial<Record<ColumnKey, string>> = {};
  let zh = 0;
  let en = 0;
  header.forEach((raw, index) => {
    const text = raw.trim();
    if (text === '') return;
    const found = HEADER_INDEX.get(normaliseHeader(text));
    if (!found) {
      push({
        row: 1,
        column: text,
        rule: 'CSV_HEADER_UNKNOWN',
        message: `'${text}' is not a column of the register layout.`,
      });
      return;
    }
    if (byKey.has(found.key)) {
      push({
        row: 1,
        column: text,
        rule: 'CSV_HEADER_DUPLICATE',
        message: `The column ${found.key} appears twice.`,
      });
      return;
    }
    byKey.set(found.key, index);
    headers[found.key] = text;
    if (found.language === 'zh') zh += 1;
    else en += 1;
  });
  const language = en > zh ? 'en' : 'zh';
  for (const c of COLUMNS) {
    if (c.required && !byKey.has(c.key)) {
      push({
        row: 1,
        column: language === 'zh' ? c.zh : c.key,
        rule: 'CSV_COLUMN_MISSING',
        message: `The column ${language === 'zh' ? c.zh : c.key} is required.`,
      });
    }
  }
  if (errors.length > 0) return { ...empty, language, headers };

  const columnName = (key: ColumnKey) =>
    headers[key] ?? (language === 'zh' ? (COLUMNS.find((c) => c.key === key)?.zh ?? key) : key);
  const blocks: HouseholdBlock[] = [];
  const seenHouseholds = new Map<string, number>();
  let current: HouseholdBlock | undefined;
  let rows = 0;

  for (let r = 1; r < records.length; r += 1) {
    const record = records[r] ?? [];
    const row = r + 1;
    if (record.every((cell) => cell.trim() === '')) continue;
    rows += 1;
    const cell = (key: ColumnKey): string => {
      const index = byKey.get(key);
      return index === undefined ? '' : (record[index] ?? '').trim();
    };
    const err = (key: ColumnKey | '', rule: string, message: string) =>
      push({ row, column: key === '' ? '' : columnName(key), rule, message });
    if (record.length > header.length && record.slice(header.length).some((c) => c.trim() !== '')) {
      err(
        '',
        'CSV_ROW_TOO_LONG',
        `The row has ${record.length} cells but the header names ${header.length} columns.`,
      );
    }
    for (const [key] of byKey) {
      if (SCIENTIFIC.test(cell(key))) {
        err(
          key,
          'CELL_SCIENTIFIC_NOTATION',
          `'${cell(key)}' is a number the spreadsheet shortened; format the column as text and export again.`,
        );
      }
    }

    const code = cell('contractor_code');
    if (code !== '' && code !== current?.household.code) {
      const earlier = seenHouseholds.get(code);
      if (earlier !== undefined) {
        err(
          'contractor_code',
          'HOUSEHOLD_ROWS_NOT_TOGETHER',
          `Household ${code} already appeared at row ${earlier}; keep a household's rows together.`,
        );
      }
      seenHouseholds.set(code, row);
      current = startBlock(code, row, cell, err);
      blocks.push(current);
    } else if (!current) {
      err(
        'contractor_code',
        'ROW_OUTSIDE_HOUSEHOLD',
        'The first row of a household gives its contractor code.',
      );
      continue;
    } else {
      checkContinuation(current, cell, err);
    }

    const hasMember = COLUMNS.some((c) => c.part === 'member' && cell(c.key) !== '');
    const hasPlot = COLUMNS.some((c) => c.part === 'plot' && cell(c.key) !== '');
    if (hasMember) current.members.push({ row, member: readMember(cell, err) });
    if (hasPlot) current.plots.push({ row, plot: readPlot(cell, err) });
    if (!hasMember && !hasPlot && code === '') {
      err('', 'ROW_EMPTY', 'The row names neither a member nor a plot.');
    }
  }
  if (rows === 0)
    push({ row: 0, column: '', rule: 'CSV_NO_RECORDS', message: 'The file has a header but no households.' });
  return { language, headers, blocks, rows, errors };
}

type Cell = (key: ColumnKey) => string;
type Err = (key: ColumnKey | '', rule: string, message: string) => void;

function readBool(cell: Cell, key: ColumnKey, err: Err, fallback: boolean): boolean {
  const text = cell(key).toLowerCase();
  if (text === '') return fallback;
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  err(key, 'CELL_NOT_YES_NO', `'${cell(key)}' is not 是/否 (yes/no).`);
  return fallback;
}

function readDate(cell: Cell, key: ColumnKey, err: Err, required: boolean): LocalDate | undefined {
  const text = cell(key);
  if (text === '') {
    if (required) err(key, 'DATE_REQUIRED', 'The date is required.');
    return undefined;
  }
  const date = normaliseDate(text);
  if (date === undefined)
    err(key, 'DATE_INVALID', `'${text}' is not a real calendar date (e.g. 2028-09-30).`);
  return date;
}

function startBlock(code: string, row: number, cell: Cell, err: Err): HouseholdBlock {
  const contractCode = cell('contract_code');
  if (contractCode === '')
    err('contract_code', 'CONTRACT_CODE_REQUIRED', 'The first row of a household gives its contract code.');
  const termStart = readDate(cell, 'term_start', err, true);
  const termEnd = readDate(cell, 'term_end', err, true);
  const secondRoundEnd = readDate(cell, 'second_round_end', err, false);
  return {
    row,
    household: { code, issuerCode: code.slice(0, 14) },
    address: cell('address'),
    contractCode,
    // An unreadable date is reported above; a placeholder keeps the domain checks running.
    termStart: termStart ?? '0000-00-00',
    termEnd: termEnd ?? '0000-00-00',
    ...(secondRoundEnd ? { secondRoundEnd } : {}),
    adjustmentForbidden: readBool(cell, 'adjustment_forbidden', err, false),
    members: [],
    plots: [],
  };
}

// Continuation rows of a block: unmerged cells are either left blank or repeat the first row's value.
function checkContinuation(block: HouseholdBlock, cell: Cell, err: Err): void {
  const same: [ColumnKey, string][] = [
    ['contract_code', block.contractCode],
    ['address', block.address],
  ];
  for (const [key, value] of same) {
    const text = cell(key);
    if (text !== '' && text !== value) {
      err(
        key,
        'HOUSEHOLD_CELLS_DISAGREE',
        `'${text}' differs from '${value}' on the household's first row (row ${block.row}).`,
      );
    }
  }
  for (const [key, value] of [
    ['term_start', block.termStart],
    ['term_end', block.termEnd],
    ['second_round_end', block.secondRoundEnd ?? ''],
  ] as const) {
    const text = cell(key);
    if (text === '') continue;
    const date = normaliseDate(text);
    if (date === undefined) {
      err(key, 'DATE_INVALID', `'${text}' is not a real calendar date (e.g. 2028-09-30).`);
    } else if (date !== value) {
      err(
        key,
        'HOUSEHOLD_CELLS_DISAGREE',
        `'${text}' differs from ${value || 'the empty value'} on the household's first row (row ${block.row}).`,
      );
    }
  }
}

function readMember(cell: Cell, err: Err): Member {
  const relationText = cell('relation');
  const relation = RELATIONS.get(relationText.toLowerCase());
  if (!relation) {
    err(
      'relation',
      relationText === '' ? 'RELATION_REQUIRED' : 'RELATION_UNKNOWN',
      `'${relationText}' is not a relation to the head (户主, 配偶, 子女, 父母, 孙子女, 祖父母, 兄弟姐妹, 其他).`,
    );
  }
  const alive = readBool(cell, 'alive', err, true);
  const deceasedOn = readDate(cell, 'deceased_on', err, false);
  const flags: PovertyFlag[] = [];
  if (readBool(cell, 'lifted_out_of_poverty', err, false)) flags.push('LIFTED_OUT_OF_POVERTY');
  if (readBool(cell, 'poverty_monitoring', err, false)) flags.push('RETURN_TO_POVERTY_MONITORING');
  return {
    residentId: cell('resident_id').toUpperCase(),
    name: cell('member_name'),
    relation: relation ?? 'OTHER',
    alive,
    ...(deceasedOn ? { deceasedOn } : {}),
    movedToTown: readBool(cell, 'moved_to_town', err, false),
    povertyFlags: flags,
  };
}

function readArea(cell: Cell, key: ColumnKey, err: Err): number {
  const text = cell(key);
  if (text === '') {
    err(key, 'AREA_REQUIRED', 'The area in mu is required.');
    return 0;
  }
  const parsed = parseMu(text, key);
  if (!parsed.ok) {
    for (const v of parsed.violations) err(key, v.rule, v.message);
    return 0;
  }
  return parsed.value;
}

function readPlot(cell: Cell, err: Err): Plot {
  const classText = cell('land_class');
  const landClass = LAND_CLASS_WORDS.get(classText.toLowerCase());
  if (!landClass) {
    err(
      'land_class',
      classText === '' ? 'LAND_CLASS_REQUIRED' : 'LAND_CLASS_UNKNOWN',
      `'${classText}' is not a land class (耕地, 园地, 林地, 草地, 其他).`,
    );
  }
  return {
    code: cell('plot_code'),
    name: cell('plot_name'),
    contractAreaMu4: readArea(cell, 'contract_area_mu', err),
    surveyedAreaMu4: readArea(cell, 'surveyed_area_mu', err),
    landClass: landClass ?? 'OTHER',
    basicFarmland: readBool(cell, 'basic_farmland', err, false),
    boundaries: {
      east: cell('boundary_east'),
      south: cell('boundary_south'),
      west: cell('boundary_west'),
      north: cell('boundary_north'),
    },
  };
}

/**
 * Where a domain violation points in the file: `household.members[2].residentId` is the resident ID
 * cell of the block's third member; `plots[0].contractAreaMu4` the contract-area cell of its first
 * plot; anything about the household or the contract as a whole is its first row.
 */
export function locateField(block: HouseholdBlock, field: string): { row: number; key: ColumnKey | '' } {
  const member = /members\[(\d+)\]\.?(\w*)/.exec(field);
  if (member) {
    const line = block.members[Number(member[1])];
    const key: Record<string, ColumnKey> = {
      residentId: 'resident_id',
      name: 'member_name',
      deceasedOn: 'deceased_on',
      relation: 'relation',
    };
    return { row: line?.row ?? block.row, key: key[member[2] ?? ''] ?? 'member_name' };
  }
  const plot = /plots\[(\d+)\]\.?([\w.]*)/.exec(field);
  if (plot) {
    const line = block.plots[Number(plot[1])];
    const key: Record<string, ColumnKey> = {
      code: 'plot_code',
      name: 'plot_name',
      contractAreaMu4: 'contract_area_mu',
      surveyedAreaMu4: 'surveyed_area_mu',
      landClass: 'land_class',
      'boundaries.east': 'boundary_east',
      'boundaries.south': 'boundary_south',
      'boundaries.west': 'boundary_west',
      'boundaries.north': 'boundary_north',
    };
    return { row: line?.row ?? block.row, key: key[plot[2] ?? ''] ?? 'plot_code' };
  }
  if (field.endsWith('members')) return { row: block.members[0]?.row ?? block.row, key: 'relation' };
  if (field === 'plots') return { row: block.plots[0]?.row ?? block.row, key: 'plot_code' };
  const top: Record<string, ColumnKey> = {
    'household.code': 'contractor_code',
    code: 'contract_code',
    issuerCode: 'contract_code',
    householdId: 'contract_code',
    mode: 'contract_code',
    status: 'contract_code',
    termStart: 'term_start',
    termEnd: 'term_end',
    secondRoundEnd: 'second_round_end',
  };
  return { row: block.row, key: top[field] ?? '' };
}
