import { type Division, getDivision, isLocalDate } from '@pingquan/reference';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

export const baseTypeDefs = /* GraphQL */ `
  """
  A calendar date in Asia/Shanghai, as an ISO string YYYY-MM-DD.
  """
  scalar Date

  """
  An instant in time, as an ISO 8601 string in UTC with milliseconds, e.g. 2026-11-26T03:04:05.000Z.
  """
  scalar DateTime

  """
  Farmland area in mu (亩; 1 mu = 10000/15 m²) as a decimal string with exactly four decimals, e.g. "2.5000".
  """
  scalar Mu

  """
  Relay-style page information (https://relay.dev/graphql/connections.htm). Lists page forward with
  \`first\` and \`after\`.
  """
  type PageInfo {
    "Whether more items follow this page."
    hasNextPage: Boolean!
    "Whether items precede this page. Forward pagination reports false, as the Relay specification allows."
    hasPreviousPage: Boolean!
    "Cursor of the first item of this page."
    startCursor: String
    "Cursor of the last item of this page; pass it as \`after\` to get the next page."
    endCursor: String
  }

  """
  An administrative division of Pingquan: the city (130881), a township (9-digit code) or a village (12-digit code).
  """
  type Division {
    "National statistical division code."
    code: ID!
    "Official name, e.g. 榆树林子镇."
    name: String!
    "Whether this is the city, a township or a village."
    level: DivisionLevel!
    "True where the code is not the real statistical code (village codes in the demo data)."
    synthetic: Boolean!
  }

  """
  Level of an administrative division.
  """
  enum DivisionLevel {
    "县级市 — the city itself (130881)."
    COUNTY
    "乡镇 — a town, township or ethnic township (9-digit code)."
    TOWNSHIP
    "行政村 — an administrative village (12-digit code)."
    VILLAGE
  }

  """
  A reform track of the pilot, each with its lead unit (牵头单位).
  """
  enum Track {
    "A. Voluntary, paid transfer and exit of farmers' property rights (农民农村财产权益自愿有偿转让退出); lead: City Agriculture & Rural Affairs Bureau."
    A
    "B. Mortgage and guarantee power of rural property rights (农村产权抵押担保权能); lead: City Supply & Marketing Cooperative."
    B
    "C. Integrated urban-rural infrastructure (城乡基础设施一体化); lead: City Housing & Construction Bureau."
    C
  }

  """
  Read-only entry points. Every list is a Relay connection; every lookup returns null when the record
  does not exist, or FORBIDDEN when your role may not read it.
  """
  type Query {
    "The platform's reference data version, for cache keys and support requests."
    referenceDataVersion: String!
  }

  """
  Changes. Each mutation takes one \`input\` argument and returns a payload with the changed record and
  \`userErrors\` (business-rule refusals); invalid arguments are GraphQL errors with
  \`extensions.code = BAD_USER_INPUT\` and \`extensions.field\`.
  """
  type Mutation {
    "Does nothing; lets every service extend Mutation. Returns true."
    noop: Boolean!
  }
`;

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isLocalDate(value)) {
    throw new GraphQLError(`Date must be a real calendar date YYYY-MM-DD, got ${JSON.stringify(value)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (v) => String(v),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(String(value))) {
    throw new GraphQLError(`DateTime must be an ISO 8601 instant, got ${JSON.stringify(value)}.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString()),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** Mu values travel as integer 1/10000 mu inside the platform and as decimal strings outside. */
export function formatMu4(mu4: number): string {
  const sign = mu4 < 0 ? '-' : '';
  const abs = Math.abs(mu4);
  return `${sign}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`;
}

export function parseMuText(value: unknown): number {
  if (typeof value !== 'string' || !/^\d{1,9}(\.\d{1,4})?$/.test(value)) {
    throw new GraphQLError(
      `Mu must be a non-negative decimal with at most four decimals, got ${JSON.stringify(value)}.`,
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  }
  const [whole = '0', frac = ''] = value.split('.');
  return Number(whole) * 10_000 + Number(frac.padEnd(4, '0'));
}

export const MuScalar = new GraphQLScalarType({
  name: 'Mu',
  serialize: (v) => formatMu4(Number(v)),
  parseValue: parseMuText,
  parseLiteral: (ast) => parseMuText(ast.kind === Kind.STRING ? ast.value : undefined),
});

export function divisionOf(code: string): Division | null {
  return getDivision(code) ?? null;
}

export const divisionResolvers = {
  level: (d: Division) => d.level.toUpperCase(),
};

/** What resolvers return for PageInfo; the backward-pagination fields default for forward-only lists. */
export interface PageInfoValue {
  hasNextPage: boolean;
  endCursor: string | null;
  hasPreviousPage?: boolean;
  startCursor?: string | null;
}

export const pageInfoResolvers = {
  hasPreviousPage: (p: PageInfoValue) => p.hasPreviousPage ?? false,
  startCursor: (p: PageInfoValue) => p.startCursor ?? null,
};
