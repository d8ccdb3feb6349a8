import { describe, expect, it } from 'vitest';
import {
  type AdjustmentItem,
  DEFAULT_ADJUSTMENT_POLICY,
  type PlotAdjustmentRequest,
  planPlotAdjustment,
} from './adjustment.js';
import {
  accepted,
  act,
  contract,
  encumbrance,
  ISSUER,
  mu,
  OTHER_ISSUER,
  plot,
  resolution,
  rules,
} from './test-fixtures.js';

// Household 1 lost plot 11 to a flood; it gets reserve plot 901 instead.
const floodItem: AdjustmentItem = {
  contract: contract(1),
  removePlotCodes: [plot(11).code],
  addPlots: [{ plot: plot(901), source: 'RESERVE_LAND' }],
};

function request(overrides: Partial<PlotAdjustmentRequest> = {}): PlotAdjustmentRequest {
  return {
    issuerCode: ISSUER,
    reason: 'SEVERE_DISASTER_DAMAGE',
    reasonNote: '2024年7月洪水冲毁河滩地',
    date: '2024-09-01',
    items: [floodItem],
    resolution: resolution('PLOT_ADJUSTMENT', { meetingDate: '2024-08-01', noticeDate: '2024-07-20' }),
    townshipApproval: act('2024-08-10', '平泉镇农〔2024〕8号', '平泉镇人民政府'),
    cityApproval: act('2024-08-20', '平农〔2024〕21号', '平泉市农业农村局'),
    issuerHouseholdCount: 300,
    prioritySourceAvailableMu4: mu(5),
    encumbrances: [],
    ...overrides,
  };
}

