import { Events } from '@pingquan/contracts/catalogue';
import type {
  Contract as ContractMsg,
  Household as HouseholdMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/register';
import type {
  ExtinctHousehold,
  Heir as HeirMsg,
  Reclamation,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  assertCanWrite,
  type CommandContext,
  type EntityManager,
  newId,
  type Principal,
  recordChanges,
  townshipFilter,
} from '@pingquan/kit';
import { type LocalDate, maskResidentId, violation } from '@pingquan/reference';
import { type Heir, type IncomeEntry, reclaimExtinctHousehold } from '../domain/extinction.js';
import { isHouseholdExtinct } from '../domain/household.js';
import { HouseholdEntity, MemberEntity } from '../persistence/entities.js';
import {
  ReclamationEntity,
  ReclamationHeirEntity,
  ReturnedPlotEntity,
} from '../persistence/rights-entities.js';
import { TRACK } from './context.js';
import { contractToMsg, householdToMsg } from './mapping.js';
import {
  badInput,
  checkNotFuture,
  checkUnencumberedNowAndThen,
  circulationsOf,
  encumbrancesOf,
  householdFromRows,
  loadContract,
  loadHousehold,
  rejectInput,
  rejectRule,
  scopeOfVillage,
  today,
  touch,
  unmaskedFor,
} from './rights-common.js';

// 承包方消亡 — a household dies out: deaths are recorded one by one, the extinct households are the
// issuer's work list, and the issuer reclaims (收回) their family contracts.

export interface RecordMemberDeathInput {
  householdId: string;
  residentId: string;
  deceasedOn: LocalDate;
}

export async function recordMemberDeath(
  em: EntityManager,
  ctx: CommandContext,
  input: RecordMemberDeathInput,
): Promise<{ household: HouseholdMsg; householdExtinct: boolean }> {
  const { row, members } = await loadHousehold(em, input.householdId, { lock: true });
  assertCanWrite(ctx.principal, scopeOfVillage(row.villageCode));
  badInput(checkNotFuture(input.deceasedOn, today(ctx), 'deceasedOn'));
  const member = members.find((m) => m.residentId === input.residentId);
  if (!member) {
    rejectInput([
      violation(
        'MEMBER_NOT_IN_HOUSEHOLD',
        'residentId',
        `No member with that resident ID belongs to household ${row.code}.`,
      ),
    ]);
  }
  if (!member.alive) {
    rejectRule([
      violation(
        'MEMBER_ALREADY_DECEASED',
        'residentId',
        `The death of this member was already recorded${member.deceasedOn ? ` (${member.deceasedOn})` : ''}.`,
      ),
    ]);
  }
  member.alive = false;
  member.deceasedOn = input.deceasedOn;
  touch(row, ctx.now);
  await em.flush();

  const householdExtinct = isHouseholdExtinct(householdFromRows(row, members));
  await recordChanges(em, ctx, [
    {
      aggregateType: 'household',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'household.member-deceased',
      state: householdToMsg(row, members, true),
      effectiveOn: input.deceasedOn,
      event: {
        type: Events['land-contract'].MemberDeceased,
        payload: {
          householdId: row.id,
          householdCode: row.code,
          residentId: maskResidentId(member.residentId),
          deceasedOn: input.deceasedOn,
          householdExtinct,
        },
      },
    },
  ]);
  return {
    household: householdToMsg(row, members, unmaskedFor(ctx.principal, row.villageCode)),
    householdExtinct,
  };
}

export interface ExtinctFilter {
  townshipCode?: string;
  issuerCode?: string;
}

/**
 * Households whose every member has died and that still hold a contract in force: what the issuers
 * have to reclaim. Keyset pages on the household code.
 */
export async function listExtinctHouseholds(
  em: EntityManager,
  principal: Principal,
  filter: ExtinctFilter,
  pageSize: number,
  after: string | undefined,
): Promise<{ households: ExtinctHousehold[]; nextCursor: string | undefined; total: number }> {
  const conditions = [
    'EXISTS (SELECT 1 FROM household_member m WHERE m.household_id = h.id)',
    'NOT EXISTS (SELECT 1 FROM household_member m WHERE m.household_id = h.id AND m.alive)',
    "EXISTS (SELECT 1 FROM contract c WHERE c.household_id = h.id AND c.status IN ('ACTIVE', 'EXTENDED'))",
  ];
  const params: unknown[] = [];
  if (filter.townshipCode) {
    conditions.push('h.township_code = ?');
    params.push(filter.townshipCode);
  }
  if (filter.issuerCode) {
    conditions.push('h.issuer_code = ?');
    params.push(filter.issuerCode);
  }
  const allowed = townshipFilter(principal, TRACK);
  if (allowed) {
    conditions.push('h.township_code = ANY(?::text[])');
    params.push(`{${allowed.join(',')}}`);
  }
  if (principal.role === 'VILLAGE_TASK_FORCE') {
    conditions.push('h.village_code = ANY(?::text[])');
    params.push(`{${(principal.villages ?? []).join(',')}}`);
  }
  const where = conditions.join(' AND ');
  const connection = em.getConnection();
  const [{ n } = { n: 0 }] = await connection.execute<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM household h WHERE ${where}`,
    params,
  );
  const ids = await connection.execute<{ id: string }[]>(
    `SELECT h.id FROM household h WHERE ${where}${after ? ' AND h.code > ?' : ''} ORDER BY h.code LIMIT ?`,
    [...params, ...(after ? [after] : []), pageSize + 1],
  );
  const page = ids.slice(0, pageSize).map((r) => r.id);
  const rows = await em.find(HouseholdEntity, { id: { $in: page } }, { orderBy: { code: 'asc' } });
  const members = await em.find(MemberEntity, { householdId: { $in: page } });
  const contracts = await connection.execute<{ id: string; household_id: string }[]>(
    `SELECT id, household_id FROM contract WHERE household_id = ANY(?::uuid[]) AND status IN ('ACTIVE', 'EXTENDED') ORDER BY code`,
    [`{${page.join(',')}}`],
  );
  const households = rows.map((row): ExtinctHousehold => {
    const own = members.filter((m) => m.householdId === row.id);
    const deaths = own.flatMap((m) => (m.deceasedOn ? [m.deceasedOn] : [])).sort();
    return {
      household: householdToMsg(row, own, unmaskedFor(principal, row.villageCode)),
      contractIdsInForce: contracts.filter((c) => c.household_id === row.id).map((c) => c.id),
      lastDeathOn: deaths[deaths.length - 1] ?? '',
    };
  });
  return {
    households,
    nextCursor: ids.length > pageSize ? rows[rows.length - 1]?.code : undefined,
    total: Number(n),
  };
}

export interface ReclaimInput {
  contractId: string;
  decidedOn: LocalDate;
  decisionRef: string;
  earnedIncome: IncomeEntry[];
  heirs: Heir[];
}

function heirsToMsg(heirs: readonly Heir[], unmasked: boolean): HeirMsg[] {
  return heirs.map((h) => ({
    name: h.name,
    residentId: h.residentId ? (unmasked ? h.residentId : maskResidentId(h.residentId)) : '',
    relation: h.relation,
    amountFen: h.amountFen,
  }));
}

/**
 * 收回: the issuer takes back the family contract of an extinct household. The contract becomes
 * RECLAIMED, its plots go to the issuer's pool for contracting anew, and the income the household
 * had earned passes to the named heirs in full.
 */
export async function reclaimContract(
  em: EntityManager,
  ctx: CommandContext,
  input: ReclaimInput,
): Promise<{ contract: ContractMsg; reclamation: Reclamation }> {
  const { row, plots, contract } = await loadContract(em, input.contractId, { lock: true });
  assertCanWrite(ctx.principal, scopeOfVillage(row.villageCode));
  const todayDate = today(ctx);
  badInput(checkNotFuture(input.decidedOn, todayDate, 'decidedOn'));
  const { household } = await loadHousehold(em, row.householdId);
  const encumbrances = await encumbrancesOf(em, [row.id]);
  const outcome = reclaimExtinctHousehold({
    contract,
    household,
    decidedOn: input.decidedOn,
    decisionRef: input.decisionRef,
    earnedIncome: input.earnedIncome,
    heirs: input.heirs,
    encumbrances,
    circulations: await circulationsOf(em, [row.id]),
    today: todayDate,
  });
  const encumbered = checkUnencumberedNowAndThen(
    contract,
    encumbrances,
    input.decidedOn,
    todayDate,
    'contract',
  );
  if (!outcome.ok || encumbered.length > 0) {
    rejectRule([...(outcome.ok ? [] : outcome.violations), ...encumbered]);
  }

  row.status = 'RECLAIMED';
  touch(row, ctx.now);
  for (const plot of plots) {
    em.create(ReturnedPlotEntity, {
      plotCode: plot.code,
      issuerCode: row.issuerCode,
      villageCode: row.villageCode,
      townshipCode: row.townshipCode,
      fromContractId: row.id,
      reason: 'RECLAIMED',
      returnedOn: input.decidedOn,
    });
  }
  em.create(ReclamationEntity, {
    contractId: row.id,
    householdId: row.householdId,
    townshipCode: row.townshipCode,
    decidedOn: input.decidedOn,
    decisionRef: input.decisionRef.trim(),
    earnedIncome: input.earnedIncome.map((e) => ({ ...e })),
    totalIncomeFen: outcome.value.totalIncomeFen,
    returnedPlotCodes: plots.map((p) => p.code).sort(),
  });
  input.heirs.forEach((heir, seq) => {
    em.create(ReclamationHeirEntity, {
      id: newId(),
      contractId: row.id,
      seq,
      name: heir.name.trim(),
      residentId: heir.residentId ?? null,
      relation: heir.relation.trim(),
      amountFen: heir.amountFen,
    });
  });
  await em.flush();

  const reclamation = (unmasked: boolean): Reclamation => ({
    contractId: row.id,
    householdId: row.householdId,
    decidedOn: input.decidedOn,
    decisionRef: input.decisionRef.trim(),
    earnedIncome: input.earnedIncome.map((e) => ({ ...e })),
    totalIncomeFen: outcome.value.totalIncomeFen,
    heirs: heirsToMsg(input.heirs, unmasked),
    returnedPlotCodes: plots.map((p) => p.code).sort(),
    continuingCirculationIds: outcome.value.continuingCirculations.map((c) => c.id),
  });
  const msg = contractToMsg(row, plots);
  await recordChanges(em, ctx, [
    {
      aggregateType: 'contract',
      aggregateId: row.id,
      aggregateVersion: row.version,
      townshipCode: row.townshipCode,
      action: 'contract.reclaimed',
      // A contract's recorded state is its message (history replays it); the reclaim is in the event and its table.
      state: msg,
      effectiveOn: input.decidedOn,
      event: {
        type: Events['land-contract'].ContractReclaimed,
        payload: { contract: msg, reclamation: reclamation(false) },
      },
    },
  ]);
  return { contract: msg, reclamation: reclamation(unmaskedFor(ctx.principal, row.villageCode)) };
}
