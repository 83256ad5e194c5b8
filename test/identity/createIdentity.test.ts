import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIdentity, InvalidTokenError } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';

let keys: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: CryptoKey;
beforeAll(async () => {
  keys = await generateKeyPair('ES256');
  other = (await generateKeyPair('ES256')).privateKey;
});

const start = new Date('2026-12-01T12:00:00Z');
const seconds = (s: number) => Math.floor(start.getTime() / 1000) + s;
const token = (user: string, exp: number, key: CryptoKey = keys.privateKey) =>
  new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE)
    .setIssuedAt(seconds(0)).setExpirationTime(exp).sign(key);

/** An identity on a clock the test moves. */
async function identityAt(options: { cacheSize?: number; cacheMaxAgeMs?: number } = {}) {
  let now = start;
  const identity = await createIdentity({ key: keys.publicKey, now: () => now, ...options });
  return { verify: (t: string) => identity.verify(`Bearer ${t}`), advance: (ms: number) => void (now = new Date(now.getTime() + ms)) };
}

describe('Identity: verified tokens are remembered, never beyond their expiry', () => {
  it('accepts a remembered token until its exp, then refuses it as expired', async () => {
    const id = await identityAt();
    const alice = await token('alice', seconds(30));
    expect(await id.verify(alice)).toBe('alice');
    id.advance(29_000);
    expect(await id.verify(alice)).toBe('alice');
    id.advance(1_000);
    await expect(id.verify(alice)).rejects.toThrow(new InvalidTokenError('Token has expired'));
  });

  it('checks a remembered token in full again after cacheMaxAgeMs', async () => {
    const id = await identityAt({ cacheMaxAgeMs: 1000 });
    const bob = await token('bob', seconds(3600));
    expect(await id.verify(bob)).toBe('bob');
    id.advance(1500);
    expect(await id.verify(bob)).toBe('bob');
  });

  it('never remembers a refused token, nor lets a look-alike through', async () => {
    const id = await identityAt();
    const forged = await token('mallory', seconds(3600), other);
    await expect(id.verify(forged)).rejects.toThrow('Token signature is not valid');
    await expect(id.verify(forged)).rejects.toThrow('Token signature is not valid');
    const carol = await token('carol', seconds(3600));
    expect(await id.verify(carol)).toBe('carol');
    const [header, payload, signature] = carol.split('.');
    const tampered = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
    await expect(id.verify(tampered)).rejects.toThrow(InvalidTokenError);
  });

  it('answers the same with a cache of one token or none, and refuses every token past its expiry', async () => {
    for (const cacheSize of [1, 0]) {
      const id = await identityAt({ cacheSize });
      const tokens = await Promise.all(['u1', 'u2', 'u3'].map((u) => token(u, seconds(3600))));
      for (const t of tokens) expect(await id.verify(t)).toBe(t === tokens[0] ? 'u1' : t === tokens[1] ? 'u2' : 'u3');
      // Past the expiry every one is refused, remembered or not.
      id.advance(3600_000);
      for (const t of tokens) await expect(id.verify(t)).rejects.toThrow('Token has expired');
    }
  });

  it('refuses a cacheSize that is not a whole number', async () => {
    await expect(createIdentity({ key: keys.publicKey, cacheSize: -1 })).rejects.toThrow('identity: cacheSize must be a whole number of at least 0; received -1');
  });
});
