import type {
  Collateral as CollateralMsg,
  CollateralScope,
  VerifyCollateralRequest,
} from '@pingquan/contracts/pingquan/land_contract/v1/collateral';
import type {
  Encumbrance as EncumbranceMsg,
  Transferee as TransfereeMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/rights';
import {
  type EntityManager,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  type Principal,
  seesPersonalData,
} from '@pingquan/kit';
import {
  type LocalDate,
  maskResidentId,
  type RuleViolation,
  todayInShanghai,
  violation,
} from '@pingquan/reference';
import { activeCirculationsOn } from '../domain/circulation.js';
import { collateralView, encumbrancesOn, securedTotalFen } from '../domain/encumbrance.js';
import type { Encumbrance, Transferee } from '../domain/model.js';
import { EncumbranceEntity } from '../persistence/rights-entities.js';
import { encumbranceToMsg } from './encumbrance.js';
import { landClassToMsg, statusToMsg } from './mapping.js';
import {
  canReadVillage,
  circulationsOf,
  encumbranceFromRow,
  loadContract,
  loadHousehold,
  rejectInput,
  scopeOfVillage,
} from './rights-common.js';

// 土地经营权抵押 — collateral checks for the exchange centre and cooperating banks: who holds the
// right, until when, over what area, and what already secures on it. Reads only.

/**
 * Who may check collateral: banks (the roles table gives them collateral checks and nothing else
 * here), the platform's services (property-mortgage), the exchange centre (track B's lead unit), and
 * whoever may read the record anyway.
 */
function assertMayCheck(principal: Principal, villageCode: string): void {
  const allowed =
    principal.role === 'COOPERATING_BANK' ||
    principal.role === 'SERVICE' ||
    (principal.role === 'LEAD_UNIT' && principal.track === 'B') ||
    canReadVillage(principal, villageCode);
  if (!allowed) throw new PermissionDeniedError();
}

function transfereeToMsg(t: Transferee, unmasked: boolean): TransfereeMsg {
  return {
    kind: `TRANSFEREE_KIND_${t.kind}` as TransfereeMsg['kind'],
    name: t.name,
    creditCode: t.creditCode ?? '',
    residentId: t.residentId ? (unmasked ? t.residentId : maskResidentId(t.residentId)) : '',
    householdId: t.householdId ?? '',
    memberOfCollective: t.memberOfCollective,
  };
}

const findings = (v: readonly RuleViolation[]) =>
  v.map((x) => ({ rule: x.rule, field: x.field, message: x.message }));

export async function verifyCollateral(
  em: EntityManager,
  principal: Principal,
  request: VerifyCollateralRequest,
): Promise<CollateralMsg> {
  const asOf: LocalDate = request.asOfDate || todayInShanghai();
  const { row, contract } = await loadContract(em, request.contractId);
  assertMayCheck(principal, row.villageCode);
  const unmasked = seesPersonalData(principal, scopeOfVillage(row.villageCode));
  const { row: householdRow, household } = await loadHousehold(em, row.householdId);
  const encumbranceRows = await em.find(EncumbranceEntity, { contractId: row.id });
  const encumbrances = encumbranceRows.flatMap((r) => encumbranceFromRow(r) ?? []);
  const msgOf = new Map(encumbranceRows.map((r) => [r.mortgageId, encumbranceToMsg(r, asOf)]));
  const toMsgs = (list: readonly Encumbrance[]): EncumbranceMsg[] =>
    list.flatMap((e) => msgOf.get(e.mortgageId) ?? []);
  const circulations = await circulationsOf(em, [row.id]);
  const view = collateralView({ contract, household, encumbrances, circulations, asOf });

  return {
    asOfDate: asOf,
    contractId: row.id,
    contractCode: row.code,
    issuerCode: row.issuerCode,
    townshipCode: row.townshipCode,
    holderHouseholdId: householdRow.id,
    holderHouseholdCode: householdRow.code,
    status: statusToMsg(row.status),
    eligible: view.eligible,
    ineligibility: findings(view.ineligibility),
    termEndDate: view.termEnd,
    remaining: view.remaining,
    areaMu4: view.areaMu4,
    plots: view.plots.map((p) => ({
      code: p.code,
      name: p.name,
      contractAreaMu4: p.contractAreaMu4,
      landClass: landClassToMsg(p.landClass),
      basicFarmland: p.basicFarmland,
      encumbered: p.encumbered,
      circulatedAreaMu4: p.circulatedAreaMu4,
    })),
    encumbrances: toMsgs(view.encumbrances),
    securedTotalFen: view.securedTotalFen,
    circulatedRights: view.circulatedRights.map((c) => ({
      circulationId: c.circulationId,
      transferee: transfereeToMsg(c.transferee, unmasked),
      plots: c.plots.map((p) => ({ plotCode: p.plotCode, areaMu4: p.areaMu4 })),
      areaMu4: c.areaMu4,
      termStartDate: c.termStart,
      termEndDate: c.termEnd,
      remaining: c.remaining,
      securableUntilDate: c.securableUntil,
      encumbrances: toMsgs(c.encumbrances),
      securedTotalFen: c.securedTotalFen,
    })),
    requested: requestedScope(request, view, circulations, encumbrances, asOf, toMsgs),
  };
}

/**
 * The part offered as security. A contractor may offer plots whose management right it still holds;
 * a transferee offers what its circulation covers, and secures only to the circulation's end.
 */
function requestedScope(
  request: VerifyCollateralRequest,
  view: ReturnType<typeof collateralView>,
  circulations: Awaited<ReturnType<typeof circulationsOf>>,
  encumbrances: readonly Encumbrance[],
  asOf: LocalDate,
  toMsgs: (list: readonly Encumbrance[]) => EncumbranceMsg[],
): CollateralScope {
  const v: RuleViolation[] = [];
  const contractPlots = new Map(view.plots.map((p) => [p.code, p]));
  request.plotCodes.forEach((code, i) => {
    if (!contractPlots.has(code))
      v.push(
        violation(
          'PLOT_NOT_IN_CONTRACT',
          `plotCodes[${i}]`,
          `Plot ${code} is not a plot of contract ${view.contractCode}.`,
        ),
      );
  });
  let codes = request.plotCodes.length > 0 ? request.plotCodes : [...contractPlots.keys()];
  let securableUntil = view.termEnd;
  let areaMu4: number;
  if (request.circulationId) {
    const c = circulations.find((x) => x.id === request.circulationId);
    const active = c !== undefined && activeCirculationsOn([c], asOf).length === 1;
    if (!c || !active) {
      v.push(
        violation(
          'CIRCULATION_NOT_ACTIVE',
          'circulationId',
          'The transferee must hold a circulation of this contract in force on the day.',
        ),
      );
    }
    const held = new Map((c?.plots ?? []).map((p) => [p.plotCode, p.areaMu4]));
    if (request.plotCodes.length === 0) codes = [...held.keys()];
    codes.forEach((code, i) => {
      if (!held.has(code))
        v.push(
          violation(
            'PLOT_NOT_IN_CIRCULATION',
            `plotCodes[${i}]`,
            `Plot ${code} is not part of circulation ${request.circulationId}.`,
          ),
        );
    });
    if (c) securableUntil = c.termEnd;
    areaMu4 = codes.reduce((sum, code) => sum + (held.get(code) ?? 0), 0);
  } else {
    const circulated = new Set(
      activeCirculationsOn(
        circulations.filter((c) => c.parentCirculationId === undefined),
        asOf,
      ).flatMap((c) => c.plots.map((p) => p.plotCode)),
    );
    codes.forEach((code, i) => {
      if (circulated.has(code)) {
        v.push(
          violation(
            'MANAGEMENT_RIGHT_CIRCULATED',
            `plotCodes[${i}]`,
            `The management right of plot ${code} is held by a transferee now; the transferee may offer it with the contractor's consent.`,
          ),
        );
      }
    });
    areaMu4 = codes.reduce((sum, code) => sum + (contractPlots.get(code)?.contractAreaMu4 ?? 0), 0);
  }
  const over = encumbrancesOn({ id: view.contractId }, encumbrances, asOf, codes);
  const ineligibility = [...view.ineligibility, ...v];
  return {
    plotCodes: [...codes].sort(),
    circulationId: request.circulationId,
    areaMu4,
    securableUntilDate: securableUntil,
    encumbrances: toMsgs(over),
    securedTotalFen: securedTotalFen(over),
    eligible: ineligibility.length === 0,
    ineligibility: findings(ineligibility),
  };
}

/** Up to 100 checks; what cannot be found (or seen) is reported as not found, not as a failure. */
export async function batchVerifyCollateral(
  em: EntityManager,
  principal: Principal,
  requests: readonly VerifyCollateralRequest[],
) {
  if (requests.length > 100) {
    rejectInput([violation('BATCH_TOO_LARGE', 'requests', 'At most 100 collateral checks per call.')]);
  }
  const results = [];
  for (const request of requests) {
    try {
      results.push({
        contractId: request.contractId,
        found: true,
        collateral: await verifyCollateral(em, principal, request),
      });
    } catch (error) {
      // One bad or unknown reference must not sink the other checks of the batch.
      if (
        error instanceof NotFoundError ||
        error instanceof PermissionDeniedError ||
        error instanceof InvalidInputError
      ) {
        results.push({ contractId: request.contractId, found: false, collateral: undefined });
      } else throw error;
    }
  }
  return results;
}
