import { generateKeyPair, SignJWT } from 'jose';
import { seedDemoGrants } from '../../gateway/consent/store/seedDemoGrants';
import type { ConsentStore } from '../../gateway/consent/types';
import { createGateway, type GatewayOptions } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { startServer, type RunningServer } from '../../gateway/server/startServer';
import type { StartedSubgraph } from '../../subgraphs/kit/startSubgraph';
import { startContosoSubgraph } from '../../subgraphs/contoso/server';
import { startFabrikamSubgraph } from '../../subgraphs/fabrikam/server';
import { startNorthwindSubgraph } from '../../subgraphs/northwind/server';
import { startPlatformSubgraph } from '../../subgraphs/platform/server';
import { BACKENDS } from '../store/backends';
import { composeDemoSupergraph } from './gatewayHarness';

export interface E2EStack {
  url: string;
  store: ConsentStore;
  subgraphs: Record<string, StartedSubgraph>;
  server: RunningServer;
  /** Which store backs this run: PostgreSQL when DATABASE_URL is set, else PGlite. */
  backend: string;
  tokenFor(user: string): Promise<string>;
  /** POSTs a GraphQL request over HTTP; returns status and parsed body. */
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>;
  stop(): Promise<void>;
}

/**
 * The whole product over real HTTP on loopback: the four demo subgraphs on free ports, the gateway on a
 * free port, the consent store on PostgreSQL (DATABASE_URL, fresh schema) or PGlite, demo grants seeded.
 */
export async function startE2EStack(options: Partial<GatewayOptions> = {}): Promise<E2EStack> {
  const subgraphs: Record<string, StartedSubgraph> = {
    platform: await startPlatformSubgraph({ port: 0 }),
    northwind: await startNorthwindSubgraph({ port: 0 }),
    contoso: await startContosoSubgraph({ port: 0 }),
    fabrikam: await startFabrikamSubgraph({ port: 0 }),
  };
  const backend = BACKENDS.filter((b) => b.available).at(-1)!;
  const store = await backend.open();
  await seedDemoGrants(store);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { supergraphSdl } = await composeDemoSupergraph();
  const gateway = await createGateway({
    supergraphSdl,
    store,
    identity: await createIdentity({ key: publicKey }),
    subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, s.url])),
    ...options,
  });
  const server = await startServer(gateway, { port: 0 });
  const tokenFor = (user: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('5m').sign(privateKey);
  return {
    url: server.url,
    store,
    subgraphs,
    server,
    backend: backend.name,
    tokenFor,
    async post(body, headers = {}) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    },
    async stop() {
      await server.close();
      await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      await store.close();
    },
  };
}