describe('individual plot adjustment (个别调地)', () => {
  it('plans amendments for contract, register and certificate', () => {
    const plan = accepted(planPlotAdjustment(request()));
    expect(plan.contracts[0]?.plots.map((p) => p.code)).toEqual([plot(12).code, plot(901).code]);
    expect(plan.amendments[0]).toMatchObject({
      kind: 'PLOT_ADJUSTMENT',
      removedPlotCodes: [plot(11).code],
      recordIn: ['CONTRACT', 'REGISTER', 'CERTIFICATE'],
      townshipApprovalRef: '平泉镇农〔2024〕8号',
    });
    expect(plan.warnings).toEqual([]);
  });

  it('ADJUSTMENT_REASON_NOT_SPECIAL: only special reasons allow an adjustment', () => {
    const r = request({ reason: 'FAMILY_GREW' as never });
    expect(rules(planPlotAdjustment(r))).toEqual(['ADJUSTMENT_REASON_NOT_SPECIAL']);
  });

  it('ADJUSTMENT_REASON_NOTE_REQUIRED: OTHER_SPECIAL says what the special case is', () => {
    expect(rules(planPlotAdjustment(request({ reason: 'OTHER_SPECIAL', reasonNote: ' ' })))).toEqual([
      'ADJUSTMENT_REASON_NOTE_REQUIRED',
    ]);
  });

  it('ADJUSTMENT_LAND_CLASS_NOT_ALLOWED: forest land is never adjusted; grassland is', () => {
    const forest: AdjustmentItem = {
      contract: contract(1, { plots: [plot(11, { landClass: 'FOREST' }), plot(12)] }),
      removePlotCodes: [plot(11).code],
      addPlots: [{ plot: plot(901), source: 'RESERVE_LAND' }],
    };
    expect(rules(planPlotAdjustment(request({ items: [forest] })))).toEqual([
      'ADJUSTMENT_LAND_CLASS_NOT_ALLOWED',
    ]);
    const addForest: AdjustmentItem = {
      ...floodItem,
      addPlots: [{ plot: plot(901, { landClass: 'FOREST' }), source: 'RESERVE_LAND' }],
    };
    expect(rules(planPlotAdjustment(request({ items: [addForest] })))).toEqual([
      'ADJUSTMENT_LAND_CLASS_NOT_ALLOWED',
    ]);
    const grass: AdjustmentItem = {
      ...floodItem,
      addPlots: [{ plot: plot(901, { landClass: 'GRASS' }), source: 'RESERVE_LAND' }],
    };
    expect(planPlotAdjustment(request({ items: [grass] })).ok).toBe(true);
    const garden: AdjustmentItem = {
      ...floodItem,
      addPlots: [{ plot: plot(901, { landClass: 'GARDEN' }), source: 'RESERVE_LAND' }],
    };
    expect(rules(planPlotAdjustment(request({ items: [garden] })))).toEqual([
      'ADJUSTMENT_LAND_CLASS_NOT_ALLOWED',
    ]);
  });

  it('ADJUSTMENT_FORBIDDEN_BY_CONTRACT: not where the contract forbids adjustment', () => {
    const item = { ...floodItem, contract: contract(1, { adjustmentForbidden: true }) };
    expect(rules(planPlotAdjustment(request({ items: [item] })))).toEqual([
      'ADJUSTMENT_FORBIDDEN_BY_CONTRACT',
    ]);
  });

  it('ADJUSTMENT_PRIORITY_SOURCES_FIRST: reserve, reclaimed or returned land before another household’s land', () => {
    const giver: AdjustmentItem = {
      contract: contract(2),
      removePlotCodes: [plot(21).code],
      addPlots: [],
    };
    const taker: AdjustmentItem = {
      contract: contract(1),
      removePlotCodes: [plot(11).code],
      addPlots: [{ plot: plot(21), source: 'OTHER_HOUSEHOLD' }],
    };
    expect(rules(planPlotAdjustment(request({ items: [giver, taker] })))).toEqual([
      'ADJUSTMENT_PRIORITY_SOURCES_FIRST',
    ]);
    expect(planPlotAdjustment(request({ items: [giver, taker], prioritySourceAvailableMu4: 0 })).ok).toBe(
      true,
    );
  });

  it('ADJUSTMENT_SOURCE_EXCEEDS_AVAILABLE: no more reserve land handed out than the issuer has', () => {
    expect(rules(planPlotAdjustment(request({ prioritySourceAvailableMu4: mu(1.9999) })))).toEqual([
      'ADJUSTMENT_SOURCE_EXCEEDS_AVAILABLE',
    ]);
    expect(planPlotAdjustment(request({ prioritySourceAvailableMu4: mu(2) })).ok).toBe(true);
  });

  it('ADJUSTMENT_SOURCE_PLOT_UNKNOWN: land "from another household" must be given up in the same adjustment', () => {
    const item: AdjustmentItem = { ...floodItem, addPlots: [{ plot: plot(901), source: 'OTHER_HOUSEHOLD' }] };
    expect(rules(planPlotAdjustment(request({ items: [item], prioritySourceAvailableMu4: 0 })))).toEqual([
      'ADJUSTMENT_SOURCE_PLOT_UNKNOWN',
    ]);
  });

  it('RESOLUTION_REQUIRED / RESOLUTION_TWO_THIRDS_OF_ALL: two thirds of all members must vote for it', () => {
    const { resolution: _none, ...without } = request();
    expect(rules(planPlotAdjustment(without))).toEqual(['RESOLUTION_REQUIRED']);
    const r = resolution('PLOT_ADJUSTMENT', {
      meetingDate: '2024-08-01',
      noticeDate: '2024-07-20',
      votesFor: 66,
    });
    expect(rules(planPlotAdjustment(request({ resolution: r })))).toEqual(['RESOLUTION_TWO_THIRDS_OF_ALL']);
  });

  it('RESOLUTION_RESERVED_TO_MEMBER_MEETING: a representatives’ meeting cannot decide an adjustment', () => {
    const r = resolution('PLOT_ADJUSTMENT', {
      body: 'REPRESENTATIVES_MEETING',
      meetingDate: '2024-08-01',
      noticeDate: '2024-07-20',
    });
    expect(rules(planPlotAdjustment(request({ resolution: r })))).toEqual([
      'RESOLUTION_RESERVED_TO_MEMBER_MEETING',
    ]);
  });

  it('ADJUSTMENT_TOWNSHIP_APPROVAL_REQUIRED / ADJUSTMENT_CITY_APPROVAL_REQUIRED', () => {
    const { townshipApproval: _t, cityApproval: _c, ...without } = request();
    expect(rules(planPlotAdjustment(without)).sort()).toEqual([
      'ADJUSTMENT_CITY_APPROVAL_REQUIRED',
      'ADJUSTMENT_TOWNSHIP_APPROVAL_REQUIRED',
    ]);
  });

  it('ADJUSTMENT_APPROVAL_ORDER: meeting, then township, then city, then the adjustment (same day allowed)', () => {
    expect(rules(planPlotAdjustment(request({ cityApproval: act('2024-08-05') })))).toEqual([
      'ADJUSTMENT_APPROVAL_ORDER',
    ]);
    expect(planPlotAdjustment(request({ cityApproval: act('2024-08-10'), date: '2024-08-10' })).ok).toBe(
      true,
    );
  });

  it('ADJUSTMENT_SHARE_HIGH: above the warning share the plan passes with a warning', () => {
    // 1 of 14 households = 7.14% > 6.7%.
    const plan = accepted(planPlotAdjustment(request({ issuerHouseholdCount: 14 })));
    expect(rules(plan.warnings)).toEqual(['ADJUSTMENT_SHARE_HIGH']);
    expect(plan.shareBasisPoints).toBe(714);
  });

  it('ADJUSTMENT_AMOUNTS_TO_REDIVISION: above the refusal share it is a redivision (打乱重分); the bound itself passes', () => {
    expect(rules(planPlotAdjustment(request({ issuerHouseholdCount: 4 })))).toEqual([
      'ADJUSTMENT_AMOUNTS_TO_REDIVISION',
    ]);
    expect(planPlotAdjustment(request({ issuerHouseholdCount: 5 })).ok).toBe(true);
    const strict = { ...DEFAULT_ADJUSTMENT_POLICY, refuseAboveBasisPoints: 1_000 };
    expect(rules(planPlotAdjustment(request({ issuerHouseholdCount: 5 }), strict))).toEqual([
      'ADJUSTMENT_AMOUNTS_TO_REDIVISION',
    ]);
  });

  it('ADJUSTMENT_OUTSIDE_ISSUER / PLOT_OUTSIDE_ISSUER: one issuer’s land only', () => {
    const item = {
      ...floodItem,
      addPlots: [{ plot: plot(901, {}, OTHER_ISSUER), source: 'RESERVE_LAND' as const }],
    };
    expect(rules(planPlotAdjustment(request({ items: [item] })))).toEqual(['PLOT_OUTSIDE_ISSUER']);
    const foreign = {
      ...floodItem,
      contract: contract(1, {}, OTHER_ISSUER),
      removePlotCodes: [plot(11, {}, OTHER_ISSUER).code],
    };
    expect(rules(planPlotAdjustment(request({ items: [foreign] })))).toEqual(['ADJUSTMENT_OUTSIDE_ISSUER']);
  });

  it('RIGHT_ENCUMBERED: a mortgaged plot is not taken off a contract', () => {
    expect(rules(planPlotAdjustment(request({ encumbrances: [encumbrance()] })))).toEqual([
      'RIGHT_ENCUMBERED',
    ]);
  });

  it('ADJUSTMENT_LEAVES_CONTRACT_EMPTY: a household is not adjusted out of all its land', () => {
    const item: AdjustmentItem = {
      contract: contract(1),
      removePlotCodes: [plot(11).code, plot(12).code],
      addPlots: [],
    };
    expect(rules(planPlotAdjustment(request({ items: [item] })))).toEqual([
      'ADJUSTMENT_LEAVES_CONTRACT_EMPTY',
    ]);
  });
});
