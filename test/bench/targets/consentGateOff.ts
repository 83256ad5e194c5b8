/**
 * Target B: ConsentGate with enforcement off. createGateway has no switch for it yet, so this is the same
 * stack minus consent: token verification, one grants read per request and the assertion header each
 * subgraph needs (the platform lists accounts from it), over the plain stitched supergraph
 * (@graphql-tools/federation, batched, no in-flight dedupe), Apollo Server 5 on fastify; no graphql-shield,
 * no anchors, no pruning, no audit. Usage: BENCH_* env, node --import tsx test/bench/targets/consentGateOff.ts
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import fastifyApollo from '@as-integrations/fastify';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { getStitchedSchemaFromSupergraphSdl } from '@graphql-tools/federation';
import type { ExecutionRequest } from '@graphql-tools/utils';
import Fastify from 'fastify';
import { ASSERTION_HEADER, encodeAssertion } from '../../../schema/assertion';
import { RequestConsent } from '../../../gateway/consent/requestConsent';
import { ReservedAliasesRule } from '../../../gateway/execution/reservedAliases';
import { buildConsentModel } from '../../../gateway/supergraph/consentModel';
import { readSupergraph } from '../../../gateway/supergraph/readSupergraph';
import { benchIdentity, exitOnSignal, openBenchStore, readTargetEnv } from './targetEnv';

interface OffContext {
  consent: RequestConsent;
}

const exit = exitOnSignal();
const target = readTargetEnv();
const store = await openBenchStore(target);
exit.onClose(() => store.close());
const identity = await benchIdentity(target);
const supergraph = readSupergraph(target.supergraphSdl);
const model = buildConsentModel(supergraph);
const nameOf = new Map(supergraph.subgraphs.map((s) => [s.enumValue, s.name]));

const schema = getStitchedSchemaFromSupergraphSdl({
  supergraphSdl: supergraph.document,
  batch: true,
  onSubschemaConfig(config) {
    const name = nameOf.get(config.name) ?? config.name;
    const isBank = model.accountTypeOfBank.has(name);
    config.executor = buildHTTPExecutor({
      endpoint: config.endpoint,
      deduplicateInflightRequests: false,
      headers: (request?: ExecutionRequest): Record<string, string> => {
        const consent = (request?.context as OffContext | undefined)?.consent;
        if (!consent) return {};
        const assertion = isBank ? consent.assertionFor(name) : consent.assertionFor(name, consent.links(model.accountTypeOfBank));
        return { [ASSERTION_HEADER]: encodeAssertion(assertion) };
      },
    });
  },
});

const apollo = new ApolloServer<OffContext>({
  schema,
  introspection: false,
  includeStacktraceInErrorResponses: false,
  hideSchemaDetailsFromClientErrors: true,
  validationRules: [ReservedAliasesRule],
  plugins: [ApolloServerPluginLandingPageDisabled()],
});
await apollo.start();
const fastify = Fastify({ logger: false });
await fastify.register(fastifyApollo(apollo), {
  context: async (request) => {
    const user = await identity.verify(request.headers.authorization);
    const grants = user === null ? [] : await store.grantsForUser(user);
    return { consent: new RequestConsent(user, grants, new Date()) };
  },
});
await fastify.listen({ port: target.port, host: '127.0.0.1' });
