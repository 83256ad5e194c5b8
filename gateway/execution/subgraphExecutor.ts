import { GraphQLError, type GraphQLSchema } from 'graphql';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import type { ExecutionRequest, ExecutionResult, Executor } from '@graphql-tools/utils';
import { ASSERTION_HEADER, encodeAssertion } from '../../schema/assertion';
import { pruneSubgraphRequest } from '../consent/pruneSubgraphRequest';
import type { GatewayContext } from '../context';
import { ErrorCode } from '../errors';
import type { ConsentModel } from '../supergraph/consentModel';

export interface SubgraphExecutorOptions {
  /** The subgraph's own name (a bank's name is what grants refer to). */
  name: string;
  url: string;
  /** The supergraph read schema, to type the fields of subgraph requests. */
  schema: GraphQLSchema;
  model: ConsentModel;
  /** Default 10000 ms. A request to this subgraph taking longer fails with DOWNSTREAM_SERVICE_ERROR. */
  timeoutMs?: number;
  /** Default the global fetch. The transport to the subgraph (tests route it to in-process servers). */
  fetch?: typeof fetch;
}

/**
 * The executor the stitching layer uses for one subgraph: prunes what the user has no grant for, attaches
 * the consent assertion, never shares an in-flight result between requests, and turns any failure into a
 * DOWNSTREAM_SERVICE_ERROR naming the subgraph, with no URL or upstream text.
 */
export function createSubgraphExecutor(options: SubgraphExecutorOptions): Executor {
  const { name, model, schema } = options;
  const isBank = model.accountTypeOfBank.has(name);
  const http = buildHTTPExecutor({
    endpoint: options.url,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    timeout: options.timeoutMs ?? 10_000,
    // Identical in-flight requests from two users must never share one answer (ARCHITECTURE.md, traps).
    deduplicateInflightRequests: false,
    headers: (request?: ExecutionRequest): Record<string, string> => {
      const ctx = request?.context as GatewayContext | undefined;
      if (!ctx?.consent) return {};
      const assertion = isBank ? ctx.consent.assertionFor(name) : ctx.consent.assertionFor(name, ctx.consent.links(model.accountTypeOfBank));
      return { [ASSERTION_HEADER]: encodeAssertion(assertion) };
    },
  });
  return (async (request: ExecutionRequest) => {
    const ctx = request.context as GatewayContext | undefined;
    const held = ctx?.consent ? ctx.consent.heldScopes(name) : new Set<string>();
    const pruned = pruneSubgraphRequest(schema, model, { document: request.document, variables: request.variables, bank: name, held });
    let result: ExecutionResult;
    try {
      result = (await http({ ...request, document: pruned.document, variables: pruned.variables ?? {} })) as ExecutionResult;
    } catch {
      return { errors: [downstreamError(name)] };
    }
    return result.errors ? { ...result, errors: result.errors.map((e) => sanitise(e, name)) } : result;
  }) as Executor;
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
