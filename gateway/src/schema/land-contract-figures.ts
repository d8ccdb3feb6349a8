import type { PageRequest } from '@pingquan/contracts/pingquan/common/v1/types';
import type { AggregateHistory, HistoryEntry } from '@pingquan/contracts/pingquan/land_contract/v1/history';
import { CITY_CODE, violation } from '@pingquan/reference';
import type { GatewayContext } from '../context.js';
import { badUserInput, fromDownstream, orNull } from '../errors.js';
import type { AreaFigures, LandFiguresView } from '../views.js';
import { resolveAsOf } from '../views.js';
import type { RequestContext } from '../views-context.js';
import { cursorOf, pageSizeOf } from './land-contract-certification.js';

// GraphQL for the leading group's and auditors' read views of land-contract: the land figures
// (LandFiguresService, through the views' per-request loader so a request asks once per date and
// township), and history and as-of reads of the audit log (LandHistoryService). Personal data in
// recorded states is masked by the service per role; the service logs every read by an auditor.

export const landContractFiguresTypeDefs = /* GraphQL */ `
  """
  Who made a recorded change: the principal and the role it acted in.
  """
  type HistoryActor {
    "Stable subject of the principal (user id, bank code or service name)."
    subject: String!
    "Role the principal acted in, e.g. LEAD_UNIT, TOWNSHIP_OFFICIAL, SERVICE."
    role: String!
  }

  """
  One recorded change of a contract, household or certification case (from the audit log).
  """
  type HistoryEntry {
    "1, 2, 3… in the order recorded."
    seq: Int!
    "Version of the record after the change."
    version: Int!
    "What happened, e.g. contract.registered, certification-case.stage-advanced."
    action: String!
    "Who made the change."
    actor: HistoryActor!
    "When it was recorded."
    at: DateTime!
    "Day the change takes legal effect."
    effectiveOn: Date!
    "Why, in words; null when a document reference was given instead."
    reason: String
    "Document reference (e.g. a meeting resolution number); null when none was given."
    documentRef: String
    "W3C trace id of the request that made the change."
    traceId: String
    "Id of the event published with the change; null when none was."
    eventId: ID
    "State of the record after the change, as JSON; personal ID numbers masked unless your role sees them."
    state: String!
  }

  """
  A page of a record's history (Relay connection), oldest first.
  """
  type HistoryEntryConnection {
    "The entries with their cursors."
    edges: [HistoryEntryEdge!]!
    "The entries of this page."
    nodes: [HistoryEntry!]!
    "Where this page sits."
    pageInfo: PageInfo!
    "Entries in the whole history."
    totalCount: Int!
    "Integrity findings over the whole history (e.g. HISTORY_SEQUENCE_GAP); empty when complete."
    findings: [RuleFinding!]!
    "Whether personal ID numbers in the states are shown unmasked (auditors and the register's keepers)."
    personalDataUnmasked: Boolean!
  }

  """
  A history entry with its cursor.
  """
  type HistoryEntryEdge {
    "Pass as after to continue after this entry."
    cursor: String!
    "The entry."
    node: HistoryEntry!
  }

  """
  A contract as it stood on a date, replayed from its recorded changes in order of legal effect.
  """
  type ContractAsOf {
    "The date asked for."
    asOf: Date!
    "False when the contract had not yet taken effect on that date."
    existed: Boolean!
    "The contract as it stood; null when it did not yet exist."
    contract: Contract
    "Number of recorded changes in effect on the date."
    changesApplied: Int!
    "Legal-effect day of the latest of them."
    lastChangeEffectiveOn: Date
  }

  """
  The leading group's land figures (领导小组) as of a date: the city (when asked for the whole city), each
  township and each village.
  """
  type LandFiguresReport {
    "The date the figures describe."
    asOf: Date!
    "The whole city; null when one township was asked for or your role sees only some townships."
    city: LandFigures
    "Each township, in code order."
    townships: [LandFigures!]!
    "Each village, in code order."
    villages: [LandFigures!]!
    "Figures the source could not give, each with why; empty when all are known."
    unavailable: [String!]!
  }

  extend type Query {
    "Every recorded change of a contract (by id or 19-digit code), oldest first; null when it does not exist or is outside your scope."
    contractHistory(
      "Contract id or 19-digit contract code."
      idOrCode: String!
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last entry of the previous page."
      after: String
    ): HistoryEntryConnection
    "Every recorded change of a household (by id or 18-digit contractor code), oldest first; null when it does not exist or is outside your scope."
    householdHistory(
      "Household id or 18-digit contractor code."
      idOrCode: String!
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last entry of the previous page."
      after: String
    ): HistoryEntryConnection
    "Every recorded change of a certification case (by case id or household id), oldest first."
    certificationCaseHistory(
      "Case id or household id."
      id: ID!
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last entry of the previous page."
      after: String
    ): HistoryEntryConnection
    "A contract as it stood on a date; null when it does not exist or is outside your scope."
    contractAsOf(
      "Contract id or 19-digit contract code."
      idOrCode: String!
      "The date (YYYY-MM-DD)."
      asOf: Date!
    ): ContractAsOf
    "The leading group's land figures as of a date (default today) for the city or one township."
    landFigures(
      "9-digit township code; the whole city when omitted."
      township: String
      "The date; today (Asia/Shanghai) when omitted."
      asOf: Date
    ): LandFiguresReport!
  }
`;

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const pageOf = (args: PageArgs): PageRequest => ({
  pageSize: pageSizeOf(args.first),
  pageToken: args.after ?? '',
});

