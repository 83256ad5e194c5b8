/**
 * Target B: ConsentGate with enforcement off: the product's own stack (createGateway + startServer, the
 * plan executor, token verification, one grants read per request, the assertion header the platform
 * needs to list accounts) over the same supergraph with every @consent removed, no security rules and no
 * audit writes. So B - A is the cost of enforcement alone. Usage: BENCH_* env, its build as for
 * consentGate.ts (node test/bench/dist/<build>/consentGateOff.mjs), or node --import tsx/esm on this file
 */
import { parse, print, visit } from 'graphql';
import { createGateway } from '../../../gateway/createGateway';
import { startServer } from '../../../gateway/server/startServer';
import { benchIdentity, exitOnSignal, openBenchStore, readTargetEnv } from './targetEnv';

const exit = exitOnSignal();
const target = readTargetEnv();
const store = await openBenchStore(target);
exit.onClose(() => store.close());
// Without @consent applications nothing is guarded: no decisions, no pruning, nothing to audit.
const unguarded = print(visit(parse(target.supergraphSdl), {
  Directive: (node) => (node.name.value === 'consent' ? null : undefined),
  DirectiveDefinition: (node) => (node.name.value === 'consent' ? null : undefined),
}));
const gateway = await createGateway({
  supergraphSdl: unguarded,
  store,
  identity: await benchIdentity(target),
  securityRules: {},
  audit: { write: async () => {}, query: async () => [], prune: async () => 0 },
  limits: { maxCost: 1_000_000 },
});
const server = await startServer(gateway, { port: target.port, host: '127.0.0.1' });
exit.onClose(() => server.close());
