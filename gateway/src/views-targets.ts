import type { TrackName } from '@pingquan/kit';
import { compareDates, daysBetween, type LocalDate } from '@pingquan/reference';

// The pilot's targets as the plan (../seed/pilot-plan.zh.txt) and DOMAIN.md state them: baselines
// only where the plan gives one, due dates from its 完成时限 or "到2025年" (end of 2025), responsible
// units as listed. Nothing here is a measured value; current values come from the owning service.

export type PilotPhase = 'PREPARATION' | 'EARLY_PILOT' | 'CITY_WIDE_ROLLOUT' | 'SUMMARY' | 'CONCLUDED';

export interface PhasePeriod {
  phase: Exclude<PilotPhase, 'CONCLUDED'>;
  start: LocalDate;
  end: LocalDate;
}

/** The first day the platform answers for: the plan runs from January 2023. */
export const PILOT_START: LocalDate = '2023-01-01';
export const PILOT_END: LocalDate = '2025-12-31';

/**
 * Phases per track (实施步骤). Track A's early pilot runs a year (2023-06 → 2024-06); tracks B and C
 * pilot for half a year and roll out from January 2024.
 */
export const PHASES: Record<TrackName, readonly PhasePeriod[]> = {
  A: [
    { phase: 'PREPARATION', start: PILOT_START, end: '2023-06-30' },
    { phase: 'EARLY_PILOT', start: '2023-07-01', end: '2024-06-30' },
    { phase: 'CITY_WIDE_ROLLOUT', start: '2024-07-01', end: '2025-06-30' },
    { phase: 'SUMMARY', start: '2025-07-01', end: PILOT_END },
  ],
  B: [
    { phase: 'PREPARATION', start: PILOT_START, end: '2023-06-30' },
    { phase: 'EARLY_PILOT', start: '2023-07-01', end: '2023-12-31' },
    { phase: 'CITY_WIDE_ROLLOUT', start: '2024-01-01', end: '2025-06-30' },
    { phase: 'SUMMARY', start: '2025-07-01', end: PILOT_END },
  ],
  C: [
    { phase: 'PREPARATION', start: PILOT_START, end: '2023-06-30' },
    { phase: 'EARLY_PILOT', start: '2023-07-01', end: '2023-12-31' },
    { phase: 'CITY_WIDE_ROLLOUT', start: '2024-01-01', end: '2025-06-30' },
    { phase: 'SUMMARY', start: '2025-07-01', end: PILOT_END },
  ],
};

export function phaseOn(track: TrackName, asOf: LocalDate): PilotPhase {
  for (const p of PHASES[track]) {
    if (compareDates(asOf, p.start) >= 0 && compareDates(asOf, p.end) <= 0) return p.phase;
  }
  return compareDates(asOf, PILOT_END) > 0 ? 'CONCLUDED' : 'PREPARATION';
}

export const TRACK_INFO: Record<TrackName, { name: string; nameZh: string; leadUnits: string[] }> = {
  A: {
    name: "Voluntary, paid transfer and exit of farmers' property rights",
    nameZh: '建立农民农村财产权益自愿有偿转让退出制度',
    leadUnits: ['市农业农村局', '市宅改办'],
  },
  B: {
    name: 'Mortgage and guarantee power of rural property rights',
    nameZh: '完善农村产权抵押担保权能',
    leadUnits: ['市供销社'],
  },
  C: {
    name: 'Integrated urban-rural infrastructure',
    nameZh: '建立城乡基础设施一体化发展体制机制',
    leadUnits: ['市住建局'],
  },
};

/** Which figure of which service measures a target. */
export type TargetMeasure =
  | { service: 'land-contract'; figure: 'extendedShare' | 'certifiedShare' }
  | {
      service: 'homestead' | 'collective-equity' | 'property-mortgage' | 'eco-product' | 'infrastructure';
      figure: string;
    };

