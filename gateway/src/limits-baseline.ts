import { createServer, type Server } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

/**
 * The benchmark's baseline: a bare graphql-yoga server answering one static field, with no
 * authentication, limits, context or downstream. The gateway's figures are reported as ratios
 * against it, measured in the same run on the same machine.
 */
export function createBaselineServer(): Server {
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: /* GraphQL */ `
        type Query {
          hello: String!
        }
      `,
      resolvers: { Query: { hello: () => 'world' } },
    }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    logging: false,
  });
  return createServer(yoga);
}
