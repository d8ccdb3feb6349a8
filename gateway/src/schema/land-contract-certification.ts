import type { ChangeContext } from '@pingquan/contracts/pingquan/common/v1/types';
import type {
  CertificationCase,
  CertificationLegacyCase,
  CertificationObjection,
  CertificationRegisterEntry,
  LegacyCaseKind as LegacyKindMsg,
  LegacyCaseState as LegacyStateMsg,
  CertificationStage as StageMsg,
} from '@pingquan/contracts/pingquan/land_contract/v1/certification';
import { violation } from '@pingquan/reference';
import type { GatewayContext } from '../context.js';
import { badUserInput, fromDownstream, orNull, runMutation } from '../errors.js';
import { divisionOf } from './base.js';

// GraphQL for land-contract's certification campaign (确权登记颁证, CertificationService). Types it
// shares come from other parts: Household, ChangeInput and UserError (land-contract), RuleFinding
// (land-contract-rights), HistoryEntryConnection (land-contract-figures).

export const landContractCertificationTypeDefs = /* GraphQL */ `
  """
  Stage of a household in the certification campaign (确权登记颁证), in the only order allowed.
  """
  enum CertificationStage {
    "实测 — plots surveyed."
    SURVEYED
    "公示 — survey results posted for public notice; objections are taken during the window."
    PUBLICLY_NOTICED
    "签订合同 — contract signed."
    SIGNED
    "登记 — entered in the register (登记簿)."
    REGISTERED
    "颁证 — certificate (土地承包经营权证) issued."
    CERTIFIED
  }

  """
  遗留问题 — kind of a leftover case that must be settled before the certificate is issued.
  """
  enum LegacyCaseKind {
    "权属纠纷 — a dispute over ownership or boundaries."
    BOUNDARY_DISPUTE
    "信访 — a petition case."
    PETITION
    "Any other leftover case."
    OTHER
  }

  """
  State of a legacy case: OPEN → IN_PROGRESS → CLOSED (or OPEN → CLOSED).
  """
  enum LegacyCaseState {
    "Opened, nobody working on it yet."
    OPEN
    "Being settled by its owner."
    IN_PROGRESS
    "Settled; no longer blocks the certificate."
    CLOSED
  }

  """
  Kind of an entry of the register (登记簿).
  """
  enum RegisterEntryKind {
    "首次登记 — the household's contracts entered in the register."
    INITIAL_REGISTRATION
    "颁证 — the certificate was issued."
    CERTIFICATE_ISSUED
    "Linked to the unified real-estate register (不动产统一登记)."
    REAL_ESTATE_LINKED
  }

  """
  异议 — an objection raised against a household's public notice. While unresolved it stops the household from moving on.
  """
  type CertificationObjection {
    "Id of the objection (UUID)."
    id: ID!
    "Day it was raised, within the notice window."
    raisedOn: Date!
    "Who raised it, as written on the objection."
    raisedBy: String!
    "What it is about."
    subject: String!
    "Whether it has been resolved."
    resolved: Boolean!
    "Day it was resolved; null while open."
    resolvedOn: Date
    "How it was settled; null while open."
    resolution: String
  }

  """
  遗留问题 — a legacy case of a household (dispute, petition). Until CLOSED it stops the certificate.
  """
  type CertificationLegacyCase {
    "Id of the legacy case (UUID)."
    id: ID!
    "Dispute, petition or other."
    kind: LegacyCaseKind!
    "包案人 — the person or unit responsible for settling it."
    owner: String!
    "Where it stands."
    state: LegacyCaseState!
    "Day it was opened."
    openedOn: Date!
    "Day it was closed; null until then."
    closedOn: Date
    "Notes on the case and how it was settled."
    note: String!
  }

  """
  One entry of the register (登记簿) for the household.
  """
  type CertificationRegisterEntry {
    "1, 2, 3… per household."
    seq: Int!
    "What the entry records."
    kind: RegisterEntryKind!
    "Day it was entered."
    recordedOn: Date!
    "登记簿编号, when the register book has one."
    registerBookNo: String
    "承包合同编码 of the contracts the entry covers."
    contractCodes: [String!]!
    "Total contract area of those contracts when entered."
    totalArea: Mu!
    "Certificate number, on entries from the certificate on."
    certificateNo: String
    "Unified real-estate register number, once linked."
    realEstateRegisterNo: String
  }

  """
  土地承包经营权证 — the land contracting and management right certificate.
  """
  type LandContractCertificate {
    "Certificate number."
    number: String!
    "Day it was issued."
    issuedOn: Date!
  }

  """
  One household's case in the certification campaign (确权登记颁证).
  """
  type CertificationCase {
    "Id of the case (UUID)."
    id: ID!
    "The household (masked per your role)."
    household: Household
    "承包方编码 of the household."
    householdCode: String!
    "Township of the household."
    township: Division
    "Village of the household."
    village: Division
    "Current stage; null until the survey is done."
    stage: CertificationStage
    "Day the plots were surveyed."
    surveyedOn: Date
    "Day the public notice was posted."
    publiclyNoticedOn: Date
    "Day the contract was signed."
    signedOn: Date
    "Day the household was entered in the register."
    registeredOn: Date
    "Day the certificate was issued."
    certifiedOn: Date
    "Days of the public notice applied (the policy in effect on the notice date); null before the notice."
    noticeWindowDays: Int
    "First day after the notice window; null before the notice."
    noticeWindowEnd: Date
    "Objections against the public notice, oldest first."
    objections: [CertificationObjection!]!
    "Legacy cases (遗留问题), oldest first."
    legacyCases: [CertificationLegacyCase!]!
    "The certificate, once issued."
    certificate: LandContractCertificate
    "Entries of the register (登记簿), in order."
    registerEntries: [CertificationRegisterEntry!]!
    "不动产统一登记 number; null when none is linked."
    realEstateRegisterNo: String
    "The next stage; null when certified."
    nextStage: CertificationStage
    "What would stop the next stage if it were attempted today: unresolved objections, open legacy cases, the notice window still running."
    blockers: [RuleFinding!]!
    "Optimistic-locking version; increases with every change."
    version: Int!
    "Every change of the case with who, when and why (the audit log), oldest first."
    history(
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last entry of the previous page."
      after: String
    ): HistoryEntryConnection!
  }

  """
  A page of certification cases (Relay connection), in household-code order.
  """
  type CertificationCaseConnection {
    "The cases with their cursors."
    edges: [CertificationCaseEdge!]!
    "The cases of this page."
    nodes: [CertificationCase!]!
    "Where this page sits."
    pageInfo: PageInfo!
    "Cases matching the filter within your scope."
    totalCount: Int!
  }

  """
  A certification case with its cursor.
  """
  type CertificationCaseEdge {
    "Pass as after to continue after this case."
    cursor: String!
    "The case."
    node: CertificationCase!
  }

  """
  Narrows a list of certification cases.
  """
  input CertificationCaseFilter {
    "9-digit township code."
    townshipCode: String
    "12-digit village code."
    villageCode: String
    "Only cases at this stage."
    stage: CertificationStage
    "Only cases held back by an unresolved objection or a legacy case not closed."
    blockedOnly: Boolean = false
  }

  """
  Moves a household to the next stage of the campaign.
  """
  input AdvanceCertificationStageInput {
    "The household (UUID)."
    householdId: ID!
    "The stage to move to; it must be the next one."
    stage: CertificationStage!
    "Day the stage was reached; for CERTIFIED the certificate's issue date."
    date: Date!
    "Required for CERTIFIED: the certificate number."
    certificateNo: String
    "For REGISTERED: the register book number (登记簿编号), if any."
    registerBookNo: String
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of advanceCertificationStage.
  """
  type AdvanceCertificationStagePayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "Business-rule refusals (e.g. NOTICE_WINDOW_OPEN, OBJECTION_UNRESOLVED, LEGACY_CASE_OPEN, CERTIFICATION_STAGE_ORDER)."
    userErrors: [UserError!]!
  }

  """
  Records an objection against a household's public notice.
  """
  input RaiseCertificationObjectionInput {
    "The household (UUID)."
    householdId: ID!
    "Day it was raised; must fall within the notice window."
    raisedOn: Date!
    "Who raised it."
    raisedBy: String!
    "What it is about."
    subject: String!
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of raiseCertificationObjection.
  """
  type RaiseCertificationObjectionPayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "The objection recorded; null when refused."
    objection: CertificationObjection
    "Business-rule refusals (e.g. NOTICE_WINDOW_CLOSED)."
    userErrors: [UserError!]!
  }

  """
  Resolves an objection.
  """
  input ResolveCertificationObjectionInput {
    "The household (UUID)."
    householdId: ID!
    "The objection (UUID)."
    objectionId: ID!
    "Day it was resolved."
    resolvedOn: Date!
    "How it was settled."
    resolution: String!
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of resolveCertificationObjection.
  """
  type ResolveCertificationObjectionPayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "Business-rule refusals (e.g. OBJECTION_ALREADY_RESOLVED)."
    userErrors: [UserError!]!
  }

  """
  Opens a legacy case (遗留问题) for a household.
  """
  input OpenLegacyCaseInput {
    "The household (UUID)."
    householdId: ID!
    "Dispute, petition or other."
    kind: LegacyCaseKind!
    "包案人 — who is responsible for settling it."
    owner: String!
    "Day it was opened."
    openedOn: Date!
    "What it is about."
    note: String = ""
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of openLegacyCase.
  """
  type OpenLegacyCasePayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "The legacy case opened; null when refused."
    legacyCase: CertificationLegacyCase
    "Business-rule refusals."
    userErrors: [UserError!]!
  }

  """
  Moves a legacy case on.
  """
  input UpdateLegacyCaseInput {
    "The household (UUID)."
    householdId: ID!
    "The legacy case (UUID)."
    legacyCaseId: ID!
    "IN_PROGRESS or CLOSED."
    state: LegacyCaseState!
    "Day of the change."
    date: Date!
    "How it moved on; required when closing."
    note: String = ""
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of updateLegacyCase.
  """
  type UpdateLegacyCasePayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "Business-rule refusals (e.g. LEGACY_CASE_TRANSITION)."
    userErrors: [UserError!]!
  }

  """
  Links a household to the unified real-estate register.
  """
  input LinkRealEstateRegisterInput {
    "The household (UUID)."
    householdId: ID!
    "不动产统一登记 number, as the registry writes it."
    realEstateRegisterNo: String!
    "Day of the link; today when omitted."
    date: Date
    "Why: a reason or a document reference."
    change: ChangeInput!
  }

  """
  Result of linkRealEstateRegister.
  """
  type LinkRealEstateRegisterPayload {
    "The case after the change; null when refused."
    certificationCase: CertificationCase
    "Business-rule refusals (e.g. REAL_ESTATE_ALREADY_LINKED)."
    userErrors: [UserError!]!
  }

  extend type Household {
    "The household's case in the certification campaign (确权登记颁证); null when it has none."
    certificationCase: CertificationCase
  }

  extend type Query {
    "A certification case by its id or by its household's id; null when none exists or it is outside your scope."
    certificationCase(id: ID!): CertificationCase
    "Certification cases, filtered, in household-code order, Relay-style paginated (at most 100 per page)."
    certificationCases(
      "Narrow the list."
      filter: CertificationCaseFilter
      "Page size, 1 to 100."
      first: Int = 20
      "Cursor of the last case of the previous page."
      after: String
    ): CertificationCaseConnection!
  }

  extend type Mutation {
    "Moves a household to the next stage of the certification campaign (the first call, to SURVEYED, opens its case)."
    advanceCertificationStage(input: AdvanceCertificationStageInput!): AdvanceCertificationStagePayload!
    "Records an objection (异议) against a household's public notice, while the notice window is open."
    raiseCertificationObjection(input: RaiseCertificationObjectionInput!): RaiseCertificationObjectionPayload!
    "Resolves an objection against a household's public notice."
    resolveCertificationObjection(input: ResolveCertificationObjectionInput!): ResolveCertificationObjectionPayload!
    "Opens a legacy case (遗留问题) for a household; it blocks the certificate until closed."
    openLegacyCase(input: OpenLegacyCaseInput!): OpenLegacyCasePayload!
    "Moves a legacy case to IN_PROGRESS or CLOSED."
    updateLegacyCase(input: UpdateLegacyCaseInput!): UpdateLegacyCasePayload!
    "Links a household to the unified real-estate register (不动产统一登记)."
    linkRealEstateRegister(input: LinkRealEstateRegisterInput!): LinkRealEstateRegisterPayload!
  }
`;

