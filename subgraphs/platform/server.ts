import { isMainModule, serveFromEnv } from '../kit/runAsScript.js';
import { startSubgraph, type StartedSubgraph } from '../kit/startSubgraph.js';
import { buildPlatformSchema } from './schema.js';

/** The platform's port in schema/supergraph.yaml (routing_url http://127.0.0.1:4001/graphql). */
export const PLATFORM_PORT = 4001;

/** Serves the platform subgraph on `port` (default PLATFORM_PORT; 0 picks a free one) and `host` (default 127.0.0.1);
 * with `secret`, only requests the gateway signed with it are served, and @consent is enforced here too. */
export function startPlatformSubgraph(options: { port?: number; host?: string; secret?: string } = {}): Promise<StartedSubgraph> {
  return startSubgraph({ schema: buildPlatformSchema(), name: 'platform', secret: options.secret, enforceConsent: options.secret !== undefined, port: options.port ?? PLATFORM_PORT, host: options.host });
}

// `npx tsx subgraphs/platform/server.ts` (PORT overrides the port).
if (isMainModule(import.meta.url)) await serveFromEnv('platform', startPlatformSubgraph, PLATFORM_PORT);
