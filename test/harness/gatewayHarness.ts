import { generateKeyPair, SignJWT } from 'jose';
import type { GraphQLSchema } from 'graphql';
import { composeSupergraph, readSubgraphs } from '../../gateway/composition/composeSupergraph';
import { loadSupergraphConfig } from '../../gateway/composition/loadSupergraphConfig';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { seedDemoGrants } from '../../gateway/consent/store/seedDemoGrants';
import type { ConsentStore } from '../../gateway/consent/types';
import { createGateway, type Gateway, type GatewayOptions } from '../../gateway/createGateway';
import { createIdentity } from '../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../gateway/identity/demoKeys';
import { DEFAULT_PATHS } from '../../gateway/paths';
import { buildContosoSchema } from '../../subgraphs/contoso/schema';
import { buildFabrikamSchema } from '../../subgraphs/fabrikam/schema';
import { buildNorthwindSchema } from '../../subgraphs/northwind/schema';
import { buildPlatformSchema } from '../../subgraphs/platform/schema';
import { startInProcessSubgraphs, type InProcessSubgraphs } from './inProcessSubgraphs';

/** The demo supergraph, composed in memory from schema/supergraph.yaml with all of ConsentGate's checks. */
export async function composeDemoSupergraph(): Promise<{ supergraphSdl: string; platformSdl: string }> {
  const config = await loadSupergraphConfig(DEFAULT_PATHS.supergraphConfig);
  const result = composeSupergraph(await readSubgraphs(config), { configPath: config.path });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return { supergraphSdl: result.supergraphSdl, platformSdl: result.platformSdl! };
}

/** The demo subgraph schemas by name. */
export function demoSubgraphSchemas(platformSdl?: string): Record<string, GraphQLSchema> {
  return {
    platform: buildPlatformSchema(platformSdl),
    northwind: buildNorthwindSchema(),
    contoso: buildContosoSchema(),
    fabrikam: buildFabrikamSchema(),
  };
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestGateway {
  gateway: Gateway;
  store: ConsentStore;
  subgraphs: InProcessSubgraphs;
  /** A valid bearer token for `user`. */
  tokenFor(user: string): Promise<string>;
  /** Runs an operation as `user` (null: anonymous) through Apollo Server, in process. */
  run(user: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  stop(): Promise<void>;
}

/**
 * The whole gateway in one process: the demo banks' real Apollo Servers behind an in-memory fetch, an
 * in-memory PGlite store seeded with the demo grants, and a fresh signing key.
 */
export async function createTestGateway(options: Partial<Pick<GatewayOptions, 'securityRules' | 'now' | 'introspection' | 'executor'>> & { seed?: boolean } = {}): Promise<TestGateway> {
  const { supergraphSdl, platformSdl } = await composeDemoSupergraph();
  const subgraphs = await startInProcessSubgraphs(demoSubgraphSchemas(platformSdl));
  const store = await createConsentStore({ dataDir: 'memory://' });
  if (options.seed !== false) await seedDemoGrants(store);
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const identity = await createIdentity({ key: publicKey });
  const gateway = await createGateway({ ...options, supergraphSdl, store, identity, subgraphUrls: subgraphs.urls, fetch: subgraphs.fetch });
  const tokenFor = (user: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('5m').sign(privateKey);
  return {
    gateway,
    store,
    subgraphs,
    tokenFor,
    async run(user, query, variables) {
      const contextValue = await gateway.createContext(user === null ? undefined : `Bearer ${await tokenFor(user)}`);
      const response = await gateway.apollo.executeOperation({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResponse;
    },
    async stop() {
      await gateway.stop();
      await subgraphs.stop();
      await store.close();
    },
  };
}
