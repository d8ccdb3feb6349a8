import { Events } from '@pingquan/contracts/catalogue';
import type { Contract as ContractMsg } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type {
  CompensationBreakdown as CompensationMsg,
  RuleFinding,
  Surrender as SurrenderMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  assertCanRead,
  assertCanWrite,
  type CommandContext,
  type EntityManager,
  newId,
  type Principal,
  recordChanges,
} from '@pingquan/kit';
import { type Fen, type LocalDate, todayInShanghai } from '@pingquan/reference';
import { assertTransition, checkInForce } from '../domain/contract-rules.js';
import type { RecordedAct } from '../domain/model.js';
import {
  type CompensationBreakdown,
  computeSurrenderCompensation,
  type SurrenderNotice,
  surrenderContract as surrenderRule,
} from '../domain/surrender.js';
import { contractAreaMu4 } from '../domain/term.js';
import { ReturnedPlotEntity, SurrenderEntity } from '../persistence/rights-entities.js';
import { contractToMsg } from './mapping.js';
import {
  badInput,
  checkNotFuture,
  checkUnencumberedNowAndThen,
  circulationsOf,
  encumbrancesOf,
  loadContract,
  loadHousehold,
  recordedActToMsg,
  rejectRule,
  scopeOfVillage,
  today,
  touch,
} from './rights-common.js';
import { surrenderPolicyOn } from './rights-policies.js';

// 自愿有偿退出 (LCL Arts 27, 30): the household gives its whole contract back to the collective, freely,
// on six months' written notice, accepted by the issuer, against the compensation of the policy in
// force on the surrender date — shown with its formula, in the preview and in the record.

export function compensationToMsg(c: CompensationBreakdown, areaMu4: number): CompensationMsg {
  return {
    policyVersion: c.policyVersion,
    formula: c.formula,
    terms: c.terms.map((t) => ({ name: t.name, value: t.value, note: t.note })),
    remainingDays: c.remaining.totalDays,
    remainingWholeYears: c.remaining.wholeYears,
    remainingExtraDays: c.remaining.extraDays,
    landCompensationFen: c.landCompensationFen,
    soilImprovementFen: c.soilImprovementFen,
    amountFen: c.amountFen,
    text: c.text,
    areaMu4,
  };
}

export interface PreviewInput {
  contractId: string;
  surrenderDate?: LocalDate;
  soilImprovementFen: Fen;
}

/** The compensation as the policy in force on the date computes it, and what would refuse it now. */
export async function previewSurrenderCompensation(
  em: EntityManager,
  principal: Principal,
  input: PreviewInput,
): Promise<{ compensation: CompensationMsg; blocking: RuleFinding[] }> {
  const { row, contract } = await loadContract(em, input.contractId);
  assertCanRead(principal, scopeOfVillage(row.villageCode));
  const todayDate = todayInShanghai();
  const date = input.surrenderDate ?? todayDate;
  const policy = await surrenderPolicyOn(em, date);
  const area = contractAreaMu4(contract);
  const breakdown = computeSurrenderCompensation(
    area,
    date,
    contract.termEnd,
    input.soilImprovementFen,
    policy,
  );
  const encumbrances = await encumbrancesOf(em, [row.id]);
  const blocking = [
    ...checkInForce(contract, date, 'contract'),
    ...assertTransition(contract.status, 'SURRENDERED', 'contract.status'),
    ...checkUnencumberedNowAndThen(contract, encumbrances, date, todayDate, 'contract'),
  ];
  return { compensation: compensationToMsg(breakdown, area), blocking };
}

export interface SurrenderInput {
  contractId: string;
  surrenderDate: LocalDate;
  notice: SurrenderNotice;
  voluntary: boolean;
  hukouCondition: boolean;
  compensationAgreed: boolean;
  soilImprovementFen: Fen;
  issuerAcceptance?: RecordedAct;
}