export interface TargetSpec {
  id: string;
  track: TrackName;
  title: string;
  titleZh: string;
  /** INDICATOR: a number to reach; MILESTONE: done (1) or not (0). */
  kind: 'INDICATOR' | 'MILESTONE';
  unit: string;
  baseline: number | null;
  baselineDate: LocalDate | null;
  target: number;
  /** When work on the target starts: the phase that begins it. */
  startDate: LocalDate;
  dueDate: LocalDate;
  responsibleUnits: string[];
  /** Where in the plan the target is written. */
  planReference: string;
  measure: TargetMeasure;
}

const END_2025: LocalDate = '2025-12-31';
const EARLY_A: LocalDate = '2023-07-01';
const EARLY_BC: LocalDate = '2023-07-01';

export const TARGETS: readonly TargetSpec[] = [
  {
    id: 'A-EXTENSION-30Y',
    track: 'A',
    title: 'Second-round contracts due for the 30-year extension that have been extended',
    titleZh: '第二轮土地承包到期后再延长三十年',
    kind: 'INDICATOR',
    unit: '%',
    // Nothing could be extended before the pilot began: the extension is this reform.
    baseline: 0,
    baselineDate: '2023-06-30',
    target: 100,
    startDate: EARLY_A,
    dueDate: END_2025,
    responsibleUnits: ['市农业农村局', '市人社局', '市公安局', '各乡镇'],
    planReference: '附件1 二、总体目标；三(一)1',
    measure: { service: 'land-contract', figure: 'extendedShare' },
  },
  {
    id: 'A-CERTIFICATION',
    track: 'A',
    title: 'Contracting households certified (confirmation, registration, certification)',
    titleZh: '承包地确权登记颁证',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 100,
    startDate: PILOT_START,
    dueDate: '2023-12-31',
    responsibleUnits: ['市资规局', '市信访局', '各乡镇'],
    planReference: '附件1 三(一)3',
    measure: { service: 'land-contract', figure: 'certifiedShare' },
  },
  {
    id: 'A-HOMESTEAD-LEDGER',
    track: 'A',
    title: 'Townships keeping a circulation ledger of idle homesteads and houses',
    titleZh: '闲置宅基地及住宅使用权流转台账',
    kind: 'INDICATOR',
    unit: 'townships',
    baseline: null,
    baselineDate: null,
    target: 19,
    startDate: EARLY_A,
    dueDate: END_2025,
    responsibleUnits: ['市宅改办', '市资规局', '市供销社', '各乡镇'],
    planReference: '附件1 三(二)2',
    measure: { service: 'homestead', figure: 'townshipsWithLedger' },
  },
  {
    id: 'A-ASSET-VERIFICATION',
    track: 'A',
    title: 'Assets formed by fiscal funds checked against the ledger (ledger versus physical)',
    titleZh: '财政资金形成资产账实核对',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 100,
    startDate: EARLY_A,
    dueDate: END_2025,
    responsibleUnits: ['市农业农村局', '各乡镇'],
    planReference: '附件1 三(三)1–2',
    measure: { service: 'collective-equity', figure: 'verifiedAssetShare' },
  },
  {
    id: 'A-SHARE-CERTIFICATES',
    track: 'A',
    title: 'Villages whose share certificates were reissued after share quantification',
    titleZh: '折股量化、换发股权证书',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 100,
    startDate: EARLY_A,
    dueDate: END_2025,
    responsibleUnits: ['市农业农村局', '各乡镇'],
    planReference: '附件1 三(三)3',
    measure: { service: 'collective-equity', figure: 'villagesWithReissuedCertificates' },
  },
  {
    id: 'B-COOPERATING-BANKS',
    track: 'B',
    title: 'Cooperating banks designated, with rural property loan products',
    titleZh: '确定合作银行、创新金融产品',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: PILOT_START,
    dueDate: '2023-06-30',
    responsibleUnits: ['人行平泉支行', '合作银行'],
    planReference: '附件2 二(一)2–3',
    measure: { service: 'property-mortgage', figure: 'cooperatingBanksWithProducts' },
  },
  {
    id: 'B-MORTGAGE-REGISTRATION',
    track: 'B',
    title: 'Mortgage registration at the rural property rights exchange centre in operation',
    titleZh: '农村产权抵押登记',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: PILOT_START,
    dueDate: '2023-06-30',
    responsibleUnits: ['市供销社', '市资源规划局', '市农业农村局', '市林草局', '市水务局', '市住建局'],
    planReference: '附件2 二(二)1–2',
    measure: { service: 'property-mortgage', figure: 'registrationInOperation' },
  },
  {
    id: 'B-VALUATION-STANDARDS',
    track: 'B',
    title: 'Valuation standards and benchmark prices published for rural property rights',
    titleZh: '农村产权价值评估标准、基准价格',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: PILOT_START,
    dueDate: '2023-06-30',
    responsibleUnits: ['合作银行', '市供销社', '市资源规划局', '市农业农村局', '市林草局'],
    planReference: '附件2 二(三)1–3',
    measure: { service: 'property-mortgage', figure: 'benchmarkPricesPublished' },
  },
  {
    id: 'B-DISPOSAL-RULES',
    track: 'B',
    title: 'Disposal of mortgaged rights for non-performing loans in place',
    titleZh: '农村产权抵押处置办法',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: EARLY_BC,
    dueDate: '2023-12-31',
    responsibleUnits: ['人行平泉支行', '合作银行', '市供销社', '市资源规划局', '市农业农村局'],
    planReference: '附件2 二(四)1',
    measure: { service: 'property-mortgage', figure: 'disposalRulesInForce' },
  },
  {
    id: 'B-RISK-COMPENSATION',
    track: 'B',
    title: 'Risk compensation fund for mortgage loan losses established',
    titleZh: '风险补偿机制',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: EARLY_BC,
    dueDate: '2023-12-31',
    responsibleUnits: ['市供销社', '市财政局', '合作银行', '合作保险公司', '担保公司'],
    planReference: '附件2 二(四)2',
    measure: { service: 'property-mortgage', figure: 'riskFundEstablished' },
  },
  {
    id: 'B-EXCHANGE-ALL-IN',
    track: 'B',
    title: 'Collective asset transactions certified through the exchange centre',
    titleZh: '农村产权流转交易“应进必进”',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 100,
    startDate: EARLY_BC,
    dueDate: '2025-09-30',
    responsibleUnits: ['市供销社', '市农业农村局'],
    planReference: '附件2 二(二)3',
    measure: { service: 'property-mortgage', figure: 'certifiedCollectiveTransactionShare' },
  },
  {
    id: 'B-NATURAL-RESOURCE-REGISTER',
    track: 'B',
    title: 'Natural resource rights register database built',
    titleZh: '自然资源确权登记数据库',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: EARLY_BC,
    dueDate: '2023-12-31',
    responsibleUnits: ['市发改局', '市供销社', '市资源规划局', '市林草局', '市水务局', '市生态环境局'],
    planReference: '附件2 二(五)1',
    measure: { service: 'eco-product', figure: 'registerBuilt' },
  },
  {
    id: 'B-GEP-ACCOUNTING',
    track: 'B',
    title: 'Gross ecosystem product accounting for the city in place',
    titleZh: '生态产品经济价值核算制度',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: EARLY_BC,
    dueDate: '2023-12-31',
    responsibleUnits: ['市发改局', '市供销社', '市资源规划局', '市林草局', '市水务局', '市生态环境局'],
    planReference: '附件2 二(五)2',
    measure: { service: 'eco-product', figure: 'cityAccountingRun' },
  },
  {
    id: 'B-ECO-PRODUCT-PLEDGE',
    track: 'B',
    title: 'Eco-product rights pledged as loan collateral',
    titleZh: '生态产品抵押担保模式',
    kind: 'MILESTONE',
    unit: 'done',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 1,
    startDate: EARLY_BC,
    dueDate: '2023-12-31',
    responsibleUnits: ['市发改局', '市供销社', '市资源规划局', '市林草局', '市水务局', '市生态环境局'],
    planReference: '附件2 二(五)3',
    measure: { service: 'eco-product', figure: 'pledgeInUse' },
  },
  {
    id: 'C-RURAL-ROADS',
    track: 'C',
    title: 'Rural roads built 2023–2025',
    titleZh: '完成“农村公路”建设',
    kind: 'INDICATOR',
    unit: 'km',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 400,
    startDate: PILOT_START,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(二)1',
    measure: { service: 'infrastructure', figure: 'ruralRoadKmBuilt' },
  },
  {
    id: 'C-URBAN-ROAD-LENGTH',
    track: 'C',
    title: 'Road length in the built-up urban area',
    titleZh: '建成区道路长度',
    kind: 'INDICATOR',
    unit: 'km',
    baseline: 149.6,
    baselineDate: PILOT_START,
    target: 151.2,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '市住建局'],
    planReference: '附件3 四(二)3',
    measure: { service: 'infrastructure', figure: 'urbanRoadKm' },
  },
  {
    id: 'C-ROAD-NETWORK-DENSITY',
    track: 'C',
    title: 'Road network density in the built-up urban area',
    titleZh: '路网密度',
    kind: 'INDICATOR',
    unit: 'km/km²',
    baseline: 8.5,
    baselineDate: PILOT_START,
    target: 8.6,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '市住建局'],
    planReference: '附件3 四(二)3',
    measure: { service: 'infrastructure', figure: 'roadNetworkDensity' },
  },
  {
    id: 'C-TOWNSHIP-GRADE-3-ROADS',
    track: 'C',
    title: 'Townships reached by a grade-3 or better road',
    titleZh: '乡镇通三级及以上公路',
    kind: 'INDICATOR',
    unit: 'townships',
    baseline: null,
    baselineDate: null,
    target: 19,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '各乡镇'],
    planReference: '工作方案 四(三)2',
    measure: { service: 'infrastructure', figure: 'townshipsOnGrade3Road' },
  },
  {
    id: 'C-DUAL-LANE-ROADS',
    track: 'C',
    title: 'Administrative villages over 2,000 people reached by a dual-lane road (连云海村, 碾子沟村)',
    titleZh: '2000人以上行政村通双车道公路',
    kind: 'INDICATOR',
    unit: 'villages',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 2,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(二)1',
    measure: { service: 'infrastructure', figure: 'dualLaneVillages' },
  },
  {
    id: 'C-HARDENED-ROADS',
    track: 'C',
    title: 'Natural villages of 20+ households reached by a hardened road (9 villages in 7 townships)',
    titleZh: '20户以上自然村通硬化路',
    kind: 'INDICATOR',
    unit: 'villages',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 9,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市交通局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(二)1',
    measure: { service: 'infrastructure', figure: 'hardenedRoadNaturalVillages' },
  },
  {
    id: 'C-RURAL-TAP-WATER',
    track: 'C',
    title: 'Rural tap water coverage',
    titleZh: '农村自来水普及率',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 89.3,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市水务局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(三)1',
    measure: { service: 'infrastructure', figure: 'ruralTapWaterCoverage' },
  },
  {
    id: 'C-URBAN-WATER-SUPPLY',
    track: 'C',
    title: 'Urban water supply coverage',
    titleZh: '城市供水普及率',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 98,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市水务局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(三)2',
    measure: { service: 'infrastructure', figure: 'urbanWaterSupplyCoverage' },
  },
  {
    id: 'C-RAIN-SEWAGE-SEPARATION',
    track: 'C',
    title: 'Rain-sewage separation works completed',
    titleZh: '雨污分流改造',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 100,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市水务局', '市住建局', '市生态环境分局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(三)6',
    measure: { service: 'infrastructure', figure: 'rainSewageSeparation' },
  },
  {
    id: 'C-SEWAGE-TREATMENT',
    track: 'C',
    title: 'Sewage treatment rate',
    titleZh: '污水处理率',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 96.5,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市水务局', '市住建局', '市生态环境分局', '市农业农村局', '各乡镇'],
    planReference: '附件3 四(三)6',
    measure: { service: 'infrastructure', figure: 'sewageTreatmentRate' },
  },
  {
    id: 'C-REFUSE-TRANSFER-STATIONS',
    track: 'C',
    title: 'Rural refuse transfer stations upgraded',
    titleZh: '改善提升农村生活垃圾转运站',
    kind: 'INDICATOR',
    unit: 'stations',
    baseline: 0,
    baselineDate: PILOT_START,
    target: 19,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市城管局', '市农业农村局', '市自然资源和规划局', '各乡镇'],
    planReference: '附件3 四(四)1',
    measure: { service: 'infrastructure', figure: 'refuseStationsUpgraded' },
  },
  {
    id: 'C-5G-ON-EXISTING-TOWERS',
    track: 'C',
    title: '5G base stations built on existing towers (the rest by sharing and new sites)',
    titleZh: '5G基站80%在存量铁塔站基础上改造',
    kind: 'INDICATOR',
    unit: '%',
    baseline: null,
    baselineDate: null,
    target: 80,
    startDate: EARLY_BC,
    dueDate: END_2025,
    responsibleUnits: ['市发改局', '市资源规划局', '市通信运输局', '联通公司', '移动公司', '电信公司'],
    planReference: '附件3 四(六)',
    measure: { service: 'infrastructure', figure: 'fiveGOnExistingTowersShare' },
  },
];

