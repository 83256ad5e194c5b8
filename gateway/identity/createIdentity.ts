import { createRemoteJWKSet, importSPKI, jwtVerify, errors, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { DEMO_AUDIENCE, DEMO_ISSUER } from './demoKeys';

/** A bearer token was sent but is not valid; the request is refused with UNAUTHENTICATED (401). */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export interface IdentityOptions {
  /** A JWKS URL of the identity provider. One of jwksUrl, publicKeyPem or key is required. */
  jwksUrl?: string;
  /** An SPKI PEM public key. */
  publicKeyPem?: string;
  /** Default ES256. The algorithm of publicKeyPem. */
  algorithm?: string;
  /** A key object (the demo's). */
  key?: CryptoKey;
  /** Default 'consentgate-demo'. Tokens from another issuer are refused. */
  issuer?: string;
  /** Default 'consentgate'. Tokens for another audience are refused. */
  audience?: string;
  /**
   * Default 10000. Verified tokens remembered (by their exact text, least recently verified dropped
   * first), so a client's next requests skip the signature check; 0 turns the cache off. A remembered
   * token is still refused from its `exp` on, and is checked in full again after cacheMaxAgeMs.
   */
  cacheSize?: number;
  /**
   * Default 60000 ms. How long a verification is reused at most: a key withdrawn from the JWKS stops
   * being honoured by then (the JWKS itself is re-read only after jose's own cache of 10 minutes).
   */
  cacheMaxAgeMs?: number;
  /** Default () => new Date(). The clock for exp and nbf; tests inject one. */
  now?: () => Date;
}

export interface Identity {
  /** The user of an Authorization header: null when there is none; throws InvalidTokenError when it is not valid. */
  verify(authorization: string | undefined): Promise<string | null>;
}

/**
 * Verifies bearer JWTs (jose): signature, issuer, audience, expiry; the subject is the platform user id.
 * A verified token is remembered for a while (cacheSize, cacheMaxAgeMs); a refused one never is.
 */
export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  let key: CryptoKey | JWTVerifyGetKey;
  if (options.jwksUrl) key = createRemoteJWKSet(new URL(options.jwksUrl));
  else if (options.publicKeyPem) key = await importSPKI(options.publicKeyPem, options.algorithm ?? 'ES256');
  else if (options.key) key = options.key;
  else throw new Error('identity: configure one of jwksUrl, publicKeyPem or key');
  const issuer = options.issuer ?? DEMO_ISSUER;
  const audience = options.audience ?? DEMO_AUDIENCE;
  const now = options.now ?? (() => new Date());
  const cacheSize = options.cacheSize ?? 10_000;
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? 60_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new Error(`identity: cacheSize must be a whole number of at least 0; received ${cacheSize}`);
  // token -> until when it may be reused (ms): the earlier of its exp and verification + cacheMaxAgeMs.
  const verified = new Map<string, { user: string; until: number }>();
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization === '') return null;
      const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
      if (!match) throw new InvalidTokenError('Authorization header must be "Bearer <token>"');
      const token = match[1];
      const at = now();
      const cached = verified.get(token);
      if (cached) {
        verified.delete(token);
        if (at.getTime() < cached.until) {
          verified.set(token, cached); // most recently used last
          return cached.user;
        }
      }
      try {
        const { payload } = await jwtVerify(token, key as CryptoKey, { issuer, audience, currentDate: at });
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('Token has no subject (sub)');
        if (cacheSize > 0) {
          const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity;
          verified.set(token, { user: payload.sub, until: Math.min(expires, at.getTime() + cacheMaxAgeMs) });
          if (verified.size > cacheSize) verified.delete(verified.keys().next().value!);
        }
        return payload.sub;
      } catch (error) {
        if (error instanceof InvalidTokenError) throw error;
        throw new InvalidTokenError(describeJoseError(error));
      }
    },
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'Token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `Token claim "${error.claim}" is not valid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'Token signature is not valid';
  if (error instanceof errors.JOSEError) return 'Token is malformed or not signed by a trusted key';
  return 'Token could not be verified';
}