export async function surrenderContract(
  em: EntityManager,
  ctx: CommandContext,
  input: SurrenderInput,
): Promise<{ contract: ContractMsg; surrender: SurrenderMsg }> {
  const { row, plots, contract } = await loadContract(em, input.contractId, { lock: true });
  assertCanWrite(ctx.principal, scopeOfVillage(row.villageCode));
  const todayDate = today(ctx);
  badInput([
    ...checkNotFuture(input.surrenderDate, todayDate, 'surrenderDate'),
    ...checkNotFuture(input.notice.givenOn, todayDate, 'notice.givenOn'),
  ]);
  const { household } = await loadHousehold(em, row.householdId);
  const encumbrances = await encumbrancesOf(em, [row.id]);
  const policy = await surrenderPolicyOn(em, input.surrenderDate);
  const outcome = surrenderRule({
    contract,
    household,
    surrenderDate: input.surrenderDate,
    notice: input.notice,
    voluntary: input.voluntary,
    hukouCondition: input.hukouCondition,
    compensationAgreed: input.compensationAgreed,
    soilImprovementFen: input.soilImprovementFen,
    encumbrances,
    circulations: await circulationsOf(em, [row.id]),
    policy,
    ...(input.issuerAcceptance ? { issuerAcceptance: input.issuerAcceptance } : {}),
  });
  const encumbered = checkUnencumberedNowAndThen(
    contract,
    encumbrances,
    input.surrenderDate,
    todayDate,
    'contract',
  );
  if (!outcome.ok || encumbered.length > 0) {
    rejectRule([...(outcome.ok ? [] : outcome.violations), ...encumbered]);
  }
  const acceptance = input.issuerAcceptance as RecordedAct;
  const area = contractAreaMu4(contract);
  const { compensation, record } = outcome.value;

  row.status = 'SURRENDERED';
  touch(row, ctx.now);
  for (const plot of plots) {
    em.create(ReturnedPlotEntity, {
      plotCode: plot.code,
      issuerCode: row.issuerCode,
      villageCode: row.villageCode,
      townshipCode: row.townshipCode,
      fromContractId: row.id,
      reason: 'SURRENDERED',
      returnedOn: input.surrenderDate,
    });
  }
  const compensationMsg = compensationToMsg(compensation, area);
  const surrenderRow = em.create(SurrenderEntity, {
    id: newId(),
    contractId: row.id,
    householdId: row.householdId,
    issuerCode: row.issuerCode,
    villageCode: row.villageCode,
    townshipCode: row.townshipCode,
    surrenderedOn: input.surrenderDate,
    termEnd: record.termEnd,
    noticeGivenOn: input.notice.givenOn,
    noticeRef: input.notice.reference,
    acceptanceOn: acceptance.date,
    acceptanceRef: acceptance.reference,
    acceptanceBy: acceptance.by,
    areaMu4: area,
    soilImprovementFen: compensation.soilImprovementFen,
    landCompensationFen: compensation.landCompensationFen,
    compensationFen: compensation.amountFen,
    policyVersion: compensation.policyVersion,
    breakdown: compensationMsg,
    returnedPlotCodes: plots.map((p) => p.code).sort(),
  });
  await em.flush();

  const surrender: SurrenderMsg = {
    id: surrenderRow.id,
    contractId: row.id,
    householdId: row.householdId,
    surrenderedOn: input.surrenderDate,
    notice: { ...input.notice },
    issuerAcceptance: recordedActToMsg(acceptance),
    compensation: compensationMsg,
    returnedPlotCodes: plots.map((p) => p.code).sort(),
    noNewContractUntilDate: record.termEnd,
    continuingCirculationIds: outcome.value.continuingCirculations.map((c) => c.id),
  };
  const msg = contractToMsg(row, plots);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'contract.surrendered',
      state: msg,
      effectiveOn: input.surrenderDate,
      event: { type: Events['land-contract'].ContractSurrendered, payload: { contract: msg, surrender } },
    },
  ]);
  return { contract: msg, surrender };
}
