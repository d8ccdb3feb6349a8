import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type { ReturnedPlot as ReturnedPlotMsg } from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  assertCanWrite,
  type CommandContext,
  type EntityManager,
  newId,
  type Principal,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import { compareDates, type LocalDate, type RuleViolation, violation } from '@pingquan/reference';
import { checkInForce, validateNewContract } from '../domain/contract-rules.js';
import { isHouseholdExtinct } from '../domain/household.js';
import type { Contract, ContractMode } from '../domain/model.js';
import { checkMayContractAgain } from '../domain/surrender.js';
import { ContractEntity, type ContractRow, PlotEntity } from '../persistence/entities.js';
import { ReturnedPlotEntity } from '../persistence/rights-entities.js';
import { TRACK } from './context.js';
import { contractToMsg } from './mapping.js';
import {
  contractCodeFor,
  contractFromRow,
  loadHousehold,
  plotFromRow,
  plotRowToMsg,
  refuse,
  rejectRule,
  scopeOfVillage,
  surrenderRecordsOf,
  today,
  touch,
} from './rights-common.js';

// The issuer's pool: plots that came back (reclaimed 收回 or surrendered 交回) and wait to be
// contracted anew (另行发包). A plot row keeps pointing at the contract it came back from until it
// is contracted again, so the ended contract still shows what it gave back.

export interface ReturnedPlotFilter {
  issuerCode?: string;
  townshipCode?: string;
}

export async function listReturnedPlots(
  em: EntityManager,
  principal: Principal,
  filter: ReturnedPlotFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ plots: ReturnedPlotMsg[]; nextCursor: string | undefined; total: number }> {
  const where: Record<string, unknown> = {};
  if (filter.issuerCode) where['issuerCode'] = filter.issuerCode;
  if (filter.townshipCode) where['townshipCode'] = filter.townshipCode;
  const allowed = townshipFilter(principal, TRACK);
  if (allowed) {
    where['townshipCode'] =
      filter.townshipCode && allowed.includes(filter.townshipCode) ? filter.townshipCode : { $in: allowed };
  }
  if (principal.role === 'VILLAGE_TASK_FORCE') where['villageCode'] = { $in: principal.villages ?? [] };
  const total = await em.count(ReturnedPlotEntity, where);
  const rows = await em.find(ReturnedPlotEntity, after ? { ...where, plotCode: { $gt: after } } : where, {
    orderBy: { plotCode: 'asc' },
    limit: pageSize + 1,
  });
  const page = rows.slice(0, pageSize);
  const plots = await em.find(PlotEntity, { code: { $in: page.map((r) => r.plotCode) } });
  const byCode = new Map(plots.map((p) => [p.code, p]));
  return {
    plots: page.flatMap((r): ReturnedPlotMsg[] => {
      const plot = byCode.get(r.plotCode);
      if (!plot) return [];
      return [
        {
          plot: plotRowToMsg(plot),
          issuerCode: r.issuerCode,
          townshipCode: r.townshipCode,
          fromContractId: r.fromContractId,
          reason: r.reason === 'RECLAIMED' ? 'RETURN_REASON_RECLAIMED' : 'RETURN_REASON_SURRENDERED',
          returnedOn: r.returnedOn,
        },
      ];
    }),
    nextCursor: rows.length > pageSize ? page[page.length - 1]?.plotCode : undefined,
    total,
  };
}

export interface RecontractInput {
  householdId: string;
  mode: ContractMode;
  termStart: LocalDate;
  termEnd: LocalDate;
  plotCodes: string[];
  secondRoundEnd?: LocalDate;
  adjustmentForbidden: boolean;
}

/**
 * 另行发包 — the issuer contracts plots from its pool to a household. A household holds one contract
 * per mode (the code is household + mode), so when it already holds one in force the plots join it,
 * provided it ends on the same day; otherwise a new contract is registered.
 */
