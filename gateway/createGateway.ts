import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { createAuditPlugin } from './audit/createAuditPlugin';
import { groupAuditWrites } from './audit/groupAuditWrites';
import type { AuditTrail } from './audit/types';
import { RequestConsent } from './consent/requestConsent';
import type { ConsentStore } from './consent/types';
import type { GatewayContext } from './context';
import { ErrorCode } from './errors';
import { createExecutableSchema } from './execution/createExecutableSchema';
import { createPlanExecutor } from './execution/plan/createPlanExecutor';
import { buildFieldGuards } from './execution/plan/fieldGuards';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { ReservedAliasesRule } from './execution/reservedAliases';
import { addLifecycleFields } from './lifecycle/addLifecycleFields';
import type { SubgraphResilienceOptions } from './execution/subgraphExecutor';
import { createClientEdge, type ClientEdge } from './edge/createClientEdge';

import type { OperationLimitsOptions } from './edge/operationLimits';
import { InvalidTokenError, type Identity } from './identity/createIdentity';
import defaultSecurityRules from './rules/securityRules';
import { buildConsentModel, type ConsentModel } from './supergraph/consentModel';
import { readSupergraph, type Supergraph } from './supergraph/readSupergraph';

export interface GatewayOptions {
  /** The composed supergraph SDL (schema/supergraph.graphql, or any Federation 2 supergraph). */
  supergraphSdl: string;
  store: ConsentStore;
  identity: Identity;
  /** Default: the default export of gateway/rules/securityRules.ts. */
  securityRules?: unknown;
  /** Default 'gateway/rules/securityRules.ts'. Where the rules came from, for error messages. */
  securityRulesSource?: string;
  /** Default: the supergraph's routing URLs. Subgraph name -> URL. */
  subgraphUrls?: Record<string, string>;
  /** Default 5000 ms. The budget of one subgraph call, retries included (well below a client's timeout). */
  subgraphTimeoutMs?: number;
  /** Default 2 retries for queries (never mutations), 50 ms backoff, one circuit breaker per subgraph. */
  subgraphResilience?: SubgraphResilienceOptions;
  /** Default none (unsigned). Subgraph name -> secret; every request to that subgraph is HMAC-signed with it. */
  subgraphSecrets?: Record<string, string>;
  /** Default false. Introspection (turn on in development only). */
  introspection?: boolean;
  /** Default NODE_ENV === 'production'. Introspection refused, no landing page, field suggestions hidden. */
  production?: boolean;
  /** Default: all limits on (see OperationLimitsOptions); batching off. */
  limits?: OperationLimitsOptions;
  /** Default 'Account'. The contract interface that bank account types implement. */
  accountInterface?: string;
  /** Default () => new Date(). The clock consent decisions use. */
  now?: () => Date;
  /** Default: undici's request API on a shared keep-alive pool (subgraphTransport.ts). A fetch function instead (tests route it to in-process servers). */
  fetch?: typeof fetch;
  /** Default store.audit. Where every consent decision is recorded before the response leaves. */
  audit?: AuditTrail;
  /** Default: one line on stderr. Told when an audit record or a one-time use could not be written. */
  onAuditError?: (message: string, error: unknown) => void;
  /**
   * Default 'plan'. How operations run: 'plan' plans them with Hive Router's query planner and shapes
   * and enforces consent in one synchronous pass; 'stitched' runs graphql-js over the stitched schema
   * (@graphql-tools/federation) with graphql-shield on every guarded field (the first design, kept for comparison).
   */
  executor?: 'plan' | 'stitched';
}

export interface Gateway {
  apollo: ApolloServer<GatewayContext>;
  schema: GraphQLSchema;
  supergraph: Supergraph;
  model: ConsentModel;
  /** Production mode and operation limits as resolved at start-up (the HTTP server caps batches with them). */
  edge: ClientEdge;
  store: ConsentStore;
  /** Builds one request's context: verifies the token, loads the user's grants once. */
  createContext(authorization: string | undefined): Promise<GatewayContext>;
  stop(): Promise<void>;
}

