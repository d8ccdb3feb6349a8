import {
  type Checked,
  checkResolution,
  collect,
  compareDates,
  isLocalDate,
  type LocalDate,
  type Mu4,
  type Resolution,
  type RuleViolation,
  violation,
} from '@pingquan/reference';
import { checkInForce } from './contract-rules.js';
import { checkNotEncumbered } from './encumbrance.js';
import type { Contract, Encumbrance, LandClass, Plot, RecordedAct } from './model.js';
import type { PolicyVersion } from './policy.js';
import { duplicates, sumMu4 } from './term.js';

/**
 * 特殊情形 — the only grounds for an individual adjustment within the term (LCL Art 28): severe
 * damage by natural disaster, land taken by requisition, or another special case the meeting names.
 */
export type AdjustmentReason = 'SEVERE_DISASTER_DAMAGE' | 'LAND_REQUISITION' | 'OTHER_SPECIAL';

export const ADJUSTMENT_REASONS: readonly AdjustmentReason[] = [
  'SEVERE_DISASTER_DAMAGE',
  'LAND_REQUISITION',
  'OTHER_SPECIAL',
];

/**
 * Where added land comes from. The first three are the sources the law names first (LCL Art 29):
 * 机动地 reserve land, 依法开垦 newly reclaimed land, 依法收回/自愿交回 returned land. Land taken from
 * another household's contract is the last resort.
 */
export type AdjustmentSource = 'RESERVE_LAND' | 'NEWLY_RECLAIMED' | 'RETURNED' | 'OTHER_HOUSEHOLD';

export const PRIORITY_SOURCES: readonly AdjustmentSource[] = ['RESERVE_LAND', 'NEWLY_RECLAIMED', 'RETURNED'];

/** 耕地和草地: the only land classes an individual adjustment may touch — never forest land. */
export const ADJUSTABLE_LAND_CLASSES: readonly LandClass[] = ['CULTIVATED', 'GRASS'];

/**
 * 大稳定、小调整 — how many households one issuer's adjustment may touch before it looks like a
 * redivision (打乱重分). Pilot counties adjusted 0.9–6.7 % of households; both bounds are policy.
 */
export interface AdjustmentPolicy extends PolicyVersion {
  /** Above this share of the issuer's households (basis points) the plan is flagged with a warning. */
  warnAboveBasisPoints: number;
  /** Above this share it is refused as a redivision in disguise. */
  refuseAboveBasisPoints: number;
}

export const DEFAULT_ADJUSTMENT_POLICY: AdjustmentPolicy = {
  version: 'adjustment-default-1',
  effectiveFrom: '2023-06-01',
  warnAboveBasisPoints: 670,
  refuseAboveBasisPoints: 2_000,
};

export interface AddedPlot {
  plot: Plot;
  source: AdjustmentSource;
}

/** One household's change: plots taken off its contract, plots added to it. */
export interface AdjustmentItem {
  contract: Contract;
  removePlotCodes: readonly string[];
  addPlots: readonly AddedPlot[];
}

export interface PlotAdjustmentRequest {
  issuerCode: string;
  reason: AdjustmentReason;
  /** What happened (e.g. "2024-07 flood destroyed the river terraces"); required for OTHER_SPECIAL. */
  reasonNote: string;
  date: LocalDate;
  items: readonly AdjustmentItem[];
  resolution?: Resolution;
  townshipApproval?: RecordedAct;
  cityApproval?: RecordedAct;
  /** Households holding contracts of the issuer, for the share that marks a redivision. */
  issuerHouseholdCount: number;
  /** Reserve, newly reclaimed and returned land the issuer has free now. */
  prioritySourceAvailableMu4: Mu4;
  encumbrances: readonly Encumbrance[];
}

/** 个别调地 amendment, written into contract, register and certificate alike. */
export interface PlotAdjustmentAmendment {
  kind: 'PLOT_ADJUSTMENT';
  contractId: string;
  reason: AdjustmentReason;
  reasonNote: string;
  removedPlotCodes: readonly string[];
  addedPlots: readonly { code: string; areaMu4: Mu4; source: AdjustmentSource }[];
  resolutionRef: string;
  townshipApprovalRef: string;
  cityApprovalRef: string;
  recordIn: readonly ['CONTRACT', 'REGISTER', 'CERTIFICATE'];
}

