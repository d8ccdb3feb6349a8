import { Events } from '@pingquan/contracts/catalogue';
import type {
  AdjustmentReason as AdjustmentReasonMsg,
  AdjustPlotsResponse,
} from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  assertCanWrite,
  type Change,
  type CommandContext,
  ConflictError,
  type EntityManager,
  InvalidInputError,
  newId,
  RuleRefusedError,
  recordChanges,
} from '@pingquan/kit';
import {
  isLocalDate,
  type LocalDate,
  type Resolution,
  type RuleViolation,
  validateIssuerCode,
  violation,
} from '@pingquan/reference';
import { type AdjustmentReason, type AdjustmentSource, planPlotAdjustment } from '../domain/adjustment.js';
import type { Contract, ContractStatus, LandClass, Plot, RecordedAct } from '../domain/model.js';
import type { ContractRow, PlotRow } from '../persistence/entities.js';
import {
  type AdjustContractRow,
  type AdjustPlotRow,
  deletePlots,
  encumbrancesOf,
  householdsOfIssuer,
  insertAmendments,
  lockContractsByCode,
  plotsWhere,
  updateContractArea,
  upsertPlots,
} from '../persistence/extension-sql.js';
import { TRACK } from './context.js';
import { adjustmentPolicyOn } from './extension-policy.js';
import { contractToMsg } from './mapping.js';

export interface AdjustPlotsInput {
  issuerCode: string;
  reason: AdjustmentReason;
  reasonNote: string;
  date: LocalDate;
  items: {
    contractCode: string;
    removePlotCodes: string[];
    addPlots: { plot: Plot; source: AdjustmentSource }[];
  }[];
  resolution: Resolution | undefined;
  townshipApproval: RecordedAct | undefined;
  cityApproval: RecordedAct | undefined;
  prioritySourceAvailableMu4: number;
}

function contractOf(row: AdjustContractRow, plots: readonly AdjustPlotRow[]): Contract {
  return {
    id: row.id,
    code: row.code,
    issuerCode: row.issuer_code,
    householdId: row.household_id,
    mode: row.mode as Contract['mode'],
    termStart: row.term_start,
    termEnd: row.term_end,
    status: row.status as ContractStatus,
    plots: plots.map(plotOf),
    adjustmentForbidden: row.adjustment_forbidden,
    ...(row.second_round_end ? { secondRoundEnd: row.second_round_end } : {}),
  };
}

function plotOf(p: AdjustPlotRow): Plot {
  return {
    code: p.code,
    name: p.name,
    contractAreaMu4: Number(p.contract_area_mu4),
    surveyedAreaMu4: Number(p.surveyed_area_mu4),
    landClass: p.land_class as LandClass,
    basicFarmland: p.basic_farmland,
    boundaries: {
      east: p.boundary_east,
      south: p.boundary_south,
      west: p.boundary_west,
      north: p.boundary_north,
    },
  };
}

/**
 * 个别调地 for a few households of one issuer: the domain checks the special ground, land classes,
 * the contract's own prohibition, sources, the two-thirds member-meeting resolution, township then
 * city approval and the redivision share; the change is written into contract and register and
 * recorded as one amendment per contract, with a ContractPlotsAdjusted event each.
 */