/** Builds the gateway (not yet listening): read the supergraph, apply consent and security rules, start Apollo Server. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const supergraph = readSupergraph(options.supergraphSdl);
  const model = buildConsentModel(supergraph, options.accountInterface);
  const mode = options.executor ?? 'plan';
  const executable = createExecutableSchema({
    supergraph,
    model,
    securityRules: options.securityRules ?? defaultSecurityRules,
    securityRulesSource: options.securityRulesSource ?? (options.securityRules ? 'securityRules option' : 'gateway/rules/securityRules.ts'),
    subgraphUrls: options.subgraphUrls,
    subgraphTimeoutMs: options.subgraphTimeoutMs,
    fetch: options.fetch,
    subgraphResilience: options.subgraphResilience,
    subgraphSecrets: options.subgraphSecrets,
    rulesOnSchema: mode === 'stitched',
  });
  // The consent API (consentGrants, revokeConsent) is gateway-local: added after the rules, asked of no bank.
  const schema = addLifecycleFields(executable.schema, options.store);
  const gatewayInterface = mode === 'plan' ? planGateway(schema, supergraph, createPlanExecutor({
    supergraph, model, schema, subgraphs: executable.subgraphs, guards: buildFieldGuards(schema, model, executable.teamRules),
  })) : undefined;
  const edge = createClientEdge({ production: options.production, introspection: options.introspection, limits: options.limits });
  const now = options.now ?? (() => new Date());
  const apollo = new ApolloServer<GatewayContext>({
    ...(gatewayInterface ? { gateway: gatewayInterface } : { schema }),
    // Introspection, suggestions, stack traces, token limit, batching, CSRF prevention: gateway/edge.
    ...edge.apollo,
    validationRules: [ReservedAliasesRule, ...edge.validationRules],
    formatError: (formatted, error) => maskError(edge.formatError(formatted, error)),
    // Apollo's own SIGINT/SIGTERM handler stops the server and then re-raises the signal, which ends the
    // process before the CLI has drained, closed the store (the audit journal's last load) and stopped
    // the demo's banks. The CLI (serve, demo) and the embedding application own the process's lifecycle.
    stopOnTerminationSignals: false,
    plugins: [
      // No cache hints are used; the built-in plugin would hook every field resolution (profiled: ~7% at 1000 items).
      ApolloServerPluginCacheControlDisabled(),
      ...edge.plugins,
      // Only the stitching layer marks errors CRITICAL_ERROR; the plan executor never does.
      ...(mode === 'stitched' ? [criticalErrorPlugin] : []),
      createAuditPlugin({ audit: groupAuditWrites(options.audit ?? options.store.audit), markUsed: (id) => options.store.markUsed(id), onError: options.onAuditError }),
    ],
  });
  await apollo.start();

  return {
    apollo,
    schema,
    supergraph,
    model,
    edge,
    store: options.store,
    async createContext(authorization) {
      let user: string | null;
      try {
        user = await options.identity.verify(authorization);
      } catch (error) {
        if (!(error instanceof InvalidTokenError)) throw error;
        throw new GraphQLError(`Invalid bearer token: ${error.message}`, {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      // The user's grants are read once per request (one query), so a revocation committed before the
      // request starts applies to all of it; a store error strips every guarded field (fail closed).
      let grants: Awaited<ReturnType<ConsentStore['grantsForUser']>> | Error = [];
      if (user !== null) grants = await options.store.grantsForUser(user).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      return { user, consent: new RequestConsent(user, grants, now()), anchors: new WeakMap() };
    },
    async stop() {
      await apollo.stop();
    },
  };
}

/** Apollo Server's gateway interface over a fixed schema and the plan executor (reloads build a new gateway). */
function planGateway(schema: GraphQLSchema, supergraph: Supergraph, executor: GatewayExecutor): GatewayInterface {
  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: supergraph.sdl });
      return () => {};
    },
    async stop() {},
  };
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** Client-facing errors keep their message only with a known code; anything else is masked. */
function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    // Copied only to drop the flag: this runs for every error (one per stripped path).
    if (!formatted.extensions || !('CRITICAL_ERROR' in formatted.extensions)) return formatted;
    const { CRITICAL_ERROR: _critical, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

// Errors the stitching layer marks CRITICAL_ERROR mean the merged result cannot be trusted: null the whole
// `data`, as Hive Gateway's executor does, rather than return a half-merged answer.
const criticalErrorPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      // The raw errors: formatError (maskError) has already removed the flag from the formatted ones.
      async willSendResponse({ response, errors }) {
        if (response.body.kind !== 'single') return;
        if (errors?.some((e) => e.extensions?.CRITICAL_ERROR)) response.body.singleResult.data = null;
      },
    };
  },
};
