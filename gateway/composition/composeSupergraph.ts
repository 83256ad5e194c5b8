import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { composeServices } from '@theguild/federation-composition';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { buildConsentModel, DEFAULT_ACCOUNT_INTERFACE } from '../supergraph/consentModel';
import { readSupergraph } from '../supergraph/readSupergraph';
import { accountEntityTypes, buildPlatformSdl, PLATFORM_SUBGRAPH } from './buildPlatformSdl';
import { checkSubgraphConsent, checkSupergraphConsent, type ConsentUsage } from './consentChecks';
import { introspectSubgraph, type SupergraphConfig } from './loadSupergraphConfig';

export interface CompositionInput {
  name: string;
  url: string;
  sdl: string;
}

export type CompositionResult =
  | { ok: true; supergraphSdl: string; platformSdl?: string }
  | { ok: false; errors: string[] };

/** Reads every subgraph's SDL named by a supergraph config (files, or `_service { sdl }` of running subgraphs). */
export async function readSubgraphs(config: SupergraphConfig): Promise<CompositionInput[]> {
  return Promise.all(
    config.subgraphs.map(async (s) => ({
      name: s.name,
      url: s.routingUrl,
      sdl: s.file ? await readFile(s.file, 'utf8') : await introspectSubgraph(s.name, s.subgraphUrl!),
    })),
  );
}

/**
 * Composes subgraphs into a supergraph (@theguild/federation-composition) with ConsentGate's checks around
 * it. When a subgraph is named 'platform', its SDL is regenerated from the banks' account types first.
 * Errors name their subgraph; nothing is returned half-checked.
 */
export function composeSupergraph(inputs: CompositionInput[], options: { configPath?: string; accountInterface?: string } = {}): CompositionResult {
  const accountInterface = options.accountInterface ?? DEFAULT_ACCOUNT_INTERFACE;
  const errors: string[] = [];
  const documents = new Map<string, DocumentNode>();
  for (const input of inputs) {
    try {
      documents.set(input.name, parse(input.sdl));
    } catch (error) {
      errors.push(`subgraph '${input.name}': SDL does not parse: ${(error as GraphQLError).message}`);
    }
  }
  if (errors.length) return { ok: false, errors };

  let platformSdl: string | undefined;
  if (documents.has(PLATFORM_SUBGRAPH)) {
    const accountTypes: { bank: string; typeName: string }[] = [];
    for (const [name, document] of documents) {
      if (name === PLATFORM_SUBGRAPH || !declaresInterface(document, accountInterface)) continue;
      const types = accountEntityTypes(document, accountInterface);
      if (types.length !== 1) {
        errors.push(`subgraph '${name}' declares ${types.length} entity types implementing ${accountInterface} (${types.join(', ') || 'none'}); the bank contract requires exactly one, with @key(fields: "id") (distinguish kinds of account with its \`type\` field)`);
        continue;
      }
      accountTypes.push({ bank: name, typeName: types[0] });
    }
    platformSdl = buildPlatformSdl(accountTypes, options.configPath ? relative(process.cwd(), options.configPath) : 'the supergraph config');
    documents.set(PLATFORM_SUBGRAPH, parse(platformSdl));
  }

  const usages: ConsentUsage[] = [];
  for (const [name, document] of documents) {
    const checked = checkSubgraphConsent(name, document);
    usages.push(...checked.usages);
    errors.push(...checked.errors);
  }
  if (errors.length) return { ok: false, errors };

  const composed = composeServices(inputs.map((i) => ({ name: i.name, url: i.url, typeDefs: documents.get(i.name)! })));
  if (composed.errors?.length) {
    return { ok: false, errors: composed.errors.map((e) => `composition: ${e.message}`) };
  }
  const supergraphSdl = (composed as { supergraphSdl: string }).supergraphSdl;
  const supergraph = readSupergraph(supergraphSdl);
  errors.push(...checkSupergraphConsent(supergraph, buildConsentModel(supergraph, accountInterface), usages));
  if (errors.length) return { ok: false, errors };
  return { ok: true, supergraphSdl, platformSdl };
}

function declaresInterface(document: DocumentNode, name: string): boolean {
  return document.definitions.some((d) => (d.kind === Kind.INTERFACE_TYPE_DEFINITION || d.kind === Kind.INTERFACE_TYPE_EXTENSION) && d.name.value === name);
}
