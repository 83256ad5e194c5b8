import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentStoreError } from '../../gateway/consent/store/ConsentStoreError';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../gateway/consent/types';
import { createGateway, type Gateway } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { composeDemoSupergraph, demoSubgraphSchemas, type GraphQLResponse } from '../harness/gatewayHarness';
import { startInProcessSubgraphs, type InProcessSubgraphs } from '../harness/inProcessSubgraphs';
import { BACKENDS } from '../store/backends';

const BIN = fileURLToPath(new URL('../../gateway/bin.mjs', import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? '';

describe('Store failures: unreachable at start', () => {
  it('makes `consentgate serve` exit 1 with one clear line, no URL or driver text', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: { ...process.env, DATABASE_URL: 'postgres://consentgate:secret@127.0.0.1:1/consentgate' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("consentgate serve: consent store could not open its database (PostgreSQL, schema 'public') and apply migrations (database error ECONNREFUSED)");
    expect(stderr).not.toContain('secret');
  });
});

/** A TCP proxy to PostgreSQL that can drop every connection and refuse new ones: a store lost on the network. */
async function startOutageProxy(target: URL): Promise<{ url: string; down(): void; up(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let isDown = false;
  const server: Server = createServer((client) => {
    if (isDown) return client.destroy();
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.href,
    down() {
      isDown = true;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      isDown = false;
    },
    close: () => new Promise<void>((resolve) => { for (const socket of sockets) socket.destroy(); server.close(() => resolve()); }),
  };
}

/** Wraps an embedded store so every call fails while `down` is set: the same outage for PGlite. */
function withOutage(store: ConsentStore): { store: ConsentStore; down(): void; up(): void } {
  let isDown = false;
  const fail = () => { throw new ConsentStoreError('STORE_FAILURE', 'consent store could not list grants (database error ECONNRESET)'); };
  const guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A) => (isDown ? fail() : fn(...args));
  return {
    store: {
      grantsForUser: guard(store.grantsForUser), grant: guard(store.grant), revoke: guard(store.revoke),
      markUsed: guard(store.markUsed), list: guard(store.list), close: store.close,
      audit: { write: guard(store.audit.write), query: guard(store.audit.query), prune: guard(store.audit.prune) },
    },
    down: () => { isDown = true; },
    up: () => { isDown = false; },
  };
}

const postgres = BACKENDS.find((b) => b.name === 'postgres')!;

for (const backend of ['pglite', 'postgres'] as const) {
  describe.skipIf(backend === 'postgres' && !postgres.available)(`Store failures: lost while serving, back without a restart [${backend}]`, () => {
    let real: ConsentStore;
    let gateway: Gateway;
    let subgraphs: InProcessSubgraphs;
    let outage: { down(): void; up(): void; close?(): Promise<void> };
    let run: (user: string, query: string) => Promise<GraphQLResponse>;

    beforeAll(async () => {
      const { supergraphSdl, platformSdl } = await composeDemoSupergraph();
      subgraphs = await startInProcessSubgraphs(demoSubgraphSchemas(platformSdl));
      let store: ConsentStore;
      if (backend === 'postgres') {
        const proxy = await startOutageProxy(new URL(DATABASE_URL));
        real = await createConsentStore({ databaseUrl: proxy.url, schema: postgres.newSchema() });
        store = real;
        outage = proxy;
      } else {
        real = await createConsentStore({ dataDir: 'memory://' });
        const wrapped = withOutage(real);
        store = wrapped.store;
        outage = wrapped;
      }
      await real.grant({ userId: 'lost', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'] });
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const identity = await createIdentity({ key: publicKey });
      gateway = await createGateway({ supergraphSdl, store, identity, subgraphUrls: subgraphs.urls, fetch: subgraphs.fetch, onAuditError: () => {} });
      run = async (user, query) => {
        const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('5m').sign(privateKey);
        const contextValue = await gateway.createContext(`Bearer ${token}`);
        const response = await gateway.apollo.executeOperation({ query }, { contextValue });
        if (response.body.kind !== 'single') throw new Error('expected a single result');
        return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResponse;
      };
    }, 120_000);
    afterAll(async () => {
      await gateway?.stop();
      await subgraphs?.stop();
      outage?.up();
      await real?.close();
      await outage?.close?.();
    });

    const QUERY = '{ me { id accounts { id balance { amount } } } }';

    it('serves, fails closed while the store is gone, and serves again once it is back', async () => {
      const before = await run('lost', QUERY);
      expect((before.data!.me as any).accounts[0].balance).not.toBeNull();
      const recordsBefore = (await real.audit.query({ userId: 'lost' })).length;

      outage.down();
      const during = await run('lost', QUERY);
      // Public fields still served; no account, balance or grant data without the store, no internals.
      expect((during.data!.me as any).id).toBe('lost');
      expect(JSON.stringify(during)).not.toMatch(/amount"\s*:\s*\d|nw-dave-chk/);
      expect(JSON.stringify(during)).not.toMatch(/ECONN|SELECT|postgres/i);
      const api = await run('lost', '{ consentGrants { id } }');
      expect(api.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);

      outage.up();
      let after: GraphQLResponse | undefined;
      // pg drops the broken pooled connections as they fail; within a few requests it is back.
      for (let attempt = 0; attempt < 20; attempt++) {
        after = await run('lost', QUERY);
        if ((after.data?.me as any)?.accounts?.[0]?.balance) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((after!.data!.me as any).accounts[0].balance).not.toBeNull();
      expect((await real.audit.query({ userId: 'lost' })).length).toBeGreaterThan(recordsBefore);
    });
  });
}
