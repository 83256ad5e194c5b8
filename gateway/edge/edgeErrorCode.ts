import { GraphQLError } from 'graphql';

/** The extensions.code of each client-edge refusal; each comes with HTTP 400 and the limit in the message. */
export enum EdgeErrorCode {
  /** Fields nested deeper than limits.maxDepth. */
  MAX_DEPTH_EXCEEDED = 'MAX_DEPTH_EXCEEDED',
  /** More aliases than limits.maxAliases in one operation. */
  MAX_ALIASES_EXCEEDED = 'MAX_ALIASES_EXCEEDED',
  /** A document of more than limits.maxTokens lexical tokens (refused while parsing). */
  MAX_TOKENS_EXCEEDED = 'MAX_TOKENS_EXCEEDED',
  /** More directives than limits.maxDirectives in one operation. */
  MAX_DIRECTIVES_EXCEEDED = 'MAX_DIRECTIVES_EXCEEDED',
  /** Estimated cost (fields times list sizes) above limits.maxCost. */
  MAX_COST_EXCEEDED = 'MAX_COST_EXCEEDED',
  /** A batched (array) HTTP request while batching is off. */
  BATCHING_DISABLED = 'BATCHING_DISABLED',
  /** A batched HTTP request with more operations than limits.maxBatchSize. */
  BATCH_LIMIT_EXCEEDED = 'BATCH_LIMIT_EXCEEDED',
  /** Apollo Server's own refusal of a malformed HTTP request, including CSRF prevention's. */
  BAD_REQUEST = 'BAD_REQUEST',
  /** Apollo Server's: no operation by the requested name, or several operations and no name. */
  OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE',
}

/** A refusal at the client edge: the code, and HTTP 400 (the request is the client's to fix). */
export function edgeError(code: EdgeErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code, http: { status: 400 } } });
}
