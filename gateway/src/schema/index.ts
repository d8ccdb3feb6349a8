import { DIVISIONS_VERSION } from '@pingquan/reference';
import { createSchema } from 'graphql-yoga';
import type { NodeServerContext } from '../server.js';
import type { RequestContext } from '../views-context.js';
import {
  baseTypeDefs,
  DateScalar,
  DateTimeScalar,
  divisionResolvers,
  MuScalar,
  pageInfoResolvers,
} from './base.js';
import { landContractResolvers, landContractTypeDefs } from './land-contract.js';
import {
  landContractCertificationResolvers,
  landContractCertificationTypeDefs,
} from './land-contract-certification.js';
import { landContractExtensionResolvers, landContractExtensionTypeDefs } from './land-contract-extension.js';
import { landContractFiguresResolvers, landContractFiguresTypeDefs } from './land-contract-figures.js';
import { landContractRightsResolvers, landContractRightsTypeDefs } from './land-contract-rights.js';
import { liveResolvers, liveTypeDefs } from './live.js';
import { propertyMortgageResolvers, propertyMortgageTypeDefs } from './property-mortgage.js';
import { viewsResolvers, viewsTypeDefs } from './views.js';

/**
 * The whole schema: base types, the cross-track views and live events (gateway-owned), then one part
 * per service that exists. Views and live events reference service types (Contract, Household), so
 * every part is merged before the schema is built.
 */
export const typeDefs = [
  baseTypeDefs,
  viewsTypeDefs,
  liveTypeDefs,
  landContractTypeDefs,
  landContractExtensionTypeDefs,
  landContractRightsTypeDefs,
  landContractCertificationTypeDefs,
  landContractFiguresTypeDefs,
  propertyMortgageTypeDefs,
];

export function buildSchema() {
  return createSchema<RequestContext & NodeServerContext>({
    typeDefs,
    resolvers: [
      {
        Date: DateScalar,
        DateTime: DateTimeScalar,
        Mu: MuScalar,
        Division: divisionResolvers,
        PageInfo: pageInfoResolvers,
        Query: { referenceDataVersion: () => DIVISIONS_VERSION },
        Mutation: { noop: () => true },
      },
      viewsResolvers,
      liveResolvers,
      landContractResolvers,
      landContractExtensionResolvers,
      landContractRightsResolvers,
      landContractCertificationResolvers,
      landContractFiguresResolvers,
      propertyMortgageResolvers,
    ],
  });
}
