import { isMainModule, serveFromEnv } from '../kit/runAsScript.js';
import { startSubgraph, type StartedSubgraph } from '../kit/startSubgraph.js';
import { buildContosoSchema } from './schema.js';

/** Contoso's port in schema/supergraph.yaml (routing_url http://127.0.0.1:4003/graphql). */
export const CONTOSO_PORT = 4003;

/** Serves Contoso on `port` (default CONTOSO_PORT; 0 picks a free one) and `host` (default 127.0.0.1);
 * with `secret`, only requests the gateway signed with it are served, and @consent is enforced here too. */
export function startContosoSubgraph(options: { port?: number; host?: string; secret?: string } = {}): Promise<StartedSubgraph> {
  return startSubgraph({ schema: buildContosoSchema(), name: 'contoso', secret: options.secret, enforceConsent: options.secret !== undefined, port: options.port ?? CONTOSO_PORT, host: options.host });
}

// `npx tsx subgraphs/contoso/server.ts` (PORT overrides the port).
if (isMainModule(import.meta.url)) await serveFromEnv('contoso', startContosoSubgraph, CONTOSO_PORT);