export interface AdjustmentPlan {
  contracts: Contract[];
  amendments: PlotAdjustmentAmendment[];
  affectedHouseholds: number;
  /** Affected households as a share of the issuer's, in basis points, rounded down. */
  shareBasisPoints: number;
  /** Accepted, but worth a second look (e.g. `ADJUSTMENT_SHARE_HIGH`). */
  warnings: RuleViolation[];
  policyVersion: string;
}

/**
 * Checks an individual adjustment and plans its amendments: a special ground, cultivated land and
 * grassland only, not where the contract forbids it, priority sources first, a valid member-meeting
 * resolution then township and city approval in that order, and few enough households that it is
 * not a redivision.
 */
export function planPlotAdjustment(
  req: PlotAdjustmentRequest,
  policy: AdjustmentPolicy = DEFAULT_ADJUSTMENT_POLICY,
): Checked<AdjustmentPlan> {
  const v: RuleViolation[] = [];
  const warnings: RuleViolation[] = [];

  if (!ADJUSTMENT_REASONS.includes(req.reason)) {
    v.push(
      violation(
        'ADJUSTMENT_REASON_NOT_SPECIAL',
        'reason',
        `Land is adjusted within the term only for ${ADJUSTMENT_REASONS.join(', ')}; '${req.reason}' is not one.`,
      ),
    );
  }
  if (req.reason === 'OTHER_SPECIAL' && req.reasonNote.trim() === '') {
    v.push(violation('ADJUSTMENT_REASON_NOTE_REQUIRED', 'reasonNote', 'Describe the special case.'));
  }
  if (req.items.length === 0) {
    v.push(
      violation('ADJUSTMENT_HAS_NO_ITEMS', 'items', 'An adjustment changes at least one household’s land.'),
    );
  }
  if (!isLocalDate(req.date)) {
    v.push(violation('DATE_INVALID', 'date', `'${req.date}' is not a YYYY-MM-DD date.`));
    return { ok: false, violations: v };
  }

  const removedCodes = new Set(req.items.flatMap((i) => i.removePlotCodes));
  req.items.forEach((item, i) => {
    v.push(...checkItem(item, `items[${i}]`, req, removedCodes));
  });
  for (const code of duplicates(req.items.flatMap((i) => i.addPlots.map((a) => a.plot.code)))) {
    v.push(violation('PLOT_CODE_DUPLICATE', 'items', `Plot ${code} is given to more than one household.`));
  }
  for (const code of duplicates(req.items.flatMap((i) => i.removePlotCodes))) {
    v.push(violation('PLOT_CODE_DUPLICATE', 'items', `Plot ${code} is taken off more than once.`));
  }
  v.push(...checkSources(req));
  v.push(...checkAuthority(req));

  const households = new Set(req.items.map((i) => i.contract.householdId));
  const affected = households.size;
  let shareBasisPoints = 0;
  if (!Number.isSafeInteger(req.issuerHouseholdCount) || req.issuerHouseholdCount < Math.max(1, affected)) {
    v.push(
      violation(
        'ADJUSTMENT_HOUSEHOLD_COUNT_INVALID',
        'issuerHouseholdCount',
        `The issuer's household count (${req.issuerHouseholdCount}) must be a whole number no smaller than the ${affected} households adjusted.`,
      ),
    );
  } else {
    // Integer comparison: a share just over the bound is never rounded back under it.
    shareBasisPoints = Math.floor((affected * 10_000) / req.issuerHouseholdCount);
    if (affected * 10_000 > req.issuerHouseholdCount * policy.refuseAboveBasisPoints) {
      v.push(
        violation(
          'ADJUSTMENT_AMOUNTS_TO_REDIVISION',
          'items',
          `${affected} of ${req.issuerHouseholdCount} households is more than ${policy.refuseAboveBasisPoints / 100}% — a redivision (打乱重分), which is not allowed.`,
        ),
      );
    } else if (affected * 10_000 > req.issuerHouseholdCount * policy.warnAboveBasisPoints) {
      warnings.push(
        violation(
          'ADJUSTMENT_SHARE_HIGH',
          'items',
          `${affected} of ${req.issuerHouseholdCount} households is more than ${policy.warnAboveBasisPoints / 100}%; pilot counties stayed within 0.9–6.7%.`,
        ),
      );
    }
  }

  const contracts = req.items.map((item) => ({
    ...item.contract,
    plots: [
      ...item.contract.plots.filter((p) => !item.removePlotCodes.includes(p.code)),
      ...item.addPlots.map((a) => a.plot),
    ],
  }));
  const amendments = req.items.map(
    (item): PlotAdjustmentAmendment => ({
      kind: 'PLOT_ADJUSTMENT',
      contractId: item.contract.id,
      reason: req.reason,
      reasonNote: req.reasonNote,
      removedPlotCodes: item.removePlotCodes,
      addedPlots: item.addPlots.map((a) => ({
        code: a.plot.code,
        areaMu4: a.plot.contractAreaMu4,
        source: a.source,
      })),
      resolutionRef: req.resolution?.documentRef ?? '',
      townshipApprovalRef: req.townshipApproval?.reference ?? '',
      cityApprovalRef: req.cityApproval?.reference ?? '',
      recordIn: ['CONTRACT', 'REGISTER', 'CERTIFICATE'],
    }),
  );
  return collect(v, {
    contracts,
    amendments,
    affectedHouseholds: affected,
    shareBasisPoints,
    warnings,
    policyVersion: policy.version,
  });
}

