/**
 * Child process: serves every subgraph of one stack on loopback, composes the stack's supergraph with
 * the product's composeSupergraph (routing URLs = where the subgraphs listen), writes it to a file and
 * reports { type: 'ready', urls, supergraphPath } over IPC. Answers { type: 'counts' } with the requests
 * each subgraph has answered. Usage: node --import tsx test/bench/subgraphs/host.ts <stack> <outDir>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { composeSupergraph, readSubgraphs, type CompositionInput } from '../../../gateway/composition/composeSupergraph';
import { loadSupergraphConfig } from '../../../gateway/composition/loadSupergraphConfig';
import { DEFAULT_PATHS } from '../../../gateway/paths';
import { buildContosoSchema } from '../../../subgraphs/contoso/schema';
import { buildFabrikamSchema } from '../../../subgraphs/fabrikam/schema';
import { createSubgraphContext } from '../../../subgraphs/kit/context';
import { buildNorthwindSchema } from '../../../subgraphs/northwind/schema';
import { buildPlatformSchema, PLATFORM_SDL_FILE } from '../../../subgraphs/platform/schema';
import { banksOf, benchUsers, SCALE_ACCOUNTS_PER_BANK, scaleAccountId, STACKS, TRANSACTIONS_PER_ACCOUNT, type StackName } from '../fixtures';
import { createBenchBank } from './createBenchBank';
import { productsSubgraphs } from './productsSubgraphs';
import { serveSchema, type ServedSchema } from './serveSchema';

interface SubgraphDef {
  name: string;
  sdl: string;
  /** Gets the composed platform SDL (the platform's schema is generated from the banks). */
  build(platformSdl?: string): GraphQLSchema;
}

async function subgraphDefs(stack: StackName): Promise<SubgraphDef[]> {
  if (stack === 'products') return productsSubgraphs();
  if (stack === 'demo') {
    const builders: Record<string, (platformSdl?: string) => GraphQLSchema> = {
      platform: (sdl) => buildPlatformSchema(sdl),
      northwind: buildNorthwindSchema,
      contoso: buildContosoSchema,
      fabrikam: buildFabrikamSchema,
    };
    const inputs = await readSubgraphs(await loadSupergraphConfig(DEFAULT_PATHS.supergraphConfig));
    return inputs.map((input) => ({ name: input.name, sdl: input.sdl, build: builders[input.name] }));
  }
  const users = benchUsers(stack);
  const banks = banksOf(stack).map((name) =>
    createBenchBank({
      name,
      accounts: users.flatMap((user) => Array.from({ length: SCALE_ACCOUNTS_PER_BANK }, (_, k) => scaleAccountId(name, user, k))),
      transactionsPerAccount: TRANSACTIONS_PER_ACCOUNT,
    }),
  );
  // composeSupergraph regenerates the platform's SDL from the banks; any valid SDL stands in for it here.
  const platform: SubgraphDef = { name: 'platform', sdl: readFileSync(PLATFORM_SDL_FILE, 'utf8'), build: (sdl) => buildPlatformSchema(sdl) };
  return [platform, ...banks.map((bank) => ({ name: bank.name, sdl: bank.sdl, build: () => bank.build() }))];
}

const [stackArg, outDir] = process.argv.slice(2);
if (!STACKS.includes(stackArg as StackName) || !outDir) {
  console.error(`usage: host.ts <${STACKS.join('|')}> <outDir>; received ${JSON.stringify(process.argv.slice(2))}`);
  process.exit(2);
}
const stack = stackArg as StackName;
const defs = await subgraphDefs(stack);
const servers = new Map<string, ServedSchema>();
for (const def of defs) {
  servers.set(def.name, await serveSchema(stack === 'products' ? () => ({}) : (headers) => createSubgraphContext(headers)));
}
const inputs: CompositionInput[] = defs.map((def) => ({ name: def.name, url: servers.get(def.name)!.url, sdl: def.sdl }));
const composed = composeSupergraph(inputs);
if (!composed.ok) {
  console.error(`stack ${stack}: composition failed:\n${composed.errors.join('\n')}`);
  process.exit(1);
}
for (const def of defs) servers.get(def.name)!.setSchema(def.build(composed.platformSdl));
const supergraphPath = join(outDir, `supergraph-${stack}.graphql`);
writeFileSync(supergraphPath, composed.supergraphSdl);

const urls = Object.fromEntries([...servers].map(([name, served]) => [name, served.url]));
process.send?.({ type: 'ready', urls, supergraphPath });
process.on('message', (message: { type?: string; id?: number }) => {
  if (message?.type === 'counts') {
    process.send?.({ type: 'counts', id: message.id, counts: Object.fromEntries([...servers].map(([name, served]) => [name, served.requests()])) });
  }
});
const stop = async () => {
  await Promise.all([...servers.values()].map((served) => served.close()));
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('disconnect', stop);
