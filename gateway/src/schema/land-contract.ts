import type {
  Contract,
  Household,
  Member,
  Plot,
} from '@pingquan/contracts/pingquan/land_contract/v1/register';
import { violation } from '@pingquan/reference';
import { type MemberInScope, residentIdFor } from '../audit.js';
import type { GatewayContext } from '../context.js';
import { badUserInput, fromDownstream, orNull, runMutation } from '../errors.js';
import type { RequestContext } from '../views-context.js';
import { divisionOf } from './base.js';

export const landContractTypeDefs = /* GraphQL */ `
  """
  承包合同 — a land contract between a collective (the issuer, 发包方) and a contracting household.
  """
  type Contract {
    "Contract id (UUIDv7)."
    id: ID!
    "承包合同编码: issuer code (14) + household sequence (4) + mode digit (1)."
    code: String!
    "发包方编码 of the collective economic organisation that issued the contract."
    issuerCode: String!
    "The contracting household (承包方); null when outside your scope."
    household: Household
    "How the land was contracted."
    mode: ContractMode!
    "First day of the contract term."
    termStart: Date!
    "End of the term; after the 30-year extension, the end of the extended term."
    termEnd: Date!
    "Expiry of the second-round term, from which the 30-year extension counts."
    secondRoundEnd: Date
    "Where the contract stands."
    status: ContractStatus!
    "Township of the issuer."
    township: Division
    "Village of the issuer."
    village: Division
    "Sum of the plots' contract areas."
    totalArea: Mu!
    "The contracted plots."
    plots: [Plot!]!
    "Optimistic-locking version; increases with every change."
    version: Int!
  }

  """
  Mode of contracting (承包方式).
  """
  enum ContractMode {
    "家庭承包 — family contracting of the second round."
    FAMILY
    "招标 — tender."
    TENDER
    "拍卖 — auction."
    AUCTION
    "公开协商 — open negotiation."
    OPEN_NEGOTIATION
    OTHER
  }

  """
  Status of a land contract.
  """
  enum ContractStatus {
    ACTIVE
    "Extended by thirty years after the second round."
    EXTENDED
    TRANSFERRED
    SURRENDERED
    RECLAIMED
    TERMINATED
  }

  """
  地块 — a contracted plot.
  """
  type Plot {
    "地块编码: issuer code (14) + 5-digit sequence."
    code: String!
    "Local name of the plot, e.g. 南梁."
    name: String!
    "Area written in the contract."
    contractArea: Mu!
    "Area measured in the survey."
    surveyedArea: Mu!
    "Land class of the plot."
    landClass: LandClass!
    "永久基本农田 — permanent basic farmland."
    basicFarmland: Boolean!
    "四至 — the four boundaries."
    boundaries: Boundaries!
    "GeoJSON geometry (WGS 84) as text, when surveyed."
    geometryGeoJson: String
  }

  """
  Land class of a plot (地类).
  """
  enum LandClass {
    CULTIVATED
    GARDEN
    FOREST
    GRASS
    OTHER
  }

  """
  四至 — the four boundaries of a plot as written in the register.
  """
  type Boundaries {
    "East neighbour (东至)."
    east: String!
    "South neighbour (南至)."
    south: String!
    "West neighbour (西至)."
    west: String!
    "North neighbour (北至)."
    north: String!
  }

  """
  承包方 — a contracting household (农户) of a collective.
  """
  type Household {
    "Household id (UUIDv7)."
    id: ID!
    "承包方编码: issuer code (14) + 4-digit household sequence."
    code: String!
    "发包方编码 of the collective the household contracts with."
    issuerCode: String!
    "Township of the household."
    township: Division
    "Village of the household."
    village: Division
    "Postal address as registered."
    address: String!
    "Members of the household, head first."
    members: [HouseholdMember!]!
    "The household's land contracts."
    contracts: [Contract!]!
  }

  """
  A member of a contracting household.
  """
  type HouseholdMember {
    "居民身份证号码; masked (130881********123X) unless your role needs it."
    residentId: String!
    "Name as on the ID card."
    name: String!
    "Relation to the head: HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, GRANDPARENT, SIBLING or OTHER."
    relation: String!
    "False once the death is recorded."
    alive: Boolean!
    "Date of death, when recorded."
    deceasedOn: Date
    "进城落户 — settled in town."
    movedToTown: Boolean!
    "脱贫人口 — lifted out of poverty."
    liftedOutOfPoverty: Boolean!
    "防止返贫监测对象 — under return-to-poverty monitoring."
    povertyMonitoring: Boolean!
  }

  """
  Filter of the contracts list; every field narrows, absent fields do not.
  """
  input ContractFilter {
    "9-digit township code."
    townshipCode: String
    "12-digit village code."
    villageCode: String
    "14-digit issuer code."
    issuerCode: String
    "Only contracts with this status."
    status: ContractStatus
  }

  """
  A page of land contracts (Relay connection).
  """
  type ContractConnection {
    "Contracts with their cursors."
    edges: [ContractEdge!]!
    "The contracts of this page."
    nodes: [Contract!]!
    "Cursors for the next page."
    pageInfo: PageInfo!
    "Number of contracts matching the filter (within your scope)."
    totalCount: Int!
  }

  """
  A contract with its cursor.
  """
  type ContractEdge {
    "Pass as \`after\` to continue after this contract."
    cursor: String!
    "The contract."
    node: Contract!
  }

  """
  A refusal by a business rule: which rule, which input field, and a sentence a clerk can act on.
  """
  type UserError {
    "Stable rule name, e.g. ISSUER_NOT_REGISTERED."
    code: String!
    "Path of the input field, e.g. input, plots, 0, contractArea."
    field: [String!]!
    "What is wrong, in a sentence a clerk can act on."
    message: String!
  }

  "Why a change is made: a reason, a document reference (e.g. a meeting resolution number), or both."
  input ChangeInput {
    "Why the change is made."
    reason: String
    "Document authorising the change, e.g. a meeting resolution number."
    documentRef: String
    "Repeat a mutation with the same key to get the first result instead of acting twice."
    idempotencyKey: String
  }

  """
  Input of registerIssuer.
  """
  input RegisterIssuerInput {
    "14-digit issuer code: 12-digit village code + 2-digit group (00 = the village)."
    code: String!
    "Unified social credit code of the collective economic organisation (starts with N)."
    creditCode: String!
    "Registered name of the collective economic organisation."
    name: String!
    "Why the change is made."
    change: ChangeInput!
  }

  """
  发包方 — a collective economic organisation acting as contract issuer.
  """
  type Issuer {
    "Issuer id (UUIDv7)."
    id: ID!
    "14-digit issuer code."
    code: String!
    "Unified social credit code (统一社会信用代码)."
    creditCode: String!
    "Registered name."
    name: String!
    "Village of the issuer."
    village: Division
    "Township of the issuer."
    township: Division
  }

  """
  Result of registerIssuer.
  """
  type RegisterIssuerPayload {
    "The registered issuer; null when refused."
    issuer: Issuer
    "Business rules that refused the registration; empty on success."
    userErrors: [UserError!]!
  }

  """
  A member of a household being registered.
  """
  input HouseholdMemberInput {
    "居民身份证号码 (18 characters with its check character)."
    residentId: String!
    "Name as on the ID card."
    name: String!
    "HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, GRANDPARENT, SIBLING or OTHER."
    relation: String!
    "False for a deceased member."
    alive: Boolean = true
    "Date of death, for a deceased member."
    deceasedOn: Date
    "进城落户 — settled in town."
    movedToTown: Boolean = false
    "脱贫人口 — lifted out of poverty."
    liftedOutOfPoverty: Boolean = false
    "防止返贫监测对象 — under return-to-poverty monitoring."
    povertyMonitoring: Boolean = false
  }

  """
  Input of registerHousehold.
  """
  input RegisterHouseholdInput {
    "18-digit contractor code: issuer code (14) + household sequence (4)."
    code: String!
    "Postal address."
    address: String = ""
    "Members, the head among them."
    members: [HouseholdMemberInput!]!
    "Why the change is made."
    change: ChangeInput!
  }

  """
  Result of registerHousehold.
  """
  type RegisterHouseholdPayload {
    "The registered household; null when refused."
    household: Household
    "Business rules that refused the registration; empty on success."
    userErrors: [UserError!]!
  }

  """
  四至 — the four boundaries of a plot.
  """
  input BoundariesInput {
    "East neighbour (东至)."
    east: String!
    "South neighbour (南至)."
    south: String!
    "West neighbour (西至)."
    west: String!
    "North neighbour (北至)."
    north: String!
  }

  """
  A plot of a contract being registered.
  """
  input PlotInput {
    "地块编码: issuer code (14) + 5-digit sequence."
    code: String!
    "Local name of the plot."
    name: String!
    "Area written in the contract."
    contractArea: Mu!
    "Area measured in the survey."
    surveyedArea: Mu!
    "Land class."
    landClass: LandClass!
    "永久基本农田 — permanent basic farmland."
    basicFarmland: Boolean = false
    "四至 — the four boundaries."
    boundaries: BoundariesInput!
    "GeoJSON Polygon or MultiPolygon (WGS 84) as text, when surveyed."
    geometryGeoJson: String
  }

  """
  Input of registerContract.
  """
  input RegisterContractInput {
    "19-character contract code: issuer code (14) + household sequence (4) + mode digit (1)."
    code: String!
    "The contracting household."
    householdId: ID!
    "How the land is contracted."
    mode: ContractMode!
    "First day of the term."
    termStart: Date!
    "Last day of the term."
    termEnd: Date!
    "Expiry of the second-round term, for family contracts of the second round."
    secondRoundEnd: Date
    "The contract forbids individual plot adjustment (承包合同约定不得调整)."
    adjustmentForbidden: Boolean = false
    "The contracted plots."
    plots: [PlotInput!]!
    "Why the change is made."
    change: ChangeInput!
  }

  """
  Result of registerContract.
  """
  type RegisterContractPayload {
    "The registered contract; null when refused."
    contract: Contract
    "Business rules that refused the registration; empty on success."
    userErrors: [UserError!]!
  }

  extend type Mutation {
    "Registers a collective economic organisation as contract issuer (发包方)."
    registerIssuer(input: RegisterIssuerInput!): RegisterIssuerPayload!
    "Registers a contracting household with its members."
    registerHousehold(input: RegisterHouseholdInput!): RegisterHouseholdPayload!
    "Registers a land contract with its plots."
    registerContract(input: RegisterContractInput!): RegisterContractPayload!
  }

  extend type Query {
    "A land contract by id or 19-character contract code; null when it does not exist or is outside your scope."
    contract(idOrCode: String!): Contract
    "Land contracts, filtered, in contract-code order, Relay-style paginated (at most 100 per page)."
    contracts(filter: ContractFilter, first: Int = 20, after: String): ContractConnection!
  }
`;

