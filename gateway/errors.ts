import { GraphQLError } from 'graphql';

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

/** The error put at the path of a field stripped for lack of consent. */
export function consentError(consent: ConsentErrorExtension): GraphQLError {
  return new GraphQLError(`Consent required: ${consent.scopes.join(', ')} at ${consent.bank}`, {
    extensions: { code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, consent },
  });
}
