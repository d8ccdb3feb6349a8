import type {
  AdjustmentReason,
  AdjustmentSource,
  CollectiveResolution,
  ContractAmendment,
  ExtensionBatch,
  ExtensionSkippedContract,
  ExtensionSkipReason,
} from '@pingquan/contracts/pingquan/land_contract/v1/extension';
import type { ImportRegisterCsvResponse } from '@pingquan/contracts/pingquan/land_contract/v1/import';
import type { Plot } from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { violation } from '@pingquan/reference';
import type { GatewayContext } from '../context.js';
import { badUserInput, fromDownstream, orNull, runMutation } from '../errors.js';
import { divisionOf } from './base.js';

// GraphQL for the register import and the 30-year extension (延包) of land-contract's
// RegisterImportService and ExtensionService. Types it shares (Contract, UserError, ChangeInput,
// PlotInput) come from the land-contract part.

export const landContractExtensionTypeDefs = /* GraphQL */ `
  "What became of an imported register file."
  enum ImportOutcome {
    "Every record was written, with its audit entries and events."
    IMPORTED
    "Dry run: the file is valid; nothing was written."
    VALID
    "The file has errors; nothing was written."
    REJECTED
  }

  "One problem in an imported file, where a clerk finds it in the spreadsheet."
  type ImportRowError {
    "Spreadsheet row: the header is row 1; 0 for the whole file."
    row: Int!
    "Column header as written in the file; empty for the whole row."
    column: String!
    "Stable rule name, e.g. RESIDENT_ID_CHECK_CHARACTER."
    rule: String!
    "A sentence the clerk can act on."
    message: String!
  }

  "What an imported file holds (or, when rejected, would have made)."
  type ImportCounts {
    "Record rows, header excluded."
    rows: Int!
    "Households (承包方)."
    households: Int!
    "Household members."
    members: Int!
    "Contracts (one per household)."
    contracts: Int!
    "Plots (地块)."
    plots: Int!
    "Sum of the plots' contract areas."
    contractArea: Mu!
  }

  "Result of a register import: the outcome, the counts and every error found."
  type ImportRegisterCsvPayload {
    "Id of the stored import; null for a dry run or a rejected file."
    importId: ID
    "Imported, valid (dry run) or rejected."
    outcome: ImportOutcome!
    "What the file holds."
    counts: ImportCounts!
    "The first errors in file order (at most 1000); errorCount has the total."
    errors: [ImportRowError!]!
    "How many errors the file has in all."
    errorCount: Int!
    "zh or en: which header set the file used."
    headerLanguage: String!
    "SHA-256 of the file bytes, hex."
    fileSha256: String!
    "Refusals of the request itself (not of the file's rows), e.g. a role that may not write."
    userErrors: [UserError!]!
  }

  "One village's register file (layout: services/land-contract/docs/register-import.md)."
  input ImportRegisterCsvInput {
    "12-digit village code whose register the file holds."
    villageCode: String!
    "The file's text (UTF-8). Give this or csvBase64."
    csv: String
    "The file's bytes, base64: lets the service tell a GBK file from a UTF-8 one."
    csvBase64: String
    "Only validate; write nothing."
    dryRun: Boolean = false
    "Name of the file as saved, kept for the audit trail."
    fileName: String = ""
    "Why the register is imported; the idempotency key makes a retry return the first result."
    change: ChangeInput!
  }

  "The meeting body that decided."
  enum CollectiveResolutionBody {
    "成员大会 — the member meeting."
    MEMBER_MEETING
    "成员代表大会 — the members' representatives' meeting."
    REPRESENTATIVES_MEETING
  }

  "决议 — the meeting's decision that authorises an act."
  input CollectiveResolutionInput {
    "Which meeting decided."
    body: CollectiveResolutionBody!
    "What it decided; defaults to the matter the mutation needs (CONTRACT_EXTENSION, PLOT_ADJUSTMENT)."
    matter: String
    "Day of the meeting."
    meetingDate: Date!
    "Day members were notified (at least 10 days before a member meeting)."
    noticeDate: Date!
    "All members entitled to vote, not only those present."
    totalMembers: Int!
    "Members present."
    attending: Int!
    "Votes for (two thirds of all members are needed)."
    votesFor: Int!
    "Votes against."
    votesAgainst: Int!
    "Minutes or resolution document number."
    documentRef: String!
  }

  "Why a contract was left out of an extension batch."
  enum ExtensionSkipReason {
    "The issuer is not in the batch's scope."
    OUTSIDE_BATCH_SCOPE
    "Transferred, surrendered, reclaimed or terminated: no right left to extend."
    STATUS_ENDED
    "Already in its extended term."
    ALREADY_EXTENDED
    "Tender, auction or negotiated contracts run their own agreed term."
    NOT_FAMILY_CONTRACT
    "The contract's household is not in the register."
    HOUSEHOLD_UNKNOWN
    "The household lists no members."
    HOUSEHOLD_INVALID
    "承包方消亡: every member has died; the issuer reclaims instead."
    HOUSEHOLD_EXTINCT
    "The second round does not expire within the policy's window."
    NOT_DUE
    "Mortgaged, and the policy holds mortgaged contracts for review."
    ENCUMBRANCE_REVIEW_REQUIRED
  }

  "Contracts skipped for one reason, with their area."
  type ExtensionSkipCount {
    "Why they were skipped."
    reason: ExtensionSkipReason!
    "How many contracts."
    count: Int!
    "Their contract area."
    area: Mu!
  }

  "A contract an extension batch (or its preview) left out, and why."
  type ExtensionSkippedContract {
    "Id of the contract."
    contractId: ID!
    "19-character contract code."
    contractCode: String!
    "Id of the contracting household."
    householdId: ID!
    "Why it was skipped."
    reason: ExtensionSkipReason!
    "The reason in a sentence."
    detail: String!
    "Contract area."
    area: Mu!
  }

  "An edge of the skipped contracts of a batch."
  type ExtensionSkippedContractEdge {
    "Cursor of this contract."
    cursor: String!
    "The skipped contract."
    node: ExtensionSkippedContract!
  }

  "Skipped contracts of a batch in contract-code order."
  type ExtensionSkippedContractConnection {
    "Edges with cursors."
    edges: [ExtensionSkippedContractEdge!]!
    "The skipped contracts of this page."
    nodes: [ExtensionSkippedContract!]!
    "Where the page sits."
    pageInfo: PageInfo!
    "Skipped contracts matching the filter."
    totalCount: Int!
  }

  "Where a batch stands."
  enum ExtensionBatchStatus {
    "Chunks are being committed in the background."
    RUNNING
    "Every contract in scope has been decided."
    COMPLETED
  }

  """
  A batch of the 30-year extension (第二轮土地承包到期后再延长三十年) for one village or issuer.
  """
  type ExtensionBatch {
    "Id of the batch."
    id: ID!
    "12-digit village code or 14-digit issuer code."
    scopeCode: String!
    "The village the batch covers."
    village: Division
    "The township of that village."
    township: Division
    "Running or completed."
    status: ExtensionBatchStatus!
    "Batch date: decides which contracts are due."
    asOf: Date!
    "Document number of the member-meeting resolution that approved the batch."
    resolutionRef: String!
    "Extension policy version the batch runs under."
    policyVersion: String!
    "Contracts in scope when the batch started."
    totalContracts: Int!
    "Contracts decided so far."
    processedContracts: Int!
    "Share processed, 0–1."
    progress: Float!
    "Contracts extended."
    extendedCount: Int!
    "Contract area extended."
    extendedArea: Mu!
    "Extended contracts that were under mortgage."
    encumberedExtendedCount: Int!
    "Contracts skipped."
    skippedCount: Int!
    "Skipped contracts by reason."
    skipped: [ExtensionSkipCount!]!
    "Skipped contracts with their reason, in contract-code order."
    skippedContracts(first: Int = 20, after: String, reason: ExtensionSkipReason): ExtensionSkippedContractConnection!
    "When the batch was started."
    startedAt: DateTime!
    "When its last chunk committed."
    finishedAt: DateTime
    "Who started it."
    startedBy: String!
  }

  "An edge of the extension batch list."
  type ExtensionBatchEdge {
    "Cursor of this batch."
    cursor: String!
    "The batch."
    node: ExtensionBatch!
  }

  "Extension batches, newest first."
  type ExtensionBatchConnection {
    "Edges with cursors."
    edges: [ExtensionBatchEdge!]!
    "The batches of this page."
    nodes: [ExtensionBatch!]!
    "Where the page sits."
    pageInfo: PageInfo!
    "Batches matching the filter within your scope."
    totalCount: Int!
  }

  "A refusal or warning of a rule, as a note."
  type RuleNote {
    "Stable rule name."
    rule: String!
    "Input field it concerns."
    field: String!
    "A sentence a clerk can act on."
    message: String!
  }

  "Dry run of an extension batch."
  type ExtensionPreview {
    "Village or issuer code."
    scopeCode: String!
    "Batch date used."
    asOf: Date!
    "Extension policy version in effect on that date."
    policyVersion: String!
    "Contracts in scope."
    totalContracts: Int!
    "Contracts that would be extended."
    extendCount: Int!
    "Their contract area."
    extendArea: Mu!
    "Contracts that would be skipped."
    skippedCount: Int!
    "Skipped contracts by reason."
    skipped: [ExtensionSkipCount!]!
    "The first skipped contracts."
    skippedSample: [ExtensionSkippedContract!]!
    "Every reason startExtensionBatch would refuse now; empty when it would start."
    startRefusals: [RuleNote!]!
  }

  "Which batch to preview."
  input ExtensionBatchInput {
    "12-digit village code or 14-digit issuer code."
    scopeCode: String!
    "The resolution that would approve it; checked into startRefusals."
    resolution: CollectiveResolutionInput
    "Batch date; today when omitted."
    asOf: Date
  }

  "Starts the extension of a village or issuer."
  input StartExtensionBatchInput {
    "12-digit village code or 14-digit issuer code."
    scopeCode: String!
    "The member meeting's resolution on CONTRACT_EXTENSION."
    resolution: CollectiveResolutionInput!
    "Batch date; today when omitted."
    asOf: Date
    "Why; the idempotency key makes a retry return the first result."
    change: ChangeInput!
  }

  "The batch started (or already started by this scope and resolution)."
  type StartExtensionBatchPayload {
    "The batch."
    batch: ExtensionBatch
    "False when this scope and resolution had already started the batch returned."
    created: Boolean!
    "Rule refusals, e.g. RESOLUTION_TWO_THIRDS_OF_ALL or EXTENSION_PILOT_VILLAGES_FIRST."
    userErrors: [UserError!]!
  }

  "The only grounds for an individual adjustment within the term."
  enum AdjustmentReason {
    "Severe damage by natural disaster."
    SEVERE_DISASTER_DAMAGE
    "Land taken by requisition."
    LAND_REQUISITION
    "Another special case the meeting names (describe it in reasonNote)."
    OTHER_SPECIAL
  }

  "Where an added plot comes from."
  enum AdjustmentSource {
    "机动地 — reserve land."
    RESERVE_LAND
    "依法开垦 — newly reclaimed land."
    NEWLY_RECLAIMED
    "依法收回 / 自愿交回 — land returned to the collective."
    RETURNED
    "Taken off another household in the same adjustment (last resort)."
    OTHER_HOUSEHOLD
  }

  "A plot given to a household, with its source."
  input AddedPlotInput {
    "The plot."
    plot: PlotInput!
    "Where it comes from."
    source: AdjustmentSource!
  }

  "One household's change in an adjustment."
  input AdjustmentItemInput {
    "19-character contract code."
    contractCode: String!
    "Plots taken off the contract."
    removePlotCodes: [String!] = []
    "Plots added to the contract."
    addPlots: [AddedPlotInput!] = []
  }

  "A dated approval by an authority."
  input OfficialApprovalInput {
    "Day of the approval."
    date: Date!
    "Approval document number."
    reference: String!
    "The unit as it signed."
    by: String!
  }

  "个别调地 — individual plot adjustment for a special case."
  input AdjustPlotsInput {
    "14-digit issuer code."
    issuerCode: String!
    "The special ground."
    reason: AdjustmentReason!
    "What happened; required for OTHER_SPECIAL."
    reasonNote: String = ""
    "Day the adjustment takes effect."
    date: Date!
    "The households' changes."
    items: [AdjustmentItemInput!]!
    "The member meeting's resolution on PLOT_ADJUSTMENT (two thirds of all members)."
    resolution: CollectiveResolutionInput!
    "The township government's approval."
    townshipApproval: OfficialApprovalInput
    "The city agriculture department's approval."
    cityApproval: OfficialApprovalInput
    "Reserve, newly reclaimed and returned land the issuer has free."
    prioritySourceAvailable: Mu!
    "Why; the idempotency key makes a retry return the first result."
    change: ChangeInput!
  }

  "The adjusted contracts and their amendments."
  type AdjustPlotsPayload {
    "The contracts after the adjustment."
    contracts: [Contract!]!
    "One amendment per contract."
    amendmentIds: [ID!]!
    "Households whose land changed."
    affectedHouseholds: Int!
    "Affected households as a share of the issuer's, in basis points."
    shareBasisPoints: Int!
    "Accepted, but worth a second look (e.g. ADJUSTMENT_SHARE_HIGH)."
    warnings: [RuleNote!]!
    "Rule refusals, e.g. ADJUSTMENT_CITY_APPROVAL_REQUIRED."
    userErrors: [UserError!]!
  }

  "Kind of a contract amendment."
  enum AmendmentKind {
    "统一变更 of the term by the 30-year extension."
    TERM_EXTENSION
    "个别调地."
    PLOT_ADJUSTMENT
  }

  "An amendment written into contract, register and certificate; the certificate is not reissued."
  type ContractAmendment {
    "Id of the amendment."
    id: ID!
    "Term extension or plot adjustment."
    kind: AmendmentKind!
    "The extension batch, for a term extension."
    batchId: ID
    "Term end before the extension."
    oldTermEnd: Date
    "Start of the extended term (the second-round expiry)."
    newTermStart: Date
    "End of the extended term."
    newTermEnd: Date
    "Document number of the authorising resolution."
    resolutionRef: String!
    "Always false: certificates stay valid (不变不换)."
    certificateReissued: Boolean!
    "The amendment as recorded, JSON."
    detailJson: String!
    "When it was recorded."
    recordedAt: DateTime!
  }

  extend type Query {
    "Dry run of an extension batch: what would be extended and skipped, and why."
    extensionPreview(input: ExtensionBatchInput!): ExtensionPreview!
    "An extension batch with its progress; null when unknown or outside your scope."
    extensionBatch(id: ID!): ExtensionBatch
    "Extension batches, newest first."
    extensionBatches(townshipCode: String, scopeCode: String, first: Int = 20, after: String): ExtensionBatchConnection!
    "Amendments of a contract (by id or code), oldest first."
    contractAmendments(contractIdOrCode: String!): [ContractAmendment!]!
  }

  extend type Mutation {
    "Imports one village's register CSV, all or nothing, with a per-row error report."
    importRegisterCsv(input: ImportRegisterCsvInput!): ImportRegisterCsvPayload!
    "Starts the 30-year extension batch of a village or issuer; the same scope and resolution return the same batch."
    startExtensionBatch(input: StartExtensionBatchInput!): StartExtensionBatchPayload!
    "个别调地 with a two-thirds resolution and township and city approval, recorded as amendments."
    adjustPlots(input: AdjustPlotsInput!): AdjustPlotsPayload!
  }
`;

