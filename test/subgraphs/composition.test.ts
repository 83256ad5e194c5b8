import { readFileSync } from 'node:fs';
import { composeServices } from '@theguild/federation-composition';
import { Kind, parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONTOSO_PORT } from '../../subgraphs/contoso/server';
import { FABRIKAM_PORT } from '../../subgraphs/fabrikam/server';
import { NORTHWIND_PORT } from '../../subgraphs/northwind/server';
import { PLATFORM_PORT } from '../../subgraphs/platform/server';
import { BANKS, readRepoFile, REPO, scopesOf } from './harness';

interface ConfigEntry {
  routing_url: string;
  schema: { file: string };
}
const config = parseYaml(readRepoFile('schema/supergraph.yaml')) as { federation_version: string; subgraphs: Record<string, ConfigEntry> };
// schema.file is relative to the config's folder, as Rover reads it.
const sdlOf = (name: string) => readFileSync(new URL(config.subgraphs[name]!.schema.file, new URL('schema/', REPO)), 'utf8');

/** Every @consent application in a document, as "Type.field" (or "Type") -> its scopes. */
function consentApplications(document: DocumentNode): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const own = scopesOf(definition.directives);
    if (own.length) found.set(definition.name.value, own);
    for (const field of definition.fields ?? []) {
      const scopes = scopesOf(field.directives);
      if (scopes.length) found.set(`${definition.name.value}.${field.name.value}`, scopes);
    }
  }
  return found;
}

describe('Supergraph config: the demo banks', () => {
  it('lists the platform and the three banks on the ports their servers default to', () => {
    expect(config.federation_version).toBe('=2.9.0');
    expect(Object.fromEntries(Object.entries(config.subgraphs).map(([name, entry]) => [name, entry.routing_url]))).toEqual({
      platform: `http://127.0.0.1:${PLATFORM_PORT}/graphql`,
      northwind: `http://127.0.0.1:${NORTHWIND_PORT}/graphql`,
      contoso: `http://127.0.0.1:${CONTOSO_PORT}/graphql`,
      fabrikam: `http://127.0.0.1:${FABRIKAM_PORT}/graphql`,
    });
  });
});

describe('Composition: all four subgraphs', () => {
  const result = composeServices(
    Object.entries(config.subgraphs).map(([name, entry]) => ({ name, typeDefs: parse(sdlOf(name)), url: entry.routing_url })),
  );

  it('composes without errors', () => {
    expect(result.errors?.map((error) => error.message) ?? []).toEqual([]);
    expect(result.supergraphSdl).toBeDefined();
  });

  it.each(BANKS.map((bank) => [bank.name, bank.typename]))('keeps every @consent of %s in the supergraph', (name) => {
    const supergraph = consentApplications(parse(result.supergraphSdl!));
    const bank = consentApplications(parse(sdlOf(name)));
    expect(bank.size).toBeGreaterThan(10);
    for (const [coordinate, scopes] of bank) {
      expect({ coordinate, scopes: supergraph.get(coordinate) }).toEqual({ coordinate, scopes });
    }
  });

  it('exposes each bank\'s account type as an implementation of Account', () => {
    const supergraph = parse(result.supergraphSdl!);
    for (const bank of BANKS) {
      const type = supergraph.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === bank.typename);
      expect(type && 'interfaces' in type ? type.interfaces?.map((i) => i.name.value) : undefined).toEqual(['Account']);
    }
  });
});
