import { LockMode } from '@mikro-orm/core';
import { Events } from '@pingquan/contracts/catalogue';
import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import {
  assertCanWrite,
  type Change,
  type CommandContext,
  type EntityManager,
  newId,
  recordChanges,
} from '@pingquan/kit';
import { type Fen, type LocalDate, type RuleViolation, violation } from '@pingquan/reference';
import { activeCirculationsOn } from '../domain/circulation.js';
import { isInForce } from '../domain/contract-rules.js';
import type { RecordedAct } from '../domain/model.js';
import { checkMayContractAgain } from '../domain/surrender.js';
import {
  exchangePlots as exchangeRule,
  type TransfereeContract,
  transferContractRight as transferRule,
} from '../domain/transfer.js';
import { ContractEntity, type ContractRow, PlotEntity, type PlotRow } from '../persistence/entities.js';
import {
  CirculationEntity,
  CirculationPlotEntity,
  ContractTransferEntity,
  PlotExchangeEntity,
} from '../persistence/rights-entities.js';
import { circulationToMsg, reviewsFor } from './circulation.js';
import { contractToMsg } from './mapping.js';
import {
  badInput,
  checkNotFuture,
  checkUnencumberedNowAndThen,
  contractCodeFor,
  encumbrancesOf,
  loadCirculationsWhere,
  loadContract,
  loadContractsLocked,
  loadHousehold,
  recordedActToMsg,
  rejectRule,
  scopeOfVillage,
  surrenderRecordsOf,
  today,
  touch,
} from './rights-common.js';

// 承包权转让 (LCL Arts 34–35) and 互换 (Art 33): the contract right moves inside one collective. Plot
// rows follow the right: after the act they point at the contract that now holds them.

export interface TransferInput {
  contractId: string;
  toHouseholdId: string;
  /** Empty: every plot. */
  plotCodes: string[];
  transferDate: LocalDate;
  issuerConsent?: RecordedAct;
  priceFen?: Fen;
}

export interface TransferResult {
  transferor: ContractMsg;
  transferee: ContractMsg;
  transferredPlotCodes: string[];
  partial: boolean;
  transfereeContractNew: boolean;
}

/**
 * A circulation follows the plots it covers: when all of them move, the transferee household takes
 * the contractor's place in it; one that would be split between two contractors is refused.
 */
async function circulationsFollowingPlots(
  em: EntityManager,
  fromContractId: string,
  moving: ReadonlySet<string>,
  date: LocalDate,
  field: string,
): Promise<{ follow: string[]; violations: RuleViolation[] }> {
  const loaded = await loadCirculationsWhere(em, { contractId: fromContractId, status: 'ACTIVE' });
  const active = new Set(
    activeCirculationsOn(
      loaded.map((l) => l.circulation),
      date,
    ).map((c) => c.id),
  );
  const follow: string[] = [];
  const violations: RuleViolation[] = [];
  for (const { circulation } of loaded) {
    if (!active.has(circulation.id)) continue;
    const codes = circulation.plots.map((p) => p.plotCode);
    const moved = codes.filter((c) => moving.has(c));
    if (moved.length === 0) continue;
    if (moved.length === codes.length) follow.push(circulation.id);
    else {
      violations.push(
        violation(
          'CIRCULATION_WOULD_BE_SPLIT',
          field,
          `Circulation ${circulation.id} covers plots ${codes.join(', ')}; move all of them or none, so it keeps one contractor.`,
        ),
      );
    }
  }
  return { follow, violations };
}

