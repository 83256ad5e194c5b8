import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One subgraph entry of a Rover supergraph config, resolved. */
export interface SubgraphSource {
  name: string;
  routingUrl: string;
  /** Absolute path of the SDL file, when the schema comes from a file. */
  file?: string;
  /** URL to introspect (`_service { sdl }`), when it comes from a running subgraph. */
  subgraphUrl?: string;
}

export interface SupergraphConfig {
  path: string;
  federationVersion?: string;
  subgraphs: SubgraphSource[];
}

/** A mistake in the supergraph config; composition stops on it. */
export class SupergraphConfigError extends Error {
  override name = 'SupergraphConfigError';
}

/**
 * Reads a supergraph config in Rover's format (`federation_version`, `subgraphs.<name>.routing_url`,
 * `schema.file` relative to the config, or `schema.subgraph_url`).
 */
export async function loadSupergraphConfig(path: string): Promise<SupergraphConfig> {
  const absolute = resolve(path);
  let raw: unknown;
  try {
    raw = parseYaml(await readFile(absolute, 'utf8'));
  } catch (error) {
    throw new SupergraphConfigError(`supergraph config ${path}: ${(error as Error).message}`);
  }
  const doc = raw as { federation_version?: unknown; subgraphs?: unknown };
  if (!doc || typeof doc !== 'object' || !doc.subgraphs || typeof doc.subgraphs !== 'object') {
    throw new SupergraphConfigError(`supergraph config ${path}: expected a "subgraphs" map`);
  }
  const subgraphs: SubgraphSource[] = [];
  for (const [name, entry] of Object.entries(doc.subgraphs as Record<string, unknown>)) {
    const e = (entry ?? {}) as { routing_url?: unknown; schema?: { file?: unknown; subgraph_url?: unknown } };
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
      throw new SupergraphConfigError(`supergraph config ${path}: subgraph name '${name}' must start with a letter and contain only letters, digits, '_' and '-'`);
    }
    if (typeof e.routing_url !== 'string') {
      throw new SupergraphConfigError(`supergraph config ${path}: subgraph '${name}' needs a routing_url string; received ${JSON.stringify(e.routing_url)}`);
    }
    const file = typeof e.schema?.file === 'string' ? resolve(dirname(absolute), e.schema.file) : undefined;
    const subgraphUrl = typeof e.schema?.subgraph_url === 'string' ? e.schema.subgraph_url : undefined;
    if (!file && !subgraphUrl) {
      throw new SupergraphConfigError(`supergraph config ${path}: subgraph '${name}' needs schema.file or schema.subgraph_url`);
    }
    subgraphs.push({ name, routingUrl: e.routing_url, file, subgraphUrl });
  }
  return { path: absolute, federationVersion: typeof doc.federation_version === 'string' ? doc.federation_version : undefined, subgraphs };
}

/** Fetches a subgraph's SDL from a running subgraph with the federation `_service { sdl }` query. */
export async function introspectSubgraph(name: string, url: string): Promise<string> {
  let body: { data?: { _service?: { sdl?: string } } };
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new SupergraphConfigError(`subgraph '${name}': introspection of ${url} failed (${(error as Error).message})`);
  }
  const sdl = body.data?._service?.sdl;
  if (typeof sdl !== 'string') throw new SupergraphConfigError(`subgraph '${name}': ${url} did not answer _service { sdl }`);
  return sdl;
}
