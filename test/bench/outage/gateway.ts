// The gateway under test, as its own process: demo supergraph, in-memory store with the demo grants, a
// fresh signing key. Env SUBGRAPH_URLS (JSON name -> URL) and PORT. Prints one JSON line: { url, tokens }.
import { generateKeyPair, SignJWT } from 'jose';
import { createConsentStore } from '../../../gateway/consent/store/createConsentStore';
import { seedDemoGrants, DEMO_USERS } from '../../../gateway/consent/store/seedDemoGrants';
import { createGateway } from '../../../gateway/createGateway';
import { createIdentity } from '../../../gateway/identity/createIdentity';
import { DEMO_AUDIENCE, DEMO_ISSUER } from '../../../gateway/identity/demoKeys';
import { startServer } from '../../../gateway/server/startServer';
import { composeDemoSupergraph } from '../../harness/gatewayHarness';

const subgraphUrls = JSON.parse(process.env.SUBGRAPH_URLS ?? '{}') as Record<string, string>;
const store = await createConsentStore({ dataDir: 'memory://' });
await seedDemoGrants(store);
const { privateKey, publicKey } = await generateKeyPair('ES256');
const { supergraphSdl } = await composeDemoSupergraph();
const gateway = await createGateway({ supergraphSdl, store, identity: await createIdentity({ key: publicKey }), subgraphUrls, production: true });
const server = await startServer(gateway, { port: Number(process.env.PORT ?? 0), readiness: { store, subgraphUrls } });
const tokens: Record<string, string> = {};
for (const user of DEMO_USERS) {
  tokens[user.id] = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(user.id).setIssuer(DEMO_ISSUER).setAudience(DEMO_AUDIENCE).setExpirationTime('2h').sign(privateKey);
}
console.log(JSON.stringify({ url: server.url, tokens }));
process.once('SIGTERM', () => void server.close().then(() => store.close()).then(() => process.exit(0)));
