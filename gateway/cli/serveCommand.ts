import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createGateway } from '../createGateway';
import { composeSupergraph, readSubgraphs } from '../composition/composeSupergraph';
import { loadSupergraphConfig } from '../composition/loadSupergraphConfig';
import { createIdentity, type Identity } from '../identity/createIdentity';
import { loadOrCreateDemoKeys } from '../identity/demoKeys';
import { dataDir, DEFAULT_PATHS } from '../paths';
import { startServer, type RunningServer } from '../server/startServer';
import { createSupergraphReloader } from '../server/createSupergraphReloader';
import { loadSubgraphSecrets } from '../edge/subgraphSecrets';
import { readSupergraph } from '../supergraph/readSupergraph';
import { join } from 'node:path';
import type { ConsentStore } from '../consent/types';
import type { CliIo } from './io';
import { openStore } from './withStore';
import { loadRules } from './loadRules';
import { bankKeysFromEnv } from '../lifecycle/bankKeysFromEnv';

export const SERVE_OPTIONS = {
  supergraph: { type: 'string' },
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  'jwks-url': { type: 'string' },
  'public-key': { type: 'string' },
  issuer: { type: 'string' },
  audience: { type: 'string' },
  introspection: { type: 'boolean', default: false },
  rules: { type: 'string' },
  production: { type: 'boolean' },
  'cors-origin': { type: 'string', multiple: true },
  'forward-header': { type: 'string', multiple: true },
  'subgraph-secrets': { type: 'string' },
  'sign-subgraphs': { type: 'boolean', default: false },
  compression: { type: 'boolean', default: false },
} as const;

type ServeValues = ReturnType<typeof parseArgs<{ options: typeof SERVE_OPTIONS }>>['values'];

/** `consentgate serve`: serves any Federation 2 supergraph (a file, or a config composed at start). */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SERVE_OPTIONS });
  const started = await startGateway(values, io);
  await untilSignal();
  await started.close();
  return 0;
}

/** A started gateway with the store it opened; close() stops both. */
export interface StartedGateway {
  server: RunningServer;
  store: ConsentStore;
  close(): Promise<void>;
}

/** Starts store, identity and gateway from CLI options; the store and identity fail loudly at start. */
export async function startGateway(values: ServeValues, io: CliIo): Promise<StartedGateway> {
  const source = values.config ?? values.supergraph ?? DEFAULT_PATHS.supergraph;
  const load = () => (values.config ? composeFromConfig(values.config) : readFile(source, 'utf8'));
  const supergraphSdl = await load();
  const store = await openStore();
  try {
    const identity = await identityFrom(values, io);
    const rules = await loadRules(values.rules ?? process.env.CONSENTGATE_RULES);
    const subgraphSecrets = await secretsFrom(values, readSupergraph(supergraphSdl).subgraphs.map((s) => s.name));
    const build = (sdl: string) => createGateway({ supergraphSdl: sdl, store, identity, introspection: values.introspection, production: values.production, subgraphSecrets, ...rules });
    const gateway = await build(supergraphSdl);
    const port = Number(values.port ?? process.env.PORT ?? 4000);
    const server = await startServer(gateway, {
      port,
      host: values.host,
      bankKeys: bankKeysFromEnv(),
      cors: { origins: values['cors-origin'] ?? [] },
      forwardHeaders: values['forward-header'] ?? [],
      compression: values.compression,
      readiness: { store, subgraphSecrets },
    });
    // The supergraph (or its config) is watched, and SIGHUP reloads it; a failing one never replaces the running one.
    const reloader = createSupergraphReloader({ server, load, build, watch: [source], log: (message) => io.out(message) });
    io.out(`ConsentGate listening on ${server.url}`);
    return {
      server,
      store,
      async close() {
        reloader.close();
        await server.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Per-subgraph signing secrets: --subgraph-secrets <file> (or env CONSENTGATE_SUBGRAPH_SECRETS), or with
 * --sign-subgraphs <data dir>/subgraph-secrets.json, generated on first start. Default: unsigned.
 */
async function secretsFrom(values: ServeValues, subgraphs: string[]): Promise<Record<string, string> | undefined> {
  const file = values['subgraph-secrets'] ?? process.env.CONSENTGATE_SUBGRAPH_SECRETS;
  if (file) return loadSubgraphSecrets(file, subgraphs);
  if (values['sign-subgraphs']) return loadSubgraphSecrets(join(dataDir(), 'subgraph-secrets.json'), subgraphs, { create: true });
  return undefined;
}

async function composeFromConfig(path: string): Promise<string> {
  const config = await loadSupergraphConfig(path);
  const result = composeSupergraph(await readSubgraphs(config), { configPath: config.path });
  if (!result.ok) throw new Error(`composition failed:\n  - ${result.errors.join('\n  - ')}`);
  return result.supergraphSdl;
}

async function identityFrom(values: ServeValues, io: CliIo): Promise<Identity> {
  const common = { issuer: values.issuer, audience: values.audience };
  if (values['jwks-url']) return createIdentity({ ...common, jwksUrl: values['jwks-url'] });
  if (values['public-key']) return createIdentity({ ...common, publicKeyPem: await readFile(values['public-key'], 'utf8') });
  if (process.env.NODE_ENV === 'production') {
    throw new Error('in production configure --jwks-url or --public-key; the demo signing key is for development only');
  }
  io.out(`identity: demo signing key in ${dataDir()} (tokens: npx consentgate token <user>)`);
  return createIdentity({ ...common, key: (await loadOrCreateDemoKeys(dataDir())).publicKey });
}

/** Resolves on SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
