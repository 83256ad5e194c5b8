// Target C: @apollo/gateway served by @apollo/server 5 (standalone), what most users run today.
// It forwards the client's consent assertion header to every subgraph (the subgraphs need it to answer)
// and does nothing else with it. No in-flight dedupe exists in RemoteGraphQLDataSource.
// Usage (the runner does this): BENCH_SUPERGRAPH=<file> BENCH_PORT=<port> node test/bench/peers/apolloGateway.mjs
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';

const ASSERTION_HEADER = 'x-consentgate-assertion';
const { BENCH_SUPERGRAPH, BENCH_PORT } = process.env;
if (!BENCH_SUPERGRAPH || !BENCH_PORT) throw new Error('apolloGateway.mjs: set BENCH_SUPERGRAPH and BENCH_PORT');

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(BENCH_SUPERGRAPH, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource({
      url,
      willSendRequest({ request, context }) {
        if (context.assertion) request.http?.headers.set(ASSERTION_HEADER, context.assertion);
      },
    }),
});
const server = new ApolloServer({
  gateway,
  introspection: false,
  includeStacktraceInErrorResponses: false,
  plugins: [ApolloServerPluginLandingPageDisabled()],
});
await startStandaloneServer(server, {
  listen: { port: Number(BENCH_PORT), host: '127.0.0.1' },
  context: async ({ req }) => ({ assertion: req.headers[ASSERTION_HEADER] }),
});
const stop = () => server.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
