import { isMainModule, serveFromEnv } from '../kit/runAsScript.js';
import { startSubgraph, type StartedSubgraph } from '../kit/startSubgraph.js';
import { buildFabrikamSchema } from './schema.js';

/** Fabrikam's port in schema/supergraph.yaml (routing_url http://127.0.0.1:4004/graphql). */
export const FABRIKAM_PORT = 4004;

/** Serves Fabrikam on `port` (default FABRIKAM_PORT; 0 picks a free one) and `host` (default 127.0.0.1);
 * with `secret`, only requests the gateway signed with it are served, and @consent is enforced here too. */
export function startFabrikamSubgraph(options: { port?: number; host?: string; secret?: string } = {}): Promise<StartedSubgraph> {
  return startSubgraph({ schema: buildFabrikamSchema(), name: 'fabrikam', secret: options.secret, enforceConsent: options.secret !== undefined, port: options.port ?? FABRIKAM_PORT, host: options.host });
}

// `npx tsx subgraphs/fabrikam/server.ts` (PORT overrides the port).
if (isMainModule(import.meta.url)) await serveFromEnv('fabrikam', startFabrikamSubgraph, FABRIKAM_PORT);
