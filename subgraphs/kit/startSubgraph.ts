import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { GraphQLSchema } from 'graphql';
import { createSubgraphContext, type SubgraphContext } from './context.js';

export interface StartSubgraphOptions {
  /** The subgraph's schema, from buildSubgraphSchema. */
  schema: GraphQLSchema;
  /** Default 0 (any free port). */
  port?: number;
  /** Default '127.0.0.1': a bank subgraph answers `_entities` for any id, so only the gateway may reach it. */
  host?: string;
}

/** A running subgraph: `url` ends in /graphql (what the supergraph config routes to); `stop()` drains it. */
export interface StartedSubgraph {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves a subgraph schema over HTTP with Apollo Server's standalone server, building a SubgraphContext
 * (the consent assertion) from each request's headers. Resolves once it listens.
 */
export async function startSubgraph(options: StartSubgraphOptions): Promise<StartedSubgraph> {
  const server = new ApolloServer<SubgraphContext>({
    schema: options.schema,
    // The gateway reads the SDL through `_service { sdl }`; nobody else should be mapping the schema.
    introspection: false,
    // Never a stack trace in a response (ARCHITECTURE.md, "Traps").
    includeStacktraceInErrorResponses: false,
    // Federated traces (ftv1) feed Apollo Studio, which ConsentGate does not use; they would also hand
    // per-field timings and error details to whoever asks for them.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
    context: async ({ req }) => createSubgraphContext(req.headers),
  });
  return { url: new URL('graphql', url).href, stop: () => server.stop() };
}
