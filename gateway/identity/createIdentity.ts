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
}

export interface Identity {
  /** The user of an Authorization header: null when there is none; throws InvalidTokenError when it is not valid. */
  verify(authorization: string | undefined): Promise<string | null>;
}

/** Verifies bearer JWTs (jose): signature, issuer, audience, expiry; the subject is the platform user id. */
export async function createIdentity(options: IdentityOptions): Promise<Identity> {
  let key: CryptoKey | JWTVerifyGetKey;
  if (options.jwksUrl) key = createRemoteJWKSet(new URL(options.jwksUrl));
  else if (options.publicKeyPem) key = await importSPKI(options.publicKeyPem, options.algorithm ?? 'ES256');
  else if (options.key) key = options.key;
  else throw new Error('identity: configure one of jwksUrl, publicKeyPem or key');
  const issuer = options.issuer ?? DEMO_ISSUER;
  const audience = options.audience ?? DEMO_AUDIENCE;
  return {
    async verify(authorization) {
      if (authorization === undefined || authorization === '') return null;
      const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
      if (!match) throw new InvalidTokenError('Authorization header must be "Bearer <token>"');
      try {
        const { payload } = await jwtVerify(match[1], key as CryptoKey, { issuer, audience });
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('Token has no subject (sub)');
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
