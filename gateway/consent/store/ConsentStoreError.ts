/**
 * Why a consent store call failed:
 * - INVALID_INPUT: the call broke a rule (unknown scope, expiry beyond one year, ...);
 * - NOT_FOUND: no grant has that id;
 * - ALREADY_EXISTS: a grant with that id exists (ids are never reused: grants are records);
 * - ALREADY_REVOKED: the grant was revoked before;
 * - STORE_FAILURE: the database failed or could not be reached.
 */
export type ConsentStoreErrorCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ALREADY_REVOKED'
  | 'STORE_FAILURE';

/**
 * The only error the consent store throws. Its message is plain language, safe to show an operator:
 * never SQL text, a connection string or a driver message. The driver's error, if any, is `cause`.
 */
export class ConsentStoreError extends Error {
  override readonly name = 'ConsentStoreError';
  readonly code: ConsentStoreErrorCode;

  constructor(code: ConsentStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Wraps a driver error as a STORE_FAILURE that says what the store was doing ("could not revoke grant
 * 'g1'") plus the SQLSTATE or network error code, and keeps the original as `cause` for logs.
 * ConsentStoreErrors pass through unchanged.
 */
export function wrapDriverError(error: unknown, doing: string): ConsentStoreError {
  if (error instanceof ConsentStoreError) return error;
  const code = driverErrorCode(error);
  const suffix = code ? ` (database error ${code})` : '';
  return new ConsentStoreError('STORE_FAILURE', `consent store could not ${doing}${suffix}`, {
    cause: error,
  });
}

/** The SQLSTATE (pg and PGlite DatabaseError) or Node network code (ECONNREFUSED), when there is one. */
export function driverErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}
