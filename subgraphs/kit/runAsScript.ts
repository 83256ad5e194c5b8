import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { StartedSubgraph } from './startSubgraph.js';

/** True when the module at `moduleUrl` (its import.meta.url) is the script Node (or tsx) was asked to run. */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}

/**
 * Starts a subgraph on env PORT (default `defaultPort`) and HOST (default 127.0.0.1), logs its URL,
 * and stops it cleanly on SIGINT/SIGTERM. For a server.ts run directly, e.g. `PORT=5002 npx tsx server.ts`.
 */
export async function serveFromEnv(
  name: string,
  start: (options: { port: number; host?: string }) => Promise<StartedSubgraph>,
  defaultPort: number,
): Promise<StartedSubgraph> {
  const port = parsePort(process.env.PORT, defaultPort);
  const started = await start({ port, host: process.env.HOST || undefined });
  console.log(`subgraph ${name} listening at ${started.url}`);
  const shutdown = () => {
    started.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`subgraph ${name} did not stop cleanly:`, error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return started;
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535; received ${JSON.stringify(value)}`);
  }
  return port;
}