interface ChangeArg {
  reason?: string | null;
  documentRef?: string | null;
  idempotencyKey?: string | null;
}
const changeOf = (c: ChangeArg): ChangeContext => ({
  reason: c.reason ?? '',
  documentRef: c.documentRef ?? '',
  idempotencyKey: c.idempotencyKey ?? '',
});
const bare = (prefix: string) => (value: string) =>
  value.endsWith('_UNSPECIFIED') ? null : value.replace(prefix, '');
const stage = bare('CERTIFICATION_STAGE_');
const orNullText = (s: string) => s || null;

interface CasesArgs {
  filter?: {
    townshipCode?: string | null;
    villageCode?: string | null;
    stage?: string | null;
    blockedOnly?: boolean | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

function checkCode(value: string | null | undefined, digits: number, field: string): void {
  if (value && !new RegExp(`^\\d{${digits}}$`).test(value)) {
    throw badUserInput([violation('CODE_FORMAT', field, `${field} must be ${digits} digits.`)]);
  }
}

export function pageSizeOf(first: number | null | undefined): number {
  const size = first ?? 20;
  if (size < 1 || size > 100)
    throw badUserInput([violation('PAGE_SIZE', 'first', 'first must be between 1 and 100.')]);
  return size;
}

/** The cursor of one item, in the service's own page-token format (any item's cursor continues after it). */
export const cursorOf = (key: string) => Buffer.from(`c:${key}`, 'utf8').toString('base64url');

export const landContractCertificationResolvers = {
  Query: {
    certificationCase: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.certification
          .getCertificationCase({ id: args.id }, { principal: ctx.principal, deadline: ctx.deadlineMs })
          .then((r) => r.certificationCase ?? null),
      ),
    async certificationCases(_: unknown, args: CasesArgs, ctx: GatewayContext) {
      const first = pageSizeOf(args.first);
      checkCode(args.filter?.townshipCode, 9, 'filter.townshipCode');
      checkCode(args.filter?.villageCode, 12, 'filter.villageCode');
      try {
        const result = await ctx.downstream.certification.listCertificationCases(
          {
            page: { pageSize: first, pageToken: args.after ?? '' },
            townshipCode: args.filter?.townshipCode ?? '',
            villageCode: args.filter?.villageCode ?? '',
            stage: args.filter?.stage
              ? (`CERTIFICATION_STAGE_${args.filter.stage}` as StageMsg)
              : 'CERTIFICATION_STAGE_UNSPECIFIED',
            blockedOnly: args.filter?.blockedOnly ?? false,
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        const edges = result.cases.map((node) => ({ node, cursor: cursorOf(node.householdCode) }));
        return {
          nodes: result.cases,
          edges,
          pageInfo: {
            hasNextPage: Boolean(result.pageInfo?.nextPageToken),
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
          totalCount: result.pageInfo?.totalCount ?? 0,
        };
      } catch (error) {
        throw fromDownstream(error, 'filter.');
      }
    },
  },
  Mutation: {
    advanceCertificationStage: (
      _: unknown,
      {
        input,
      }: {
        input: {
          householdId: string;
          stage: string;
          date: string;
          certificateNo?: string | null;
          registerBookNo?: string | null;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) =>
      runMutation('certificationCase', () =>
        ctx.downstream.certification
          .advanceCertificationStage(
            {
              householdId: input.householdId,
              stage: `CERTIFICATION_STAGE_${input.stage}` as StageMsg,
              date: input.date,
              certificateNo: input.certificateNo ?? '',
              registerBookNo: input.registerBookNo ?? '',
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.certificationCase),
      ),
    async raiseCertificationObjection(
      _: unknown,
      {
        input,
      }: {
        input: {
          householdId: string;
          raisedOn: string;
          raisedBy: string;
          subject: string;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) {
      let objectionId = '';
      const result = await runMutation('certificationCase', async () => {
        const r = await ctx.downstream.certification.raiseCertificationObjection(
          {
            householdId: input.householdId,
            raisedOn: input.raisedOn,
            raisedBy: input.raisedBy,
            subject: input.subject,
            context: changeOf(input.change),
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        objectionId = r.objectionId;
        return r.certificationCase;
      });
      const c = result['certificationCase'] as CertificationCase | null;
      return { ...result, objection: c?.objections.find((o) => o.id === objectionId) ?? null };
    },
    resolveCertificationObjection: (
      _: unknown,
      {
        input,
      }: {
        input: {
          householdId: string;
          objectionId: string;
          resolvedOn: string;
          resolution: string;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) =>
      runMutation('certificationCase', () =>
        ctx.downstream.certification
          .resolveCertificationObjection(
            {
              householdId: input.householdId,
              objectionId: input.objectionId,
              resolvedOn: input.resolvedOn,
              resolution: input.resolution,
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.certificationCase),
      ),
    async openLegacyCase(
      _: unknown,
      {
        input,
      }: {
        input: {
          householdId: string;
          kind: string;
          owner: string;
          openedOn: string;
          note?: string | null;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) {
      let legacyCaseId = '';
      const result = await runMutation('certificationCase', async () => {
        const r = await ctx.downstream.certification.openLegacyCase(
          {
            householdId: input.householdId,
            kind: `LEGACY_CASE_KIND_${input.kind}` as LegacyKindMsg,
            owner: input.owner,
            openedOn: input.openedOn,
            note: input.note ?? '',
            context: changeOf(input.change),
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        legacyCaseId = r.legacyCaseId;
        return r.certificationCase;
      });
      const c = result['certificationCase'] as CertificationCase | null;
      return { ...result, legacyCase: c?.legacyCases.find((l) => l.id === legacyCaseId) ?? null };
    },
    updateLegacyCase: (
      _: unknown,
      {
        input,
      }: {
        input: {
          householdId: string;
          legacyCaseId: string;
          state: string;
          date: string;
          note?: string | null;
          change: ChangeArg;
        };
      },
      ctx: GatewayContext,
    ) =>
      runMutation('certificationCase', () =>
        ctx.downstream.certification
          .updateLegacyCase(
            {
              householdId: input.householdId,
              legacyCaseId: input.legacyCaseId,
              state: `LEGACY_CASE_STATE_${input.state}` as LegacyStateMsg,
              date: input.date,
              note: input.note ?? '',
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.certificationCase),
      ),
    linkRealEstateRegister: (
      _: unknown,
      {
        input,
      }: {
        input: { householdId: string; realEstateRegisterNo: string; date?: string | null; change: ChangeArg };
      },
      ctx: GatewayContext,
    ) =>
      runMutation('certificationCase', () =>
        ctx.downstream.certification
          .linkRealEstateRegister(
            {
              householdId: input.householdId,
              realEstateRegisterNo: input.realEstateRegisterNo,
              date: input.date ?? '',
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.certificationCase),
      ),
  },
  Household: {
    certificationCase: (h: { id: string }, _: unknown, ctx: GatewayContext) =>
      ctx.loaders.certificationCaseByHousehold.load(h.id),
  },
  CertificationCase: {
    household: (c: CertificationCase, _: unknown, ctx: GatewayContext) =>
      ctx.loaders.household.load(c.householdId),
    township: (c: CertificationCase) => divisionOf(c.townshipCode),
    village: (c: CertificationCase) => divisionOf(c.villageCode),
    stage: (c: CertificationCase) => stage(c.stage),
    nextStage: (c: CertificationCase) => stage(c.nextStage),
    surveyedOn: (c: CertificationCase) => orNullText(c.stageDates?.surveyedOn ?? ''),
    publiclyNoticedOn: (c: CertificationCase) => orNullText(c.stageDates?.publiclyNoticedOn ?? ''),
    signedOn: (c: CertificationCase) => orNullText(c.stageDates?.signedOn ?? ''),
    registeredOn: (c: CertificationCase) => orNullText(c.stageDates?.registeredOn ?? ''),
    certifiedOn: (c: CertificationCase) => orNullText(c.stageDates?.certifiedOn ?? ''),
    noticeWindowDays: (c: CertificationCase) => c.noticeWindowDays || null,
    noticeWindowEnd: (c: CertificationCase) => orNullText(c.noticeWindowEndDate),
    certificate: (c: CertificationCase) => c.certificate ?? null,
    realEstateRegisterNo: (c: CertificationCase) => orNullText(c.realEstateRegisterNo),
  },
  CertificationObjection: {
    resolved: (o: CertificationObjection) => o.resolvedOn !== '',
    resolvedOn: (o: CertificationObjection) => orNullText(o.resolvedOn),
    resolution: (o: CertificationObjection) => orNullText(o.resolution),
  },
  CertificationLegacyCase: {
    kind: (l: CertificationLegacyCase) => bare('LEGACY_CASE_KIND_')(l.kind),
    state: (l: CertificationLegacyCase) => bare('LEGACY_CASE_STATE_')(l.state),
    closedOn: (l: CertificationLegacyCase) => orNullText(l.closedOn),
  },
  CertificationRegisterEntry: {
    kind: (e: CertificationRegisterEntry) => bare('REGISTER_ENTRY_KIND_')(e.kind),
    registerBookNo: (e: CertificationRegisterEntry) => orNullText(e.registerBookNo),
    totalArea: (e: CertificationRegisterEntry) => e.totalAreaMu4,
    certificateNo: (e: CertificationRegisterEntry) => orNullText(e.certificateNo),
    realEstateRegisterNo: (e: CertificationRegisterEntry) => orNullText(e.realEstateRegisterNo),
  },
};