interface ChangeArg {
  reason?: string | null;
  documentRef?: string | null;
  idempotencyKey?: string | null;
}
const changeOf = (c: ChangeArg) => ({
  reason: c.reason ?? '',
  documentRef: c.documentRef ?? '',
  idempotencyKey: c.idempotencyKey ?? '',
});

interface ResolutionArg {
  body: 'MEMBER_MEETING' | 'REPRESENTATIVES_MEETING';
  matter?: string | null;
  meetingDate: string;
  noticeDate: string;
  totalMembers: number;
  attending: number;
  votesFor: number;
  votesAgainst: number;
  documentRef: string;
}

function resolutionOf(r: ResolutionArg | null | undefined, matter: string): CollectiveResolution | undefined {
  if (!r) return undefined;
  return {
    body: `COLLECTIVE_RESOLUTION_BODY_${r.body}`,
    matter: r.matter ?? matter,
    meetingDate: r.meetingDate,
    noticeDate: r.noticeDate,
    totalMembers: r.totalMembers,
    attending: r.attending,
    votesFor: r.votesFor,
    votesAgainst: r.votesAgainst,
    documentRef: r.documentRef,
  };
}

/** The service's keyset cursor of one item (its pages continue after the item's key). */
const keysetCursor = (key: string) => Buffer.from(`c:${key}`, 'utf8').toString('base64url');