export async function adjustPlots(
  em: EntityManager,
  ctx: CommandContext,
  input: AdjustPlotsInput,
): Promise<AdjustPlotsResponse> {
  const shape: RuleViolation[] = [];
  const issuer = validateIssuerCode(input.issuerCode, 'issuerCode');
  if (!issuer.ok) shape.push(...issuer.violations);
  if (!isLocalDate(input.date))
    shape.push(violation('DATE_INVALID', 'date', `'${input.date}' is not a YYYY-MM-DD calendar date.`));
  if (!Number.isSafeInteger(input.prioritySourceAvailableMu4) || input.prioritySourceAvailableMu4 < 0) {
    shape.push(
      violation(
        'AREA_NEGATIVE',
        'prioritySourceAvailableMu4',
        'The free reserve, reclaimed and returned land cannot be negative.',
      ),
    );
  }
  if (shape.length > 0) throw new InvalidInputError(shape);
  const villageCode = input.issuerCode.slice(0, 12);
  assertCanWrite(ctx.principal, { track: TRACK, villageCode, townshipCode: villageCode.slice(0, 9) });

  const codes = input.items.map((i) => i.contractCode);
  const rows = await lockContractsByCode(em, codes);
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const missing = input.items
    .map((item, i) =>
      byCode.has(item.contractCode)
        ? undefined
        : violation(
            'CONTRACT_NOT_FOUND',
            `items[${i}].contractCode`,
            `No contract ${item.contractCode} is registered.`,
          ),
    )
    .filter((v): v is RuleViolation => v !== undefined);
  if (missing.length > 0) throw new InvalidInputError(missing);

  const currentPlots = await plotsWhere(
    em,
    'contract_id',
    rows.map((r) => r.id),
  );
  const removed = new Set(input.items.flatMap((i) => i.removePlotCodes));
  const addedCodes = input.items.flatMap((i) => i.addPlots.map((a) => a.plot.code));
  // An added plot already in the register must be free: given up in this adjustment, or on a contract that has ended.
  const held = (await plotsWhere(em, 'code', addedCodes)).filter(
    (p) => !removed.has(p.code) && (p.contract_status === 'ACTIVE' || p.contract_status === 'EXTENDED'),
  );
  if (held.length > 0) {
    throw new RuleRefusedError(
      held.map((p) =>
        violation(
          'PLOT_ALREADY_CONTRACTED',
          'items',
          `Plot ${p.code} is held under a contract in force; it can only be added once that household gives it up.`,
        ),
      ),
    );
  }

  const contracts = new Map(
    rows.map((r) => [
      r.id,
      contractOf(
        r,
        currentPlots.filter((p) => p.contract_id === r.id),
      ),
    ]),
  );
  const policy = await adjustmentPolicyOn(em, input.date);
  const plan = planPlotAdjustment(
    {
      issuerCode: input.issuerCode,
      reason: input.reason,
      reasonNote: input.reasonNote,
      date: input.date,
      items: input.items.map((item) => ({
        contract: contracts.get(byCode.get(item.contractCode)?.id ?? '') as Contract,
        removePlotCodes: item.removePlotCodes,
        addPlots: item.addPlots,
      })),
      ...(input.resolution ? { resolution: input.resolution } : {}),
      ...(input.townshipApproval ? { townshipApproval: input.townshipApproval } : {}),
      ...(input.cityApproval ? { cityApproval: input.cityApproval } : {}),
      issuerHouseholdCount: await householdsOfIssuer(em, input.issuerCode),
      prioritySourceAvailableMu4: input.prioritySourceAvailableMu4,
      encumbrances: await encumbrancesOf(
        em,
        rows.map((r) => r.id),
      ),
    },
    policy,
  );
  if (!plan.ok) throw new RuleRefusedError(plan.violations);

  // Every removal first, so a plot passed from one household to another moves in one upsert.
  await deletePlots(em, [...removed]);
  const changes: Change[] = [];
  const amendmentIds: string[] = [];
  const out: ContractMsg[] = [];
  const plotsByCode = new Map(currentPlots.map((p) => [p.code, p]));
  for (const [i, next] of plan.value.contracts.entries()) {
    const row = byCode.get(next.code);
    const amendment = plan.value.amendments[i];
    if (!row || !amendment) continue;
    const added = input.items[i]?.addPlots ?? [];
    await upsertPlots(
      em,
      added.map(({ plot }) => ({
        code: plot.code,
        contract_id: row.id,
        name: plot.name,
        contract_area_mu4: plot.contractAreaMu4,
        surveyed_area_mu4: plot.surveyedAreaMu4,
        land_class: plot.landClass,
        basic_farmland: plot.basicFarmland,
        boundary_east: plot.boundaries.east,
        boundary_south: plot.boundaries.south,
        boundary_west: plot.boundaries.west,
        boundary_north: plot.boundaries.north,
        geometry: plot.geometry ?? null,
      })),
    );
    const total = next.plots.reduce((sum, p) => sum + p.contractAreaMu4, 0);
    if (!(await updateContractArea(em, row.id, row.version, total, ctx.now))) {
      throw new ConflictError(`contract ${row.code} changed while it was being adjusted; try again`);
    }
    const amendmentId = newId();
    amendmentIds.push(amendmentId);
    await insertAmendments(
      em,
      [
        {
          id: amendmentId,
          contract_id: row.id,
          kind: 'PLOT_ADJUSTMENT',
          batch_id: null,
          old_term_end: null,
          new_term_start: null,
          new_term_end: null,
          resolution_ref: amendment.resolutionRef,
          // The removed plots as they were, so the amendment alone tells what the household gave up.
          detail: {
            ...amendment,
            date: input.date,
            removedPlots: amendment.removedPlotCodes.map((code) => plotsByCode.get(code)),
            policyVersion: plan.value.policyVersion,
            previousTotalAreaMu4: Number(row.total_area_mu4),
          },
          actor_subject: ctx.principal.sub,
        },
      ],
      ctx.now,
    );
    const contractRow: ContractRow = {
      id: row.id,
      code: row.code,
      issuerCode: row.issuer_code,
      householdId: row.household_id,
      mode: row.mode,
      termStart: row.term_start,
      termEnd: row.term_end,
      status: row.status,
      villageCode: row.village_code,
      townshipCode: row.township_code,
      totalAreaMu4: total,
      secondRoundEnd: row.second_round_end,
      adjustmentForbidden: row.adjustment_forbidden,
      version: row.version + 1,
      createdAt: new Date(row.created_at),
      updatedAt: ctx.now,
    };
    const plotRows: PlotRow[] = next.plots.map((p) => ({
      code: p.code,
      contractId: row.id,
      name: p.name,
      contractAreaMu4: p.contractAreaMu4,
      surveyedAreaMu4: p.surveyedAreaMu4,
      landClass: p.landClass,
      basicFarmland: p.basicFarmland,
      boundaryEast: p.boundaries.east,
      boundarySouth: p.boundaries.south,
      boundaryWest: p.boundaries.west,
      boundaryNorth: p.boundaries.north,
      geometry: p.geometry ?? null,
    }));
    const msg = contractToMsg(contractRow, plotRows);
    out.push(msg);
    changes.push({
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: row.version + 1,
      townshipCode: row.township_code,
      action: 'contract.plots-adjusted',
      state: msg,
      effectiveOn: input.date,
      event: {
        type: Events['land-contract'].ContractPlotsAdjusted,
        payload: {
          contractId: row.id,
          contractCode: row.code,
          townshipCode: row.township_code,
          amendmentId,
          reason: `ADJUSTMENT_REASON_${input.reason}` as AdjustmentReasonMsg,
          removedPlotCodes: [...amendment.removedPlotCodes],
          addedPlotCodes: amendment.addedPlots.map((a) => a.code),
          newTotalAreaMu4: total,
          resolutionRef: amendment.resolutionRef,
          townshipApprovalRef: amendment.townshipApprovalRef,
          cityApprovalRef: amendment.cityApprovalRef,
        },
      },
    });
  }
  await recordChanges(em, ctx, changes);
  return {
    contracts: out,
    amendmentIds,
    affectedHouseholds: plan.value.affectedHouseholds,
    shareBasisPoints: plan.value.shareBasisPoints,
    warnings: plan.value.warnings.map((w) => ({ rule: w.rule, field: w.field, message: w.message })),
    policyVersion: plan.value.policyVersion,
  };
}