function connectionOf(history: AggregateHistory | undefined) {
  const entries = history?.entries ?? [];
  const edges = entries.map((node) => ({ node, cursor: cursorOf(String(node.seq)) }));
  return {
    edges,
    nodes: entries,
    pageInfo: {
      hasNextPage: Boolean(history?.pageInfo?.nextPageToken),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: history?.pageInfo?.totalCount ?? 0,
    findings: history?.findings ?? [],
    personalDataUnmasked: history?.personalDataUnmasked ?? false,
  };
}

/** The shape views.ts resolves LandFigures from: the loaded view and one of its areas. */
function figuresOf(view: LandFiguresView, area: AreaFigures) {
  return { view, area, code: area.code };
}

export const landContractFiguresResolvers = {
  Query: {
    contractHistory: (_: unknown, args: PageArgs & { idOrCode: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landHistory
          .getContractHistory(
            { idOrCode: args.idOrCode, page: pageOf(args) },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => connectionOf(r.history)),
      ),
    householdHistory: (_: unknown, args: PageArgs & { idOrCode: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landHistory
          .getHouseholdHistory(
            { idOrCode: args.idOrCode, page: pageOf(args) },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => connectionOf(r.history)),
      ),
    certificationCaseHistory: (_: unknown, args: PageArgs & { id: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landHistory
          .getCertificationCaseHistory(
            { id: args.id, page: pageOf(args) },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => connectionOf(r.history)),
      ),
    contractAsOf: (_: unknown, args: { idOrCode: string; asOf: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landHistory
          .getContractAsOf(
            { idOrCode: args.idOrCode, asOfDate: args.asOf },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => ({ ...r, asOf: args.asOf, contract: r.contract ?? null })),
      ),
    async landFigures(
      _: unknown,
      args: { township?: string | null; asOf?: string | null },
      ctx: RequestContext,
    ) {
      if (args.township && !/^\d{9}$/.test(args.township)) {
        throw badUserInput([
          violation('CODE_FORMAT', 'township', 'township must be a 9-digit township code.'),
        ]);
      }
      const asOf = resolveAsOf(args.asOf);
      const view = await ctx.views.landFigures
        .load(`${asOf}|${args.township ?? ''}`)
        .catch((error: unknown) => {
          throw fromDownstream(error);
        });
      const areas = [...view.areas.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
      const city = view.areas.get(CITY_CODE);
      return {
        asOf: view.asOf,
        city: city ? figuresOf(view, city) : null,
        townships: areas.filter((a) => a.code.length === 9).map((a) => figuresOf(view, a)),
        villages: areas.filter((a) => a.code.length === 12).map((a) => figuresOf(view, a)),
        unavailable: view.unavailable,
      };
    },
  },
  CertificationCase: {
    history: (c: { id: string }, args: PageArgs, ctx: GatewayContext) =>
      ctx.downstream.landHistory
        .getCertificationCaseHistory(
          { id: c.id, page: pageOf(args) },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        )
        .then((r) => connectionOf(r.history))
        .catch((error: unknown) => {
          throw fromDownstream(error);
        }),
  },
  HistoryEntry: {
    version: (e: HistoryEntry) => e.aggregateVersion,
    actor: (e: HistoryEntry) => ({
      subject: e.actor?.subject ?? '',
      role: (e.actor?.role ?? 'ROLE_UNSPECIFIED').replace('ROLE_', ''),
    }),
    reason: (e: HistoryEntry) => e.reason || null,
    documentRef: (e: HistoryEntry) => e.documentRef || null,
    traceId: (e: HistoryEntry) => e.traceId || null,
    eventId: (e: HistoryEntry) => e.eventId || null,
    state: (e: HistoryEntry) => e.stateJson,
  },
  ContractAsOf: {
    lastChangeEffectiveOn: (r: { lastChangeEffectiveOn: string }) => r.lastChangeEffectiveOn || null,
  },
};
