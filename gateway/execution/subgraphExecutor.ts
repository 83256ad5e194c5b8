import { GraphQLError, getOperationAST, Kind, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { ASSERTION_HEADER, encodeAssertion, signSubgraphRequest } from '../../schema/assertion';
import { asksNothing, pruneSubgraphRequest } from '../consent/pruneSubgraphRequest';
import type { GatewayContext } from '../context';
import { BankFailure, createBankBreaker, isOpenCircuit, type BankBreaker, type BreakerOptions } from '../edge/bankBreaker';
import { getForwardedHeaders } from '../edge/forwardedHeaders';
import { ErrorCode } from '../errors';
import type { ConsentModel } from '../supergraph/consentModel';
import { fetchTransport, pooledTransport, type SubgraphTransport } from './subgraphTransport';

/** How the gateway treats a bank that is down, slow or broken. Every field starts with its default. */
export interface SubgraphResilienceOptions {
  /** Default 2. Extra attempts after a transport failure, for queries only (a mutation is never repeated). */
  retries?: number;
  /** Default 50 ms. First backoff; doubles per retry, with jitter (50-100% of the step). */
  retryBackoffMs?: number;
  /** Default: see BreakerOptions. One breaker per subgraph; `false` turns breakers off. */
  breaker?: BreakerOptions | false;
}

export interface SubgraphExecutorOptions {
  /** The subgraph's own name (a bank's name is what grants refer to). */
  name: string;
  url: string;
  /** The supergraph read schema, to type the fields of subgraph requests. */
  schema: GraphQLSchema;
  model: ConsentModel;
  /**
   * Default 5000 ms. The whole budget of one call to this subgraph, retries included; past it the call
   * fails with DOWNSTREAM_SERVICE_ERROR. Keep it well below the client's own request timeout.
   */
  timeoutMs?: number;
  /**
   * Default: undici's request API on a shared keep-alive pool (pooledTransport). A fetch function instead
   * (tests route it to in-process servers).
   */
  fetch?: typeof fetch;
  resilience?: SubgraphResilienceOptions;
  /** Default none (unsigned). The secret shared with this subgraph; every request is signed with it (HMAC-SHA256). */
  signingSecret?: string;
}

/** A subgraph executor that also exposes its breaker (for readiness and tests). */
export type SubgraphExecutor = Executor & { breaker?: BankBreaker };

/**
 * The executor the stitching layer uses for one subgraph: prunes what the user has no grant for, attaches
 * (and signs) the consent assertion, never shares an in-flight result between requests, retries queries
 * on transport failures within one deadline, trips a per-bank breaker, and turns any failure into a
 * DOWNSTREAM_SERVICE_ERROR naming the subgraph, with no URL or upstream text.
 */
export function createSubgraphExecutor(options: SubgraphExecutorOptions): SubgraphExecutor {
  const { name, model, schema } = options;
  const isBank = model.accountTypeOfBank.has(name);
  const transport = options.fetch ? fetchTransport(options.fetch) : pooledTransport;
  const target = parseSubgraphUrl(name, options.url);
  const timeoutMs = options.timeoutMs ?? 5000;
  const retries = options.resilience?.retries ?? 2;
  const backoffMs = options.resilience?.retryBackoffMs ?? 50;
  const breakerOptions = options.resilience?.breaker;
  const breaker = breakerOptions === false ? undefined : createBankBreaker(name, breakerOptions);

  // Pruning depends only on the document and the scopes held at this bank: done once per pair, not per request.
  const preparedCache = new WeakMap<DocumentNode, Map<string, PreparedRequest>>();
  const prepare = (document: DocumentNode, held: Set<string>): PreparedRequest => {
    let byHeld = preparedCache.get(document);
    if (!byHeld) preparedCache.set(document, (byHeld = new Map()));
    const key = [...held].sort().join(' ');
    let prepared = byHeld.get(key);
    if (!prepared) {
      prepared = prepareSubgraphRequest(schema, model, name, document, held);
      // Bounded: a document is one plan node or one stitched delegation; held-scope sets per bank are few.
      if (byHeld.size < 256) byHeld.set(key, prepared);
    }
    return prepared;
  };

  const executor = (async (request: ExecutionRequest) => {
    const ctx = request.context as GatewayContext | undefined;
    const held = ctx?.consent ? ctx.consent.heldScopes(name) : NO_SCOPES;
    const pruned = prepare(request.document, held);
    if (pruned.asksNothing) return nothingAsked(request);
    const variables = pruned.usedVariables && request.variables ? pick(request.variables, pruned.usedVariables) : (request.variables ?? {});
    const body = JSON.stringify(request.operationName ? { query: pruned.query, variables, operationName: request.operationName } : { query: pruned.query, variables });
    // Copied, then set: a literal's properties after a spread (`{ ...forwarded, accept }`) each cost ~1 µs on
    // Node 20's V8, for every subgraph request.
    const headers: Record<string, string> = Object.assign({}, getForwardedHeaders(ctx));
    headers['content-type'] = 'application/json';
    headers.accept = 'application/graphql-response+json, application/json';
    let assertion = '';
    if (ctx?.consent) {
      assertion = encodeAssertion(isBank ? ctx.consent.assertionFor(name) : ctx.consent.assertionFor(name, ctx.consent.links(model.accountTypeOfBank)));
      headers[ASSERTION_HEADER] = assertion;
    }
    // Idempotent operations only: a query may be repeated, a mutation must not be (it may have landed).
    const idempotent = (request.operationType ?? pruned.operationType) === 'query';
    const deadline = Date.now() + timeoutMs;
    const attempt = async (): Promise<ExecutionResult> => {
      // Signed per attempt: the timestamp bounds replay, so a retry carries a fresh one.
      const signed = options.signingSecret ? signSubgraphRequest({ subgraph: name, secret: options.signingSecret, assertion, body }) : {};
      return post(transport, target, Object.assign({}, headers, signed), body, deadline);
    };
    for (let tries = 0; ; tries += 1) {
      try {
        const result = (breaker ? await breaker.fire(attempt) : await attempt()) as ExecutionResult;
        return result.errors ? { ...result, errors: result.errors.map((e) => sanitise(e, name)) } : result;
      } catch (error) {
        if (isOpenCircuit(error)) return { errors: [downstreamError(name, `Subgraph '${name}' is unavailable`)] };
        if (!(error instanceof BankFailure)) return { errors: [downstreamError(name)] };
        const delay = backoffMs * 2 ** tries * (0.5 + Math.random() / 2);
        // A timeout used the whole budget; otherwise retry only while the next attempt still has time.
        if (!idempotent || tries >= retries || error.reason === 'timeout' || Date.now() + delay >= deadline - 10) {
          return { errors: [downstreamError(name)] };
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }) as SubgraphExecutor;
  executor.breaker = breaker;
  return executor;
}

/** One HTTP attempt. Throws BankFailure for anything that is not a GraphQL response from a working server. */
async function post(transport: SubgraphTransport, url: URL, headers: Record<string, string>, body: string, deadline: number): Promise<ExecutionResult> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw new BankFailure('timeout', 'no time left');
  const response = await transport(url, headers, body, remaining);
  // 5xx, 429 and 408 are the server's trouble, not an answer (RFC 9110 §15.6); retryable for queries.
  if (response.status >= 500 || response.status === 429 || response.status === 408) throw new BankFailure('status', String(response.status));
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    throw new BankFailure('malformed', `HTTP ${response.status}, not JSON`);
  }
  // GraphQL over HTTP: a response is a map with `data` and/or `errors` (a list).
  const result = parsed as ExecutionResult | null;
  if (typeof result !== 'object' || result === null || Array.isArray(result) || (!('data' in result) && !Array.isArray(result.errors)) || (result.errors !== undefined && !Array.isArray(result.errors))) {
    throw new BankFailure('malformed', `HTTP ${response.status}, not a GraphQL response`);
  }
  return {
    data: result.data,
    ...(result.errors ? { errors: result.errors.map((e: any) => new GraphQLError(String(e?.message ?? ''), { path: e?.path, extensions: e?.extensions })) } : {}),
  };
}

/**
 * What `subgraph` is sent for `document` when the user holds `held` there: the document pruned of every
 * field no grant allows (with the consent keys added) and printed, the variables it still declares, and
 * whether nothing is left to ask. The executor caches it per document and scope set; `consentgate explain
 * --query` shows it.
 */
export function prepareSubgraphRequest(schema: GraphQLSchema, model: ConsentModel, subgraph: string, document: DocumentNode, held: Set<string>): PreparedRequest {
  const pruned = pruneSubgraphRequest(schema, model, { document, bank: subgraph, held }).document;
  const operation = getOperationAST(pruned);
  const declared = operation?.variableDefinitions?.map((v) => v.variable.name.value);
  // A plan's own type-names-only entity fetch (an @interfaceObject's concrete __typename) must reach the bank.
  return { query: print(pruned), usedVariables: declared ? new Set(declared) : null, operationType: operation?.operation, asksNothing: asksNothing(pruned) && !asksNothing(document) };
}

export interface PreparedRequest {
  query: string;
  /** Entities whose every field was pruned: answered without asking the bank. */
  asksNothing: boolean;
  /** Variables the pruned document still declares; null: send them all. */
  usedVariables: Set<string> | null;
  operationType?: string;
}

const NO_SCOPES = new Set<string>();

// The answer the bank would give to an entity request for type names only: one empty object per
// representation under each entities field (their type names are already known).
function nothingAsked(request: ExecutionRequest): ExecutionResult {
  const data: Record<string, unknown> = {};
  for (const definition of request.document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const selection of definition.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const argument = selection.arguments?.find((a) => a.name.value === 'representations')?.value;
      const representations = argument?.kind === Kind.VARIABLE ? request.variables?.[argument.name.value] : undefined;
      data[selection.alias?.value ?? selection.name.value] = Array.isArray(representations)
        ? representations.map((r) => ({ __typename: (r as { __typename?: unknown })?.__typename }))
        : [];
    }
  }
  return { data };
}

/** The subgraph's URL, checked at start-up: http(s) only. */
function parseSubgraphUrl(name: string, url: string): URL {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol === 'http:' || parsed?.protocol === 'https:') return parsed;
  throw new Error(`subgraph '${name}' has an invalid URL; expected an absolute http(s) URL, received '${url}'`);
}

function pick(variables: Record<string, unknown>, names: Set<string>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(variables)) if (names.has(key)) picked[key] = variables[key];
  return picked;
}

function downstreamError(name: string, message = `Subgraph '${name}' could not be reached or failed`): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: name } });
}

// Errors the bank answered with as GraphQL errors keep their message when the bank marked them as the
// client's fault (BAD_USER_INPUT); everything else (transport, HTTP status, unexpected) is reported
// without upstream text, which may carry URLs or internals.
function sanitise(error: GraphQLError, name: string): GraphQLError {
  const code = error.extensions?.code;
  if (code === ErrorCode.BAD_USER_INPUT) {
    return new GraphQLError(error.message, { path: error.path, extensions: { code, serviceName: name } });
  }
  const masked = downstreamError(name, `Subgraph '${name}' returned an error`);
  return new GraphQLError(masked.message, { path: error.path, extensions: masked.extensions });
}