function checkLandClass(plot: Pick<Plot, 'code' | 'landClass'>, field: string): RuleViolation[] {
  if (ADJUSTABLE_LAND_CLASSES.includes(plot.landClass)) return [];
  return [
    violation(
      'ADJUSTMENT_LAND_CLASS_NOT_ALLOWED',
      field,
      `Plot ${plot.code} is ${plot.landClass}; only cultivated land and grassland may be adjusted${plot.landClass === 'FOREST' ? ', never forest land' : ''}.`,
    ),
  ];
}

function checkItem(
  item: AdjustmentItem,
  path: string,
  req: PlotAdjustmentRequest,
  removedCodes: ReadonlySet<string>,
): RuleViolation[] {
  const { contract } = item;
  const v: RuleViolation[] = [];
  if (contract.issuerCode !== req.issuerCode) {
    v.push(
      violation(
        'ADJUSTMENT_OUTSIDE_ISSUER',
        `${path}.contract`,
        `Contract ${contract.code} belongs to issuer ${contract.issuerCode}, not ${req.issuerCode}.`,
      ),
    );
  }
  if (contract.mode !== 'FAMILY') {
    v.push(
      violation(
        'ADJUSTMENT_FAMILY_CONTRACT_ONLY',
        `${path}.contract.mode`,
        'Individual adjustment concerns family contracts.',
      ),
    );
  }
  if (contract.adjustmentForbidden) {
    v.push(
      violation(
        'ADJUSTMENT_FORBIDDEN_BY_CONTRACT',
        `${path}.contract`,
        `Contract ${contract.code} stipulates that its land is not adjusted (承包合同约定不得调整).`,
      ),
    );
  }
  v.push(...checkInForce(contract, req.date, `${path}.contract`));
  if (item.removePlotCodes.length === 0 && item.addPlots.length === 0) {
    v.push(
      violation(
        'ADJUSTMENT_ITEM_EMPTY',
        path,
        'Each household in an adjustment has land taken off or added.',
      ),
    );
  }

  item.removePlotCodes.forEach((code, j) => {
    const field = `${path}.removePlotCodes[${j}]`;
    const plot = contract.plots.find((p) => p.code === code);
    if (plot === undefined) {
      v.push(
        violation('PLOT_NOT_IN_CONTRACT', field, `Plot ${code} is not a plot of contract ${contract.code}.`),
      );
      return;
    }
    v.push(...checkLandClass(plot, field));
  });
  if (item.removePlotCodes.length > 0) {
    v.push(
      ...checkNotEncumbered(
        contract,
        req.encumbrances,
        req.date,
        `${path}.removePlotCodes`,
        item.removePlotCodes,
      ),
    );
  }

  item.addPlots.forEach((added, j) => {
    const field = `${path}.addPlots[${j}]`;
    v.push(...checkLandClass(added.plot, `${field}.plot.landClass`));
    if (!added.plot.code.startsWith(req.issuerCode)) {
      v.push(
        violation(
          'PLOT_OUTSIDE_ISSUER',
          `${field}.plot.code`,
          `Plot ${added.plot.code} is not land of issuer ${req.issuerCode}.`,
        ),
      );
    }
    if (
      contract.plots.some((p) => p.code === added.plot.code) &&
      !item.removePlotCodes.includes(added.plot.code)
    ) {
      v.push(
        violation(
          'PLOT_ALREADY_IN_CONTRACT',
          `${field}.plot.code`,
          `Plot ${added.plot.code} is already on this contract.`,
        ),
      );
    }
    if (!Number.isSafeInteger(added.plot.contractAreaMu4) || added.plot.contractAreaMu4 <= 0) {
      v.push(
        violation(
          'AREA_NOT_POSITIVE',
          `${field}.plot.contractAreaMu4`,
          'An added plot has an area above zero.',
        ),
      );
    }
    if (added.source === 'OTHER_HOUSEHOLD' && !removedCodes.has(added.plot.code)) {
      v.push(
        violation(
          'ADJUSTMENT_SOURCE_PLOT_UNKNOWN',
          `${field}.source`,
          `Plot ${added.plot.code} is said to come from another household, but no household in this adjustment gives it up.`,
        ),
      );
    }
  });
  if (contract.plots.length - item.removePlotCodes.length + item.addPlots.length <= 0) {
    v.push(
      violation(
        'ADJUSTMENT_LEAVES_CONTRACT_EMPTY',
        path,
        'An adjustment that leaves a household no land ends its contract; terminate it instead.',
      ),
    );
  }
  return v;
}

