import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { createGateway } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { startServer } from '../../gateway/server/startServer';
import { startEdgeStack, type EdgeStack } from '../edge/edgeStack';
import { composeDemoSupergraph } from '../harness/gatewayHarness';

const DASHBOARD = '{ me { id accounts { id bank displayName balance { amount currency } transactions(first: 20) { nodes { id amount { amount } merchant } } } } }';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent, before any decoding. */
  raw: Buffer;
}

/** POSTs with node:http, which (unlike fetch) leaves the body as the server encoded it. */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decoded(answer: RawAnswer): unknown {
  const encoding = answer.headers['content-encoding'];
  const bytes =
    encoding === 'br' ? brotliDecompressSync(answer.raw) : encoding === 'gzip' ? gunzipSync(answer.raw) : encoding === 'deflate' ? inflateSync(answer.raw) : answer.raw;
  return JSON.parse(bytes.toString('utf8'));
}

/** Compressed request bodies are inflated, the body limit counts the inflated bytes, and what cannot be read is refused. */
async function requestBodies(url: string): Promise<void> {
  const query = JSON.stringify({ query: '{ __typename }' });
  const post = (bytes: Buffer, encoding: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: bytes });
  const gzipped = await post(gzipSync(query), 'gzip');
  expect(gzipped.status).toBe(200);
  expect(await gzipped.json()).toEqual({ data: { __typename: 'Query' } });
  // ~2 KB on the wire, 2 MiB inflated: over the 1 MiB limit.
  const bomb = await post(gzipSync(JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(2 * 1024 * 1024) })), 'gzip');
  expect(bomb.status).toBe(413);
  const garbled = await post(Buffer.from('not gzip at all'), 'gzip');
  expect(garbled.status).toBe(400);
  expect(await garbled.text()).toMatch(/Could not decompress/);
  const unknown = await post(Buffer.from(query), 'x-unknown');
  expect(unknown.status).toBe(415);
  expect(await unknown.text()).toMatch(/Unsupported Content-Encoding: x-unknown/);
}

describe('Response compression over HTTP, turned on (negotiated)', () => {
  let stack: EdgeStack;
  let auth: Record<string, string>;
  const body = JSON.stringify({ query: DASHBOARD });
  beforeAll(async () => {
    stack = await startEdgeStack({ server: { compression: true } });
    auth = { authorization: `Bearer ${await stack.tokenFor('alice')}` };
  });
  afterAll(async () => stack?.stop());

  it('answers a browser (gzip, deflate, br) in br: the same data and consent errors in fewer bytes', async () => {
    const plain = await rawPost(stack.url, body, auth);
    const compressed = await rawPost(stack.url, body, { ...auth, 'accept-encoding': 'gzip, deflate, br' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(compressed.status).toBe(200);
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(String(compressed.headers.vary)).toMatch(/accept-encoding/i);
    expect(Number(compressed.headers['content-length'])).toBe(compressed.raw.length);
    const answer = decoded(compressed) as { data: unknown; errors?: { extensions: { code: string } }[] };
    expect(answer).toEqual(decoded(plain));
    // The answer this test is about: stripped fields, each with its consent error.
    expect(answer.errors?.some((e) => e.extensions.code === 'UNAUTHORIZED_FIELD_OR_TYPE')).toBe(true);
    expect(compressed.raw.length).toBeLessThan(plain.raw.length / 2);
  });

  it('uses gzip or deflate when that is all the client takes, and nothing for identity', async () => {
    const gzip = await rawPost(stack.url, body, { ...auth, 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const deflate = await rawPost(stack.url, body, { ...auth, 'accept-encoding': 'deflate' });
    expect(deflate.headers['content-encoding']).toBe('deflate');
    const identity = await rawPost(stack.url, body, { ...auth, 'accept-encoding': 'identity' });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(decoded(gzip)).toEqual(decoded(identity));
    expect(decoded(deflate)).toEqual(decoded(identity));
  });

  it('leaves answers under 1 KiB as they are', async () => {
    const small = await rawPost(stack.url, JSON.stringify({ query: '{ __typename }' }), { 'accept-encoding': 'br' });
    expect(small.status).toBe(200);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(decoded(small)).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('Response compression settings', () => {
  it('keeps the legacy-JSON 200 for a failed parse when the answer is compressed (threshold 0)', async () => {
    const stack = await startEdgeStack({ server: { compression: { thresholdBytes: 0 } } });
    try {
      const answer = await rawPost(stack.url, JSON.stringify({ query: '{ me { ' }), { accept: 'application/json', 'accept-encoding': 'gzip' });
      expect(answer.headers['content-encoding']).toBe('gzip');
      expect(answer.status).toBe(200);
      expect((decoded(answer) as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    } finally {
      await stack.stop();
    }
  });

  it('by default answers uncompressed whatever the client accepts, and reads compressed request bodies', async () => {
    const stack = await startEdgeStack();
    try {
      const answer = await rawPost(stack.url, JSON.stringify({ query: DASHBOARD }), { authorization: `Bearer ${await stack.tokenFor('alice')}`, 'accept-encoding': 'br, gzip' });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBeUndefined();
      expect(answer.raw.length).toBeGreaterThan(1024);
      await requestBodies(stack.url);
    } finally {
      await stack.stop();
    }
  });

  it('refuses settings out of range at start, naming the setting', async () => {
    const store = await createConsentStore({ dataDir: 'memory://' });
    const { publicKey } = await generateKeyPair('ES256');
    const gateway = await createGateway({ supergraphSdl: (await composeDemoSupergraph()).supergraphSdl, store, identity: await createIdentity({ key: publicKey }) });
    try {
      await expect(startServer(gateway, { port: 0, compression: { brotliQuality: 12 } })).rejects.toThrow(/compression\.brotliQuality must be a whole number from 0 to 11; received 12/);
      await expect(startServer(gateway, { port: 0, compression: { gzipLevel: 0.5 } })).rejects.toThrow(/compression\.gzipLevel/);
      await expect(startServer(gateway, { port: 0, compression: { thresholdBytes: -1 } })).rejects.toThrow(/compression\.thresholdBytes/);
    } finally {
      await gateway.stop();
      await store.close();
    }
  });
});