export async function recontractPlots(
  em: EntityManager,
  ctx: CommandContext,
  input: RecontractInput,
): Promise<{ contract: ContractMsg; newContract: boolean }> {
  const { row: householdRow, household } = await loadHousehold(em, input.householdId, { lock: true });
  assertCanWrite(ctx.principal, scopeOfVillage(householdRow.villageCode));
  const todayDate = today(ctx);
  const v: RuleViolation[] = [];

  if (isHouseholdExtinct(household)) {
    v.push(
      violation(
        'HOUSEHOLD_EXTINCT',
        'householdId',
        'Every member of this household has died; it cannot take up land.',
      ),
    );
  }
  const surrenders = await surrenderRecordsOf(em, household.id);
  for (const date of new Set([todayDate, input.termStart])) {
    v.push(...checkMayContractAgain(household, surrenders, date, 'householdId'));
  }

  const pooled = await em.find(ReturnedPlotEntity, { plotCode: { $in: input.plotCodes } });
  input.plotCodes.forEach((code, i) => {
    if (!pooled.some((p) => p.plotCode === code)) {
      v.push(
        violation(
          'RETURNED_PLOT_NOT_AVAILABLE',
          `plotCodes[${i}]`,
          `Plot ${code} is not in an issuer's pool of returned plots; only reclaimed or surrendered plots are contracted anew.`,
        ),
      );
    }
  });
  const issuers = [...new Set(pooled.map((p) => p.issuerCode))];
  if (issuers.length > 1) {
    v.push(
      violation(
        'RETURNED_PLOTS_MIXED_ISSUERS',
        'plotCodes',
        'The plots belong to different issuers; contract them separately.',
      ),
    );
  }
  refuse(v);
  // Every plot is pooled from here on, so its row exists.
  const plotRows = await em.find(PlotEntity, { code: { $in: input.plotCodes } });
  const issuerCode = issuers[0] ?? household.issuerCode;
  const code = contractCodeFor(household.code, input.mode);
  const existing = await em.findOne(ContractEntity, { code }, { lockMode: LockMode.PESSIMISTIC_WRITE });

  let row: ContractRow;
  let newContract: boolean;
  if (existing) {
    const existingPlots = await em.find(PlotEntity, { contractId: existing.id });
    const current = contractFromRow(existing, existingPlots);
    const w = checkInForce(current, todayDate, 'householdId');
    if (w.length > 0) {
      rejectRule([
        violation(
          'CONTRACT_CODE_TAKEN',
          'householdId',
          `The household's ${input.mode} contract ${code} has ended (${existing.status}); a household holds one contract per mode, so the plots cannot be written to a new one.`,
        ),
      ]);
    }
    if (compareDates(existing.termEnd, input.termEnd) !== 0) {
      rejectRule([
        violation(
          'RECONTRACT_TERM_MISMATCH',
          'termEndDate',
          `The household's contract ${code} ends ${existing.termEnd}; plots join it only for the same term, not to ${input.termEnd}.`,
        ),
      ]);
    }
    if (existing.issuerCode !== issuerCode) {
      rejectRule([
        violation(
          'CONTRACTOR_OUTSIDE_COLLECTIVE',
          'householdId',
          `Contract ${code} was issued by ${existing.issuerCode}, the plots by ${issuerCode}.`,
        ),
      ]);
    }
    for (const plot of plotRows) plot.contractId = existing.id;
    existing.totalAreaMu4 += plotRows.reduce((sum, p) => sum + p.contractAreaMu4, 0);
    touch(existing, ctx.now);
    row = existing;
    newContract = false;
  } else {
    const contract: Contract = {
      id: newId(),
      code,
      issuerCode,
      householdId: household.id,
      mode: input.mode,
      termStart: input.termStart,
      termEnd: input.termEnd,
      status: 'ACTIVE',
      plots: plotRows.map(plotFromRow),
      adjustmentForbidden: input.adjustmentForbidden,
      ...(input.secondRoundEnd ? { secondRoundEnd: input.secondRoundEnd } : {}),
    };
    refuse(validateNewContract(contract, { household, contractedPlotCodes: new Set() }));
    row = em.create(ContractEntity, {
      id: contract.id,
      code,
      issuerCode,
      householdId: household.id,
      mode: input.mode,
      termStart: input.termStart,
      termEnd: input.termEnd,
      status: 'ACTIVE',
      villageCode: householdRow.villageCode,
      townshipCode: householdRow.townshipCode,
      totalAreaMu4: plotRows.reduce((sum, p) => sum + p.contractAreaMu4, 0),
      secondRoundEnd: input.secondRoundEnd ?? null,
      adjustmentForbidden: input.adjustmentForbidden,
      version: 1,
    });
    for (const plot of plotRows) plot.contractId = contract.id;
    newContract = true;
  }
  for (const pooledRow of pooled) em.remove(pooledRow);
  await em.flush();

  const plots = await em.find(PlotEntity, { contractId: row.id });
  const msg = contractToMsg(row, plots);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'contract.recontracted',
      state: msg,
      effectiveOn: newContract ? input.termStart : todayDate,
      event: {
        type: Events['land-contract'].ContractRecontracted,
        payload: { contract: msg, plotCodes: [...input.plotCodes].sort(), newContract },
      },
    },
  ]);
  return { contract: msg, newContract };
}
