import { readFileSync, realpathSync } from 'node:fs';
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
 * Env CONSENTGATE_SUBGRAPH_SECRETS (a JSON file: subgraph name -> secret, shared with the gateway) makes
 * it serve only requests the gateway signed, and enforce @consent itself.
 */
export async function serveFromEnv(
  name: string,
  start: (options: { port: number; host?: string; secret?: string }) => Promise<StartedSubgraph>,
  defaultPort: number,
): Promise<StartedSubgraph> {
  const port = parsePort(process.env.PORT, defaultPort);
  const secret = secretFromEnv(name, process.env.CONSENTGATE_SUBGRAPH_SECRETS);
  const started = await start({ port, host: process.env.HOST || undefined, secret });
  console.log(`subgraph ${name} listening at ${started.url}${secret ? ' (gateway-signed requests only)' : ''}`);
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

function secretFromEnv(name: string, file: string | undefined): string | undefined {
  if (!file) return undefined;
  let secrets: Record<string, unknown>;
  try {
    secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`CONSENTGATE_SUBGRAPH_SECRETS=${file} cannot be read: ${(error as Error).message}`);
  }
  const secret = secrets[name];
  if (typeof secret !== 'string' || secret.length < 16) throw new Error(`CONSENTGATE_SUBGRAPH_SECRETS=${file} has no secret of at least 16 characters for subgraph '${name}'`);
  return secret;
}
