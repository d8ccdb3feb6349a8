import { DIVISIONS_VERSION } from '@pingquan/reference';
import { createSchema } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { NodeServerContext } from '../server.js';
import { baseTypeDefs, DateScalar, divisionResolvers, MuScalar } from './base.js';
import { landContractResolvers, landContractTypeDefs } from './land-contract.js';

/** The whole schema: base types, then one part per service that exists. */
export const typeDefs = [baseTypeDefs, landContractTypeDefs];

export function buildSchema() {
  return createSchema<GatewayContext & NodeServerContext>({
    typeDefs,
    resolvers: [
      {
        Date: DateScalar,
        Mu: MuScalar,
        Division: divisionResolvers,
        Query: { referenceDataVersion: () => DIVISIONS_VERSION },
        Mutation: { noop: () => true },
      },
      landContractResolvers,
    ],
  });
}
