/**
 * Target A: ConsentGate as the product runs it (createGateway + startServer), enforcement on.
 * Usage (the runner does this): BENCH_* env (targetEnv.ts), node test/bench/dist/<build>/consentGate.mjs (its
 * build by gateway/build.mjs; lib/targets.ts makes it), or node --import tsx/esm on this file
 */
import { createGateway } from '../../../gateway/createGateway';
import { defineSecurityRules, isAuthenticated } from '../../../gateway/rules/ruleKit';
import { startServer } from '../../../gateway/server/startServer';
import { benchIdentity, exitOnSignal, openBenchStore, readTargetEnv } from './targetEnv';

const exit = exitOnSignal();
const target = readTargetEnv();
const store = await openBenchStore(target);
exit.onClose(() => store.close());
const gateway = await createGateway({
  supergraphSdl: target.supergraphSdl,
  store,
  identity: await benchIdentity(target),
  // The demo stack gets the product's rules file; the generated stacks have none of its types.
  securityRules: target.stack === 'demo' ? undefined : target.stack === 'products' ? {} : defineSecurityRules({ Query: { me: isAuthenticated } }),
  // The default operation limits stay on, but the published gateways-benchmark query (cost ~13k) and
  // 1000-item pages must pass: the cost is still estimated per request, only its ceiling is raised.
  limits: { maxCost: 1_000_000 },
});
// Closed first on a signal (closers run last-registered first), then the store.
const server = await startServer(gateway, { port: target.port, host: '127.0.0.1' });
exit.onClose(() => server.close());