const strip = (prefix: string) => (value: string) => value.replace(prefix, '');
const skipReasonIn = (r: string | null | undefined) =>
  r ? (`EXTENSION_SKIP_REASON_${r}` as ExtensionSkipReason) : 'EXTENSION_SKIP_REASON_UNSPECIFIED';

function pageSizeOf(first: number | null | undefined, max = 100): number {
  const n = first ?? 20;
  if (n < 1 || n > max)
    throw badUserInput([violation('PAGE_SIZE', 'first', `first must be between 1 and ${max}.`)]);
  return n;
}

interface PlotArg {
  code: string;
  name: string;
  contractArea: number;
  surveyedArea: number;
  landClass: string;
  basicFarmland?: boolean | null;
  boundaries: { east: string; south: string; west: string; north: string };
  geometryGeoJson?: string | null;
}

interface AdjustPlotsArgs {
  input: {
    issuerCode: string;
    reason: string;
    reasonNote?: string | null;
    date: string;
    items: {
      contractCode: string;
      removePlotCodes?: string[] | null;
      addPlots?: { plot: PlotArg; source: string }[] | null;
    }[];
    resolution: ResolutionArg;
    townshipApproval?: { date: string; reference: string; by: string } | null;
    cityApproval?: { date: string; reference: string; by: string } | null;
    prioritySourceAvailable: number;
    change: ChangeArg;
  };
}