export async function transferContractRight(
  em: EntityManager,
  ctx: CommandContext,
  input: TransferInput,
): Promise<TransferResult> {
  const probe = await loadContract(em, input.contractId);
  const { row: toRow, household: to } = await loadHousehold(em, input.toHouseholdId, {
    field: 'toHouseholdId',
  });
  const transfereeCode = contractCodeFor(to.code, probe.contract.mode);
  const existingProbe = await em.findOne(ContractEntity, { code: transfereeCode });
  const locked = await loadContractsLocked(em, [
    { id: probe.row.id, field: 'contractId' },
    ...(existingProbe ? [{ id: existingProbe.id, field: 'toHouseholdId' }] : []),
  ]);
  const from = locked.get(probe.row.id);
  if (!from) throw new Error('transferor contract vanished under lock');
  assertCanWrite(ctx.principal, scopeOfVillage(from.row.villageCode));
  assertCanWrite(ctx.principal, scopeOfVillage(toRow.villageCode));
  const todayDate = today(ctx);
  badInput(checkNotFuture(input.transferDate, todayDate, 'transferDate'));
  const { household: fromHousehold } = await loadHousehold(em, from.row.householdId);
  const existing = existingProbe ? locked.get(existingProbe.id) : undefined;

  const extra: RuleViolation[] = [];
  let target: TransfereeContract;
  if (existing && isInForce(existing.contract.status)) {
    target = { kind: 'EXISTING', contract: existing.contract };
  } else {
    if (existing) {
      extra.push(
        violation(
          'CONTRACT_CODE_TAKEN',
          'toHouseholdId',
          `The transferee's ${from.contract.mode} contract ${transfereeCode} has ended (${existing.contract.status}); a household holds one contract per mode.`,
        ),
      );
    }
    target = { kind: 'NEW', id: newId(), code: transfereeCode };
  }
  const surrenders = await surrenderRecordsOf(em, to.id);
  extra.push(...checkMayContractAgain(to, surrenders, input.transferDate, 'toHouseholdId'));
  const encumbrances = await encumbrancesOf(em, [from.row.id]);
  const codes = input.plotCodes.length > 0 ? input.plotCodes : from.plots.map((p) => p.code);
  extra.push(
    ...checkUnencumberedNowAndThen(
      from.contract,
      encumbrances,
      input.transferDate,
      todayDate,
      'contract',
      codes,
    ),
  );
  const following = await circulationsFollowingPlots(
    em,
    from.row.id,
    new Set(codes),
    input.transferDate,
    'plotCodes',
  );
  extra.push(...following.violations);

  const outcome = transferRule({
    contract: from.contract,
    from: fromHousehold,
    to,
    transferDate: input.transferDate,
    encumbrances,
    transfereeContract: target,
    ...(input.plotCodes.length > 0 ? { plotCodes: input.plotCodes } : {}),
    ...(input.issuerConsent ? { issuerConsent: input.issuerConsent } : {}),
    ...(input.priceFen !== undefined ? { priceFen: input.priceFen } : {}),
  });
  if (!outcome.ok || extra.length > 0) rejectRule([...(outcome.ok ? [] : outcome.violations), ...extra]);
  const consent = input.issuerConsent as RecordedAct;
  const { partial, transferredPlots } = outcome.value;
  const moving = new Set(transferredPlots.map((p) => p.code));
  const movedArea = transferredPlots.reduce((sum, p) => sum + p.contractAreaMu4, 0);

  let toContract: ContractRow;
  if (target.kind === 'EXISTING' && existing) {
    toContract = existing.row;
    toContract.totalAreaMu4 += movedArea;
    touch(toContract, ctx.now);
  } else {
    const t = outcome.value.transferee;
    toContract = em.create(ContractEntity, {
      id: t.id,
      code: t.code,
      issuerCode: t.issuerCode,
      householdId: to.id,
      mode: t.mode,
      termStart: t.termStart,
      termEnd: t.termEnd,
      status: t.status,
      villageCode: toRow.villageCode,
      townshipCode: toRow.townshipCode,
      totalAreaMu4: movedArea,
      secondRoundEnd: t.secondRoundEnd ?? null,
      adjustmentForbidden: t.adjustmentForbidden,
      version: 1,
    });
  }
  if (partial) from.row.totalAreaMu4 -= movedArea;
  else from.row.status = 'TRANSFERRED';
  touch(from.row, ctx.now);
  for (const plot of from.plots) if (moving.has(plot.code)) plot.contractId = toContract.id;

  const followers = following.follow.length
    ? await em.find(
        CirculationEntity,
        { id: { $in: following.follow } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
      )
    : [];
  for (const c of followers) {
    c.contractId = toContract.id;
    c.contractCode = toContract.code;
    c.contractorHouseholdId = to.id;
    touch(c, ctx.now);
  }
  em.create(ContractTransferEntity, {
    id: newId(),
    fromContractId: from.row.id,
    toContractId: toContract.id,
    fromHouseholdId: fromHousehold.id,
    toHouseholdId: to.id,
    plotCodes: [...moving].sort(),
    partial,
    transferDate: input.transferDate,
    consentOn: consent.date,
    consentRef: consent.reference,
    consentBy: consent.by,
    priceFen: input.priceFen ?? null,
    townshipCode: from.row.townshipCode,
  });
  await em.flush();

  const followerPlots = followers.length
    ? await em.find(CirculationPlotEntity, { circulationId: { $in: followers.map((c) => c.id) } })
    : [];
  const followerReviews = await reviewsFor(em, followers);
  const fromPlots = from.plots.filter((p) => !moving.has(p.code));
  const toPlots = await em.find(PlotEntity, { contractId: toContract.id });
  // A fully transferred contract keeps no plot rows; its message and history show what it gave.
  const transferorMsg = contractToMsg(from.row, partial ? fromPlots : from.plots);
  const transfereeMsg = contractToMsg(toContract, toPlots);
  const plotCodes = [...moving].sort();
  const changes: Change[] = [
    {
      aggregateType: 'contract',
      aggregateId: from.row.id,
      aggregateVersion: from.row.version,
      townshipCode: from.row.townshipCode,
      action: 'contract.transferred',
      state: transferorMsg,
      effectiveOn: input.transferDate,
      event: {
        type: Events['land-contract'].ContractRightTransferred,
        payload: {
          contract: transferorMsg,
          transfereeContractId: toContract.id,
          plotCodes,
          partial,
          transferDate: input.transferDate,
          issuerConsent: recordedActToMsg(consent),
          ...(input.priceFen !== undefined ? { priceFen: input.priceFen } : {}),
        },
      },
    },
    {
      aggregateType: 'contract',
      aggregateId: toContract.id,
      aggregateVersion: toContract.version,
      townshipCode: toContract.townshipCode,
      action: 'contract.right-received',
      state: transfereeMsg,
      effectiveOn: input.transferDate,
      event: {
        type: Events['land-contract'].ContractRightReceived,
        payload: {
          contract: transfereeMsg,
          transferorContractId: from.row.id,
          plotCodes,
          newContract: target.kind === 'NEW',
          transferDate: input.transferDate,
        },
      },
    },
    ...followers.map(
      (c): Change => ({
        aggregateType: 'circulation',
        aggregateId: c.id,
        aggregateVersion: c.version,
        townshipCode: c.townshipCode,
        action: 'circulation.contractor-changed',
        state: circulationToMsg(
          c,
          followerPlots.filter((p) => p.circulationId === c.id),
          followerReviews,
          true,
        ),
        effectiveOn: input.transferDate,
      }),
    ),
  ];
  await recordChanges(em, ctx, changes);
  return {
    transferor: transferorMsg,
    transferee: transfereeMsg,
    transferredPlotCodes: plotCodes,
    partial,
    transfereeContractNew: target.kind === 'NEW',
  };
}

export interface ExchangeInput {
  a: { contractId: string; plotCodes: string[] };
  b: { contractId: string; plotCodes: string[] };
  date: LocalDate;
  filing?: RecordedAct;
}

/** Plots under a running circulation are the transferee's to farm; they cannot be swapped away. */
async function circulatedPlots(
  em: EntityManager,
  contractId: string,
  codes: readonly string[],
  date: LocalDate,
  field: string,
) {
  const loaded = await loadCirculationsWhere(em, { contractId, status: 'ACTIVE' });
  const held = new Set(
    activeCirculationsOn(
      loaded.map((l) => l.circulation),
      date,
    ).flatMap((c) => c.plots.map((p) => p.plotCode)),
  );
  return codes.flatMap((code, i) =>
    held.has(code)
      ? [
          violation(
            'PLOT_UNDER_CIRCULATION',
            `${field}[${i}]`,
            `The management right of plot ${code} is circulated; it cannot be exchanged while the circulation runs.`,
          ),
        ]
      : [],
  );
}

export async function exchangePlots(
  em: EntityManager,
  ctx: CommandContext,
  input: ExchangeInput,
): Promise<{ a: ContractMsg; b: ContractMsg }> {
  if (input.a.contractId === input.b.contractId) {
    rejectRule([
      violation(
        'EXCHANGE_SAME_CONTRACT',
        'b.contractId',
        'An exchange is between two contracts of two households.',
      ),
    ]);
  }
  const locked = await loadContractsLocked(em, [
    { id: input.a.contractId, field: 'a.contractId' },
    { id: input.b.contractId, field: 'b.contractId' },
  ]);
  const a = locked.get(input.a.contractId);
  const b = locked.get(input.b.contractId);
  if (!a || !b) throw new Error('exchange contracts vanished under lock');
  assertCanWrite(ctx.principal, scopeOfVillage(a.row.villageCode));
  assertCanWrite(ctx.principal, scopeOfVillage(b.row.villageCode));
  const todayDate = today(ctx);
  badInput(checkNotFuture(input.date, todayDate, 'exchangeDate'));
  const { household: ha } = await loadHousehold(em, a.row.householdId);
  const { household: hb } = await loadHousehold(em, b.row.householdId);
  const encumbrances = await encumbrancesOf(em, [a.row.id, b.row.id]);
  const extra: RuleViolation[] = [
    ...checkUnencumberedNowAndThen(
      a.contract,
      encumbrances,
      input.date,
      todayDate,
      'a.plotCodes',
      input.a.plotCodes,
    ),
    ...checkUnencumberedNowAndThen(
      b.contract,
      encumbrances,
      input.date,
      todayDate,
      'b.plotCodes',
      input.b.plotCodes,
    ),
    ...(await circulatedPlots(em, a.row.id, input.a.plotCodes, input.date, 'a.plotCodes')),
    ...(await circulatedPlots(em, b.row.id, input.b.plotCodes, input.date, 'b.plotCodes')),
  ];
  const outcome = exchangeRule({
    a: { contract: a.contract, household: ha, plotCodes: input.a.plotCodes },
    b: { contract: b.contract, household: hb, plotCodes: input.b.plotCodes },
    date: input.date,
    encumbrances,
    ...(input.filing ? { filing: input.filing } : {}),
  });
  if (!outcome.ok || extra.length > 0) rejectRule([...(outcome.ok ? [] : outcome.violations), ...extra]);
  const filing = input.filing as RecordedAct;

  const area = (plots: readonly PlotRow[], codes: readonly string[]) =>
    plots.filter((p) => codes.includes(p.code)).reduce((sum, p) => sum + p.contractAreaMu4, 0);
  const aGives = area(a.plots, input.a.plotCodes);
  const bGives = area(b.plots, input.b.plotCodes);
  a.row.totalAreaMu4 += bGives - aGives;
  b.row.totalAreaMu4 += aGives - bGives;
  for (const plot of a.plots) if (input.a.plotCodes.includes(plot.code)) plot.contractId = b.row.id;
  for (const plot of b.plots) if (input.b.plotCodes.includes(plot.code)) plot.contractId = a.row.id;
  touch(a.row, ctx.now);
  touch(b.row, ctx.now);
  em.create(PlotExchangeEntity, {
    id: newId(),
    aContractId: a.row.id,
    bContractId: b.row.id,
    aPlotCodes: [...input.a.plotCodes].sort(),
    bPlotCodes: [...input.b.plotCodes].sort(),
    exchangeDate: input.date,
    filingOn: filing.date,
    filingRef: filing.reference,
    filingBy: filing.by,
    townshipCode: a.row.townshipCode,
  });
  await em.flush();

  const plotsOf = (id: string) => [...a.plots, ...b.plots].filter((p) => p.contractId === id);
  const aMsg = contractToMsg(a.row, plotsOf(a.row.id));
  const bMsg = contractToMsg(b.row, plotsOf(b.row.id));
  const side = (
    row: ContractRow,
    msg: ContractMsg,
    counterpart: ContractRow,
    gives: string[],
    receives: string[],
  ): Change => ({
    aggregateType: 'contract',
    aggregateId: row.id,
    aggregateVersion: row.version,
    townshipCode: row.townshipCode,
    action: 'contract.plots-exchanged',
    state: msg,
    effectiveOn: input.date,
    event: {
      type: Events['land-contract'].PlotsExchanged,
      payload: {
        contract: msg,
        counterpartContractId: counterpart.id,
        givenPlotCodes: [...gives].sort(),
        receivedPlotCodes: [...receives].sort(),
        exchangeDate: input.date,
        filing: recordedActToMsg(filing),
      },
    },
  });
  await recordChanges(em, ctx, [
    side(a.row, aMsg, b.row, input.a.plotCodes, input.b.plotCodes),
    side(b.row, bMsg, a.row, input.b.plotCodes, input.a.plotCodes),
  ]);
  return { a: aMsg, b: bMsg };
}
