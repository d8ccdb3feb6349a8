import { type Division, getDivision, isLocalDate } from '@pingquan/reference';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

export const baseTypeDefs = /* GraphQL */ `
  """
  A calendar date in Asia/Shanghai, as an ISO string YYYY-MM-DD.
  """
  scalar Date

  """
  Farmland area in mu (亩; 1 mu = 10000/15 m²) as a decimal string with exactly four decimals, e.g. "2.5000".
  """
  scalar Mu

  """
  Relay-style page information.
  """
  type PageInfo {
    "Whether more items follow this page."
    hasNextPage: Boolean!
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
    level: DivisionLevel!
    "True where the code is not the real statistical code (village codes in the demo data)."
    synthetic: Boolean!
  }

  enum DivisionLevel {
    COUNTY
    TOWNSHIP
    VILLAGE
  }

  type Query {
    "The platform's reference data version, for cache keys and support requests."
    referenceDataVersion: String!
  }

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
