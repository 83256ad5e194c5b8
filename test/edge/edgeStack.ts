import { generateKeyPair, SignJWT } from 'jose';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { seedDemoGrants } from '../../gateway/consent/store/seedDemoGrants';
import type { ConsentStore } from '../../gateway/consent/types';
import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { startServer, type RunningServer, type ServerOptions } from '../../gateway/server/startServer';
import type { StartedSubgraph } from '../../subgraphs/kit/startSubgraph';
import { startContosoSubgraph } from '../../subgraphs/contoso/server';
import { startFabrikamSubgraph } from '../../subgraphs/fabrikam/server';
import { startNorthwindSubgraph } from '../../subgraphs/northwind/server';
import { startPlatformSubgraph } from '../../subgraphs/platform/server';
import { composeDemoSupergraph } from '../harness/gatewayHarness';
import { startFaultyBank, type FaultyBank } from './faultyBank';

export interface EdgeStackOptions {
  gateway?: Partial<GatewayOptions>;
  server?: ServerOptions;
  /** Banks reached through a FaultyBank proxy. */
  faulty?: string[];
  /** Subgraph name -> secret: the gateway signs with it and the demo subgraph requires it. */
  secrets?: Record<string, string>;
}

export interface EdgeStack {
  url: string;
  /** The options the gateway was built with, to build another one (reload tests). */
  gatewayOptions: GatewayOptions;
  origin: string;
  gateway: Gateway;
  server: RunningServer;
  store: ConsentStore;
  subgraphs: Record<string, StartedSubgraph>;
  faulty: Record<string, FaultyBank>;
  tokenFor(user: string): Promise<string>;
  /** POSTs JSON to the gateway; `as` adds a bearer token for that user. */
  post(body: unknown, options?: { as?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string; headers: Headers; ms: number }>;
  stop(): Promise<void>;
}

/** The demo subgraphs on free ports (some behind faulty proxies), an in-memory store, the gateway over HTTP. */
export async function startEdgeStack(options: EdgeStackOptions = {}): Promise<EdgeStack> {
  const secrets = options.secrets ?? {};
  const subgraphs: Record<string, StartedSubgraph> = {
    platform: await startPlatformSubgraph({ port: 0, secret: secrets.platform }),
    northwind: await startNorthwindSubgraph({ port: 0, secret: secrets.northwind }),
    contoso: await startContosoSubgraph({ port: 0, secret: secrets.contoso }),
    fabrikam: await startFabrikamSubgraph({ port: 0, secret: secrets.fabrikam }),
  };
  const faulty: Record<string, FaultyBank> = {};
  for (const name of options.faulty ?? []) faulty[name] = await startFaultyBank(subgraphs[name]!.url);
  const store = await createConsentStore({ dataDir: 'memory://' });
  await seedDemoGrants(store);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const { supergraphSdl } = await composeDemoSupergraph();
  const gatewayOptions: GatewayOptions = {
    supergraphSdl,
    store,
    identity: await createIdentity({ key: publicKey }),
    subgraphUrls: Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, faulty[name]?.url ?? s.url])),
    subgraphSecrets: options.secrets,
    ...options.gateway,
  };
  const gateway = await createGateway(gatewayOptions);
  const subgraphUrls = Object.fromEntries(Object.entries(subgraphs).map(([name, s]) => [name, faulty[name]?.url ?? s.url]));
  const server = await startServer(gateway, { port: 0, readiness: { store, subgraphUrls, subgraphSecrets: options.secrets }, ...options.server });
  const tokenFor = (user: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('5m').sign(privateKey);
  return {
    url: server.url,
    gatewayOptions,
    origin: new URL(server.url).origin,
    gateway,
    server,
    store,
    subgraphs,
    faulty,
    tokenFor,
    async post(body, { as, headers = {} } = {}) {
      const started = performance.now();
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(as ? { authorization: `Bearer ${await tokenFor(as)}` } : {}), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text, headers: response.headers, ms: performance.now() - started };
    },
    async stop() {
      await server.close();
      await Promise.all(Object.values(faulty).map((f) => f.stop()));
      await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      await store.close();
    },
  };
}
