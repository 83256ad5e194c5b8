import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import { loadTypeDefs } from '../kit/loadTypeDefs.js';
import { northwindResolvers } from './resolvers.js';

/**
 * Northwind's executable subgraph schema (reads typeDefs.graphql; no server, no seeding: the book is
 * seeded on the first resolved account). Resolvers expect a SubgraphContext (kit/context.ts).
 */
export function buildNorthwindSchema(): GraphQLSchema {
  const typeDefs = loadTypeDefs(new URL('./typeDefs.graphql', import.meta.url));
  return buildSubgraphSchema([{ typeDefs, resolvers: northwindResolvers }]);
}
