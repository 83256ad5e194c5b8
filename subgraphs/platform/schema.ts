import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import { platformResolvers } from './resolvers.js';

/** Where `consentgate compose` writes the platform's generated SDL. */
export const PLATFORM_SDL_FILE = new URL('../../schema/platform.graphql', import.meta.url);

/**
 * The platform subgraph's executable schema from its generated SDL: `typeDefs` when given (e.g. freshly
 * generated in memory), else schema/platform.graphql read now. No other side effects.
 */
export function buildPlatformSchema(typeDefs?: string): GraphQLSchema {
  const source = typeDefs ?? readFileSync(PLATFORM_SDL_FILE, 'utf8');
  return buildSubgraphSchema([{ typeDefs: parse(source), resolvers: platformResolvers }]);
}