export const landContractExtensionResolvers = {
  Query: {
    async extensionPreview(
      _: unknown,
      { input }: { input: { scopeCode: string; resolution?: ResolutionArg | null; asOf?: string | null } },
      ctx: GatewayContext,
    ) {
      try {
        return await ctx.downstream.extension.previewExtensionBatch(
          {
            scopeCode: input.scopeCode,
            resolution: resolutionOf(input.resolution, 'CONTRACT_EXTENSION'),
            asOfDate: input.asOf ?? '',
            skippedSampleSize: 20,
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
      } catch (error) {
        throw fromDownstream(error, 'input.');
      }
    },
    extensionBatch: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.extension
          .getExtensionBatch(
            {
              batchId: args.id,
              skippedReason: 'EXTENSION_SKIP_REASON_UNSPECIFIED',
              skippedPage: { pageSize: 1, pageToken: '' },
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.batch ?? null),
      ),
    async extensionBatches(
      _: unknown,
      args: {
        townshipCode?: string | null;
        scopeCode?: string | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: GatewayContext,
    ) {
      try {
        const r = await ctx.downstream.extension.listExtensionBatches(
          {
            townshipCode: args.townshipCode ?? '',
            scopeCode: args.scopeCode ?? '',
            page: { pageSize: pageSizeOf(args.first), pageToken: args.after ?? '' },
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        const endCursor = r.pageInfo?.nextPageToken || null;
        return {
          nodes: r.batches,
          edges: r.batches.map((node) => ({ node, cursor: keysetCursor(node.id) })),
          pageInfo: { hasNextPage: Boolean(endCursor), endCursor },
          totalCount: r.pageInfo?.totalCount ?? 0,
        };
      } catch (error) {
        throw fromDownstream(error);
      }
    },
    async contractAmendments(_: unknown, args: { contractIdOrCode: string }, ctx: GatewayContext) {
      try {
        const r = await ctx.downstream.extension.listContractAmendments(
          { contractIdOrCode: args.contractIdOrCode },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        return r.amendments;
      } catch (error) {
        throw fromDownstream(error);
      }
    },
  },
  Mutation: {
    importRegisterCsv: async (
      _: unknown,
      {
        input,
      }: {
        input: {
          villageCode: string;
          csv?: string | null;
          csvBase64?: string | null;
          dryRun?: boolean | null;
          fileName?: string | null;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) => {
      if ((input.csv == null) === (input.csvBase64 == null)) {
        throw badUserInput([
          violation(
            'CSV_REQUIRED',
            'input.csv',
            'Give the file as csv (text) or csvBase64 (bytes), one of the two.',
          ),
        ]);
      }
      const bytes =
        input.csv != null ? Buffer.from(input.csv, 'utf8') : Buffer.from(input.csvBase64 ?? '', 'base64');
      const payload = await runMutation('result', () =>
        ctx.downstream.registerImport.importRegisterCsv(
          {
            villageCode: input.villageCode,
            csv: bytes,
            dryRun: input.dryRun ?? false,
            fileName: input.fileName ?? '',
            context: changeOf(input.change),
          },
          { principal: ctx.principal, deadline: Math.max(ctx.deadlineMs, 120_000) },
        ),
      );
      const r = payload['result'] as ImportRegisterCsvResponse | null;
      // A refusal of the request itself (not of rows) leaves nothing imported: report it as rejected.
      return {
        importId: r?.importId || null,
        outcome: r ? strip('IMPORT_OUTCOME_')(r.outcome) : 'REJECTED',
        counts: r?.counts ?? {
          rows: 0,
          households: 0,
          members: 0,
          contracts: 0,
          plots: 0,
          contractAreaMu4: 0,
        },
        errors: r?.errors ?? [],
        errorCount: r?.errorCount ?? 0,
        headerLanguage: r?.headerLanguage ?? '',
        fileSha256: r?.fileSha256 ?? '',
        userErrors: payload['userErrors'] ?? [],
      };
    },
    startExtensionBatch: async (
      _: unknown,
      {
        input,
      }: { input: { scopeCode: string; resolution: ResolutionArg; asOf?: string | null; change: ChangeArg } },
      ctx: GatewayContext,
    ) => {
      let created = false;
      const payload = await runMutation('batch', async () => {
        const r = await ctx.downstream.extension.startExtensionBatch(
          {
            scopeCode: input.scopeCode,
            resolution: resolutionOf(input.resolution, 'CONTRACT_EXTENSION'),
            asOfDate: input.asOf ?? '',
            context: changeOf(input.change),
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        created = r.created;
        return r.batch;
      });
      return { ...payload, created };
    },
    adjustPlots: async (_: unknown, { input }: AdjustPlotsArgs, ctx: GatewayContext) => {
      let rest = {
        amendmentIds: [] as string[],
        affectedHouseholds: 0,
        shareBasisPoints: 0,
        warnings: [] as { rule: string; field: string; message: string }[],
      };
      const payload = await runMutation('contracts', async () => {
        const r = await ctx.downstream.extension.adjustPlots(
          {
            issuerCode: input.issuerCode,
            reason: `ADJUSTMENT_REASON_${input.reason}` as AdjustmentReason,
            reasonNote: input.reasonNote ?? '',
            date: input.date,
            items: input.items.map((item) => ({
              contractCode: item.contractCode,
              removePlotCodes: item.removePlotCodes ?? [],
              addPlots: (item.addPlots ?? []).map((a) => ({
                source: `ADJUSTMENT_SOURCE_${a.source}` as AdjustmentSource,
                plot: {
                  code: a.plot.code,
                  name: a.plot.name,
                  contractAreaMu4: a.plot.contractArea,
                  surveyedAreaMu4: a.plot.surveyedArea,
                  landClass: `LAND_CLASS_${a.plot.landClass}` as Plot['landClass'],
                  basicFarmland: a.plot.basicFarmland ?? false,
                  boundaries: a.plot.boundaries,
                  geometryGeojson: a.plot.geometryGeoJson ?? '',
                },
              })),
            })),
            resolution: resolutionOf(input.resolution, 'PLOT_ADJUSTMENT'),
            townshipApproval: input.townshipApproval ?? undefined,
            cityApproval: input.cityApproval ?? undefined,
            prioritySourceAvailableMu4: input.prioritySourceAvailable,
            context: changeOf(input.change),
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        rest = {
          amendmentIds: r.amendmentIds,
          affectedHouseholds: r.affectedHouseholds,
          shareBasisPoints: r.shareBasisPoints,
          warnings: r.warnings,
        };
        return r.contracts;
      });
      return { ...payload, contracts: payload['contracts'] ?? [], ...rest };
    },
  },
  ImportCounts: {
    contractArea: (c: { contractAreaMu4: number }) => c.contractAreaMu4,
  },
  ExtensionBatch: {
    status: (b: ExtensionBatch) => strip('EXTENSION_BATCH_STATUS_')(b.status),
    asOf: (b: ExtensionBatch) => b.asOfDate,
    village: (b: ExtensionBatch) => divisionOf(b.villageCode),
    township: (b: ExtensionBatch) => divisionOf(b.townshipCode),
    progress: (b: ExtensionBatch) =>
      b.totalContracts > 0 ? Math.min(1, b.processedContracts / b.totalContracts) : 1,
    extendedArea: (b: ExtensionBatch) => b.extendedAreaMu4,
    startedBy: (b: ExtensionBatch) => b.startedBy?.displayName || b.startedBy?.subject || '',
    finishedAt: (b: ExtensionBatch) => b.finishedAt ?? null,
    async skippedContracts(
      b: ExtensionBatch,
      args: { first?: number | null; after?: string | null; reason?: string | null },
      ctx: GatewayContext,
    ) {
      try {
        const r = await ctx.downstream.extension.getExtensionBatch(
          {
            batchId: b.id,
            skippedReason: skipReasonIn(args.reason),
            skippedPage: { pageSize: pageSizeOf(args.first, 500), pageToken: args.after ?? '' },
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        const endCursor = r.skippedPageInfo?.nextPageToken || null;
        return {
          nodes: r.skipped,
          edges: r.skipped.map((node) => ({ node, cursor: keysetCursor(node.contractCode) })),
          pageInfo: { hasNextPage: Boolean(endCursor), endCursor },
          totalCount: r.skippedPageInfo?.totalCount ?? 0,
        };
      } catch (error) {
        throw fromDownstream(error);
      }
    },
  },
  ExtensionSkipCount: {
    reason: (s: { reason: string }) => strip('EXTENSION_SKIP_REASON_')(s.reason),
    area: (s: { areaMu4: number }) => s.areaMu4,
  },
  ExtensionSkippedContract: {
    reason: (s: ExtensionSkippedContract) => strip('EXTENSION_SKIP_REASON_')(s.reason),
    area: (s: ExtensionSkippedContract) => s.areaMu4,
  },
  ExtensionPreview: {
    asOf: (p: { asOfDate: string }) => p.asOfDate,
    extendArea: (p: { extendAreaMu4: number }) => p.extendAreaMu4,
  },
  ContractAmendment: {
    kind: (a: ContractAmendment) => strip('AMENDMENT_KIND_')(a.kind),
    batchId: (a: ContractAmendment) => a.batchId || null,
    oldTermEnd: (a: ContractAmendment) => a.oldTermEndDate || null,
    newTermStart: (a: ContractAmendment) => a.newTermStartDate || null,
    newTermEnd: (a: ContractAmendment) => a.newTermEndDate || null,
  },
};
