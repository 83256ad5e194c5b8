import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSupergraphConfig } from '../composition/loadSupergraphConfig';
import { seedDemoGrants, DEMO_USERS } from '../consent/store/seedDemoGrants';
import { loadSubgraphSecrets } from '../edge/subgraphSecrets';
import { adminSocketPath, dataDir, DEFAULT_PATHS, PACKAGE_ROOT } from '../paths';
import type { CliIo } from './io';
import { SERVE_OPTIONS, startGateway, untilSignal } from './serveCommand';
import { serveAdminSocket } from './adminSocket';

/**
 * `consentgate demo`: starts each subgraph of schema/supergraph.yaml from subgraphs/<name>/server.ts as its
 * own process on its routing URL's port, sharing per-subgraph signing secrets (generated once in the data
 * folder) so the banks refuse anything the gateway did not sign; seeds the demo grants, and serves the
 * gateway. Ctrl-C stops all.
 */
export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: SERVE_OPTIONS });
  const config = await loadSupergraphConfig(values.config ?? DEFAULT_PATHS.supergraphConfig);
  const children: ChildProcess[] = [];
  process.once('exit', () => children.forEach((c) => c.kill('SIGTERM')));
  // The banks first get SIGTERM, then SIGKILL after 5 s; resolves once every one has exited.
  const stopChildren = () => Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  })));
  // The demo banks accept only requests signed by this gateway (issue "Hardened edges": subgraph trust).
  const secretsFile = join(dataDir(), 'subgraph-secrets.json');
  await loadSubgraphSecrets(secretsFile, config.subgraphs.map((s) => s.name), { create: true });
  try {
    for (const subgraph of config.subgraphs) {
      const script = join(PACKAGE_ROOT, 'subgraphs', subgraph.name, 'server.ts');
      if (!existsSync(script)) throw new Error(`subgraph '${subgraph.name}' has no demo server at subgraphs/${subgraph.name}/server.ts`);
      const port = new URL(subgraph.routingUrl).port;
      const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, PORT: port, CONSENTGATE_SUBGRAPH_SECRETS: secretsFile }, stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(child);
      await waitForSubgraph(subgraph.name, subgraph.routingUrl, child);
      io.out(`subgraph ${subgraph.name} on ${subgraph.routingUrl}`);
    }
    const started = await startGateway({ ...values, config: undefined, 'subgraph-secrets': secretsFile }, io);
    const { server, store } = started;
    await seedDemoGrants(store);
    const admin = process.env.DATABASE_URL ? undefined : await serveAdminSocket(adminSocketPath(), store);
    io.out('');
    io.out('Demo users: ' + DEMO_USERS.map((u) => `${u.id} (${u.description})`).join('; '));
    io.out('Try:');
    io.out('  TOKEN=$(npx consentgate token alice)');
    io.out(`  curl -s ${server.url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`);
    io.out(`    -d '{"query":"{ me { id accounts { id bank displayName balance { amount currency } transactions(first: 3) { nodes { postedAt amount { amount } merchant } } } } }"}'`);
    await untilSignal();
    admin?.close();
    await started.close();
    return 0;
  } finally {
    await stopChildren();
  }
}

async function waitForSubgraph(name: string, url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`subgraph '${name}' exited with code ${child.exitCode} (is its port in use?)`);
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      // An unsigned probe is refused (401/405) by a bank that checks signatures: it is up all the same.
      if (response.ok || response.status === 401 || response.status === 405) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`subgraph '${name}' did not answer on ${url} within 30 s`);
}
