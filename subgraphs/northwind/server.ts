import { isMainModule, serveFromEnv } from '../kit/runAsScript.js';
import { startSubgraph, type StartedSubgraph } from '../kit/startSubgraph.js';
import { buildNorthwindSchema } from './schema.js';

/** Northwind's port in schema/supergraph.yaml (routing_url http://127.0.0.1:4002/graphql). */
export const NORTHWIND_PORT = 4002;

/** Serves Northwind on `port` (default NORTHWIND_PORT; 0 picks a free one) and `host` (default 127.0.0.1);
 * with `secret`, only requests the gateway signed with it are served, and @consent is enforced here too. */
export function startNorthwindSubgraph(options: { port?: number; host?: string; secret?: string } = {}): Promise<StartedSubgraph> {
  return startSubgraph({ schema: buildNorthwindSchema(), name: 'northwind', secret: options.secret, enforceConsent: options.secret !== undefined, port: options.port ?? NORTHWIND_PORT, host: options.host });
}

// `npx tsx subgraphs/northwind/server.ts` (PORT overrides the port).
if (isMainModule(import.meta.url)) await serveFromEnv('northwind', startNorthwindSubgraph, NORTHWIND_PORT);
