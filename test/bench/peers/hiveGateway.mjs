// Target D: Hive Gateway with graphql-jit. The runtime the `hive-gateway` CLI runs
// (createGatewayRuntime) with the plugin its --jit flag adds (useJIT from @graphql-mesh/plugin-jit),
// served by Node's http server as the CLI does; used as a library here because the CLI package brings
// ~500 MB of OpenTelemetry exporters and UI that would triple the benchmark's install time.
// It forwards the client's consent assertion header to every subgraph and does nothing else with it.
// In-flight dedupe is off: an answer is never shared between two requests, the same rule for every target.
// Usage (the runner does this): BENCH_SUPERGRAPH=<file> BENCH_PORT=<port> node test/bench/peers/hiveGateway.mjs
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { useJIT } from '@graphql-mesh/plugin-jit';

const ASSERTION_HEADER = 'x-consentgate-assertion';
const { BENCH_SUPERGRAPH, BENCH_PORT } = process.env;
if (!BENCH_SUPERGRAPH || !BENCH_PORT) throw new Error('hiveGateway.mjs: set BENCH_SUPERGRAPH and BENCH_PORT');

const gateway = createGatewayRuntime({
  supergraph: readFileSync(BENCH_SUPERGRAPH, 'utf8'),
  plugins: () => [useJIT()],
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const assertion = request.headers.get(ASSERTION_HEADER);
      return assertion ? { [ASSERTION_HEADER]: assertion } : {};
    },
  },
  transportEntries: { '*': { options: { deduplicateInflightRequests: false } } },
  logging: 'warn',
});
const server = createServer(gateway);
server.listen(Number(BENCH_PORT), '127.0.0.1');
const stop = () => {
  server.closeAllConnections();
  server.close(() => gateway.dispose().finally(() => process.exit(0)));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
