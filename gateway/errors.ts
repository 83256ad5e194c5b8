import { GraphQLError, type GraphQLErrorOptions } from 'graphql';

/** Every extensions.code ConsentGate puts in a client-facing error. */
export enum ErrorCode {
  /** A field stripped for lack of consent; the same code Apollo Router, Hive Gateway and Cosmo use. */
  UNAUTHORIZED_FIELD_OR_TYPE = 'UNAUTHORIZED_FIELD_OR_TYPE',
  /** A security-team rule denied the field. */
  FORBIDDEN = 'FORBIDDEN',
  /** The bearer token was present but not valid. */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** A bank subgraph failed or could not be reached; extensions.serviceName names it. */
  DOWNSTREAM_SERVICE_ERROR = 'DOWNSTREAM_SERVICE_ERROR',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** No such object for this caller (also when it exists but belongs to someone else). */
  NOT_FOUND = 'NOT_FOUND',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  // Client-edge refusals (operation limits, batching, malformed HTTP requests), all HTTP 400.
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

/** Why a consent-guarded field was stripped (CONSENT.md, "What a stripped field looks like"). */
export type ConsentReason =
  | 'MISSING'
  | 'EXPIRED'
  | 'REVOKED'
  | 'ACCOUNT_NOT_CONSENTED'
  | 'OUTSIDE_WINDOW'
  | 'UNAUTHENTICATED'
  | 'CONSENT_UNAVAILABLE'
  /** The access could not be recorded in the audit trail, so the data was not served (CONSENT.md, "Records"). */
  | 'AUDIT_UNAVAILABLE';

export interface ConsentErrorExtension {
  bank: string;
  scopes: string[];
  reason: ConsentReason;
  /** The account the decision was about, when the field belongs to one. */
  account?: string;
}

declare module 'graphql' {
  interface GraphQLErrorExtensions {
    code?: ErrorCode | string;
    consent?: ConsentErrorExtension;
    serviceName?: string;
  }
}

/** The message of the error put at the path of a field stripped for lack of consent. */
export function consentMessage(consent: ConsentErrorExtension): string {
  return `Consent required: ${consent.scopes.join(', ')} at ${consent.bank}`;
}

// Consent errors share GraphQLError's prototype (instanceof, toJSON, toString) under the name it gives.
const CONSENT_ERROR = Object.create(GraphQLError.prototype, { name: { value: 'GraphQLError' } }) as GraphQLError;

/**
 * The error put at the path of a field stripped for lack of consent: a GraphQLError with exactly the own
 * enumerable fields its constructor gives an error with a path and extensions and no nodes (message,
 * path, locations, extensions; test/gateway/errors.test.ts pins the equivalence). Made without the
 * constructor: shaping makes one per stripped path (63 on the bench dashboard), and the constructor cost
 * ~6 µs each even without a stack trace (Object.defineProperties, Error's own set-up), 7% of the
 * gateway's CPU on that workload in the profile.
 */
export function consentError(consent: ConsentErrorExtension, path?: readonly (string | number)[]): GraphQLError {
  const error = Object.create(CONSENT_ERROR) as { -readonly [K in keyof GraphQLError]: GraphQLError[K] };
  // One message and one (frozen) extensions object per consent extension, shared by the errors of every
  // path it strips: the decisions hand out one extension object each, so a request builds a few, not 63.
  let shared = SHARED.get(consent);
  if (!shared) {
    shared = { message: consentMessage(consent), extensions: Object.freeze({ code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, consent }) };
    SHARED.set(consent, shared);
  }
  error.message = shared.message;
  error.path = path;
  error.locations = undefined;
  error.extensions = shared.extensions;
  return error;
}

const SHARED = new WeakMap<ConsentErrorExtension, { message: string; extensions: GraphQLError['extensions'] }>();

/**
 * A GraphQLError with no stack trace captured, for the other errors shaping makes per response path (rule
 * denials, nulls in non-null fields): no response ever shows a stack, and capturing it (twice: Error and
 * GraphQLError each do) was two thirds of the constructor's cost (measured 17.7 -> 6.1 µs per error).
 */
export function errorWithoutStack(message: string, options: GraphQLErrorOptions): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, options);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
