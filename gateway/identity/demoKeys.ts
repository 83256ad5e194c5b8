import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';

/** Issuer and audience of demo tokens; a real deployment configures its identity provider's. */
export const DEMO_ISSUER = 'consentgate-demo';
export const DEMO_AUDIENCE = 'consentgate';
const ALG = 'ES256';

export interface DemoKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/**
 * The demo signing key pair, generated on first use and kept in `<dataDir>/demo-signing-key.json`
 * (readable by its owner only). Only the demo uses it; a real deployment verifies with a JWKS URL or a public key.
 */
export async function loadOrCreateDemoKeys(dataDir: string): Promise<DemoKeys> {
  const file = join(dataDir, 'demo-signing-key.json');
  try {
    const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    const { d: _private, ...publicJwk } = jwk;
    return {
      privateKey: (await importJWK(jwk, ALG)) as CryptoKey,
      publicKey: (await importJWK(publicJwk, ALG)) as CryptoKey,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`demo signing key ${file} is unreadable (${(error as Error).message}); delete it to generate a new one`);
    }
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify({ ...(await exportJWK(privateKey)), alg: ALG }), { mode: 0o600, flag: 'wx' }).catch(async (error) => {
    // Another process created it first: use theirs, so tokens from either verify.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  });
  return loadOrCreateDemoKeys(dataDir);
}

/** A demo bearer token for `user`, valid for `ttl` (default one hour). */
export async function signDemoToken(keys: DemoKeys, user: string, ttl = '1h'): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALG })
    .setSubject(user)
    .setIssuer(DEMO_ISSUER)
    .setAudience(DEMO_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(keys.privateKey);
}