const stripPrefix = (prefix: string) => (value: string) => value.replace(prefix, '');

function checkCode(value: string | undefined | null, digits: number, field: string) {
  if (value && !new RegExp(`^\\d{${digits}}$`).test(value)) {
    throw badUserInput([violation('CODE_FORMAT', field, `${field} must be ${digits} digits.`)]);
  }
}

interface ContractsArgs {
  filter?: {
    townshipCode?: string | null;
    villageCode?: string | null;
    issuerCode?: string | null;
    status?: string | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

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

interface RegisterHouseholdArgs {
  input: {
    code: string;
    address?: string | null;
    members: {
      residentId: string;
      name: string;
      relation: string;
      alive?: boolean | null;
      deceasedOn?: string | null;
      movedToTown?: boolean | null;
      liftedOutOfPoverty?: boolean | null;
      povertyMonitoring?: boolean | null;
    }[];
    change: ChangeArg;
  };
}

interface RegisterContractArgs {
  input: {
    code: string;
    householdId: string;
    mode: string;
    termStart: string;
    termEnd: string;
    secondRoundEnd?: string | null;
    adjustmentForbidden?: boolean | null;
    plots: {
      code: string;
      name: string;
      contractArea: number;
      surveyedArea: number;
      landClass: string;
      basicFarmland?: boolean | null;
      boundaries: { east: string; south: string; west: string; north: string };
      geometryGeoJson?: string | null;
    }[];
    change: ChangeArg;
  };
}

export const landContractResolvers = {
  Mutation: {
    registerIssuer: (
      _: unknown,
      { input }: { input: { code: string; creditCode: string; name: string; change: ChangeArg } },
      ctx: GatewayContext,
    ) =>
      runMutation('issuer', () =>
        ctx.downstream.landContract
          .registerIssuer(
            {
              code: input.code,
              creditCode: input.creditCode,
              name: input.name,
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.issuer),
      ),
    registerHousehold: (_: unknown, { input }: RegisterHouseholdArgs, ctx: GatewayContext) =>
      runMutation('household', () =>
        ctx.downstream.landContract
          .registerHousehold(
            {
              code: input.code,
              address: input.address ?? '',
              members: input.members.map((m) => ({
                residentId: m.residentId,
                name: m.name,
                relation: `RELATION_${m.relation}` as Member['relation'],
                alive: m.alive ?? true,
                deceasedOn: m.deceasedOn ?? '',
                movedToTown: m.movedToTown ?? false,
                liftedOutOfPoverty: m.liftedOutOfPoverty ?? false,
                povertyMonitoring: m.povertyMonitoring ?? false,
              })),
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.household),
      ),
    registerContract: (_: unknown, { input }: RegisterContractArgs, ctx: GatewayContext) =>
      runMutation('contract', () =>
        ctx.downstream.landContract
          .registerContract(
            {
              code: input.code,
              householdId: input.householdId,
              mode: `CONTRACT_MODE_${input.mode}` as Contract['mode'],
              termStartDate: input.termStart,
              termEndDate: input.termEnd,
              secondRoundEndDate: input.secondRoundEnd ?? '',
              adjustmentForbidden: input.adjustmentForbidden ?? false,
              plots: input.plots.map((p) => ({
                code: p.code,
                name: p.name,
                contractAreaMu4: p.contractArea,
                surveyedAreaMu4: p.surveyedArea,
                landClass: `LAND_CLASS_${p.landClass}` as Plot['landClass'],
                basicFarmland: p.basicFarmland ?? false,
                boundaries: p.boundaries,
                geometryGeojson: p.geometryGeoJson ?? '',
              })),
              context: changeOf(input.change),
            },
            { principal: ctx.principal, deadline: ctx.deadlineMs },
          )
          .then((r) => r.contract),
      ),
  },
  Issuer: {
    township: (i: { townshipCode: string }) => divisionOf(i.townshipCode),
    village: (i: { villageCode: string }) => divisionOf(i.villageCode),
  },
  Query: {
    contract: (_: unknown, args: { idOrCode: string }, ctx: GatewayContext) =>
      orNull(
        ctx.downstream.landContract
          .getContract({ idOrCode: args.idOrCode }, { principal: ctx.principal, deadline: ctx.deadlineMs })
          .then((r) => r.contract ?? null),
      ),
    async contracts(_: unknown, args: ContractsArgs, ctx: GatewayContext) {
      const first = args.first ?? 20;
      if (first < 1 || first > 100)
        throw badUserInput([violation('PAGE_SIZE', 'first', 'first must be between 1 and 100.')]);
      checkCode(args.filter?.townshipCode, 9, 'filter.townshipCode');
      checkCode(args.filter?.villageCode, 12, 'filter.villageCode');
      checkCode(args.filter?.issuerCode, 14, 'filter.issuerCode');
      try {
        const result = await ctx.downstream.landContract.listContracts(
          {
            page: { pageSize: first, pageToken: args.after ?? '' },
            townshipCode: args.filter?.townshipCode ?? '',
            villageCode: args.filter?.villageCode ?? '',
            issuerCode: args.filter?.issuerCode ?? '',
            status: args.filter?.status
              ? (`CONTRACT_STATUS_${args.filter.status}` as Contract['status'])
              : 'CONTRACT_STATUS_UNSPECIFIED',
          },
          { principal: ctx.principal, deadline: ctx.deadlineMs },
        );
        const endCursor = result.pageInfo?.nextPageToken || null;
        return {
          nodes: result.contracts,
          edges: result.contracts.map((node, i) => ({
            node,
            // Only the last edge's cursor continues the list; the service pages by keyset.
            cursor:
              i === result.contracts.length - 1 && endCursor
                ? endCursor
                : Buffer.from(`c:${node.code}`).toString('base64url'),
          })),
          pageInfo: { hasNextPage: Boolean(endCursor), endCursor },
          totalCount: result.pageInfo?.totalCount ?? 0,
        };
      } catch (error) {
        throw fromDownstream(error, 'filter.');
      }
    },
  },
  Contract: {
    mode: (c: Contract) => stripPrefix('CONTRACT_MODE_')(c.mode),
    status: (c: Contract) => stripPrefix('CONTRACT_STATUS_')(c.status),
    termStart: (c: Contract) => c.termStartDate,
    termEnd: (c: Contract) => c.termEndDate,
    secondRoundEnd: (c: Contract) => c.secondRoundEndDate || null,
    township: (c: Contract) => divisionOf(c.townshipCode),
    village: (c: Contract) => divisionOf(c.villageCode),
    totalArea: (c: Contract) => c.totalAreaMu4,
    household: (c: Contract, _: unknown, ctx: GatewayContext) => ctx.loaders.household.load(c.householdId),
  },
  Plot: {
    contractArea: (p: Plot) => p.contractAreaMu4,
    surveyedArea: (p: Plot) => p.surveyedAreaMu4,
    landClass: (p: Plot) => stripPrefix('LAND_CLASS_')(p.landClass),
    boundaries: (p: Plot) => p.boundaries ?? { east: '', south: '', west: '', north: '' },
    geometryGeoJson: (p: Plot) => p.geometryGeojson || null,
  },
  Household: {
    township: (h: Household) => divisionOf(h.townshipCode),
    village: (h: Household) => divisionOf(h.villageCode),
    contracts: (h: Household, _: unknown, ctx: GatewayContext) => ctx.loaders.contractsByHousehold.load(h.id),
    // Members carry their household's id and village so the ID number can be masked per scope.
    members: (h: Household) =>
      h.members.map((m) => ({ ...m, householdId: h.id, villageCode: h.villageCode })),
  },
  HouseholdMember: {
    residentId: (m: MemberInScope, _: unknown, ctx: RequestContext) =>
      residentIdFor(m, ctx.principal, ctx.audit),
    relation: (m: Member) => stripPrefix('RELATION_')(m.relation),
    deceasedOn: (m: Member) => m.deceasedOn || null,
  },
};