// Land comes from another household only once the free reserve, reclaimed and returned land is used up.
function checkSources(req: PlotAdjustmentRequest): RuleViolation[] {
  const added = req.items.flatMap((i) => i.addPlots);
  const fromPriority = sumMu4(
    added.filter((a) => PRIORITY_SOURCES.includes(a.source)).map((a) => a.plot.contractAreaMu4),
  );
  const fromHouseholds = sumMu4(
    added.filter((a) => a.source === 'OTHER_HOUSEHOLD').map((a) => a.plot.contractAreaMu4),
  );
  const v: RuleViolation[] = [];
  if (fromPriority > req.prioritySourceAvailableMu4) {
    v.push(
      violation(
        'ADJUSTMENT_SOURCE_EXCEEDS_AVAILABLE',
        'prioritySourceAvailableMu4',
        'More reserve, reclaimed or returned land is handed out than the issuer has free.',
      ),
    );
  } else if (fromHouseholds > 0 && fromPriority < req.prioritySourceAvailableMu4) {
    v.push(
      violation(
        'ADJUSTMENT_PRIORITY_SOURCES_FIRST',
        'items',
        "Reserve (机动地), newly reclaimed or returned land is still free; use it before taking land from another household's contract.",
      ),
    );
  }
  return v;
}

function checkAuthority(req: PlotAdjustmentRequest): RuleViolation[] {
  const v: RuleViolation[] = [];
  if (req.resolution === undefined) {
    v.push(
      violation(
        'RESOLUTION_REQUIRED',
        'resolution',
        'An adjustment needs a member-meeting resolution with two thirds of all members for it.',
      ),
    );
  } else {
    v.push(...checkResolution(req.resolution, 'PLOT_ADJUSTMENT', 'resolution'));
  }
  if (req.townshipApproval === undefined) {
    v.push(
      violation(
        'ADJUSTMENT_TOWNSHIP_APPROVAL_REQUIRED',
        'townshipApproval',
        "The township government's approval is recorded with date and reference.",
      ),
    );
  }
  if (req.cityApproval === undefined) {
    v.push(
      violation(
        'ADJUSTMENT_CITY_APPROVAL_REQUIRED',
        'cityApproval',
        "The city agriculture department's approval is recorded with date and reference.",
      ),
    );
  }
  // Each step authorises the next: meeting, then township, then city, then the adjustment itself.
  const steps: [string, LocalDate | undefined][] = [
    ['resolution.meetingDate', req.resolution?.meetingDate],
    ['townshipApproval.date', req.townshipApproval?.date],
    ['cityApproval.date', req.cityApproval?.date],
    ['date', req.date],
  ];
  const dated = steps.filter((s): s is [string, LocalDate] => s[1] !== undefined && isLocalDate(s[1]));
  for (let i = 1; i < dated.length; i += 1) {
    const [prevField, prevDate] = dated[i - 1] as [string, LocalDate];
    const [field, date] = dated[i] as [string, LocalDate];
    if (compareDates(prevDate, date) > 0) {
      v.push(
        violation(
          'ADJUSTMENT_APPROVAL_ORDER',
          field,
          `${field} (${date}) comes before ${prevField} (${prevDate}); the meeting decides, the township then the city approve, then the land is adjusted.`,
        ),
      );
    }
  }
  return v;
}