export type TargetStatus = 'ON_TRACK' | 'AT_RISK' | 'OVERDUE' | 'ACHIEVED' | 'NO_DATA';

/** How far progress may lag the expected progress before a target is at risk. */
export const AT_RISK_LAG = 0.1;

/** The rule in words, returned with every overview so that readers can check a status by hand. */
export const STATUS_RULE =
  'gateway target-status rule v1: NO_DATA when the owning service gives no value; ACHIEVED when the value ' +
  'reaches the target; OVERDUE when the as-of date is past the due date; otherwise progress ' +
  '(value − baseline) / (target − baseline) — value / target without a baseline — is compared with the ' +
  'expected progress, which grows linearly from the start date to the end of the city-wide roll-out ' +
  'phase or the due date, whichever is earlier (the summary phase is for acceptance); AT_RISK when it ' +
  `lags by more than ${AT_RISK_LAG * 100} percentage points, else ON_TRACK.`;

export interface TargetEvaluation {
  status: TargetStatus;
  progress: number | null;
  expectedProgress: number;
  daysOverdue: number | null;
  daysRemaining: number | null;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export function expectedProgress(spec: TargetSpec, asOf: LocalDate): number {
  const rolloutEnd = PHASES[spec.track].find((p) => p.phase === 'CITY_WIDE_ROLLOUT')?.end ?? spec.dueDate;
  const end = compareDates(rolloutEnd, spec.dueDate) < 0 ? rolloutEnd : spec.dueDate;
  const span = daysBetween(spec.startDate, end);
  if (span <= 0) return compareDates(asOf, end) >= 0 ? 1 : 0;
  return clamp01(daysBetween(spec.startDate, asOf) / span);
}

export function progressOf(spec: TargetSpec, value: number): number {
  if (spec.baseline === null) return spec.target === 0 ? 1 : value / spec.target;
  const span = spec.target - spec.baseline;
  return span === 0 ? 1 : (value - spec.baseline) / span;
}

export function evaluateTarget(spec: TargetSpec, value: number | null, asOf: LocalDate): TargetEvaluation {
  const expected = expectedProgress(spec, asOf);
  const pastDue = compareDates(asOf, spec.dueDate) > 0;
  const daysOverdue = pastDue ? daysBetween(spec.dueDate, asOf) : null;
  const daysRemaining = pastDue ? null : daysBetween(asOf, spec.dueDate);
  if (value === null) {
    return { status: 'NO_DATA', progress: null, expectedProgress: expected, daysOverdue, daysRemaining };
  }
  const progress = progressOf(spec, value);
  const base = { progress, expectedProgress: expected, daysOverdue, daysRemaining };
  if (progress >= 1) return { ...base, status: 'ACHIEVED', daysOverdue: null };
  if (pastDue) return { ...base, status: 'OVERDUE' };
  if (progress < expected - AT_RISK_LAG) return { ...base, status: 'AT_RISK' };
  return { ...base, status: 'ON_TRACK' };
}
