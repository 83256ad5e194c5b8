import { composeServices } from '@theguild/federation-composition';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { pruneSubgraphRequest } from '../../gateway/consent/pruneSubgraphRequest';
import { buildConsentModel } from '../../gateway/supergraph/consentModel';
import { readSupergraph } from '../../gateway/supergraph/readSupergraph';

const FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@interfaceObject", "@shareable"])';

function supergraphOf(...subgraphs: [string, string][]) {
  const result = composeServices(subgraphs.map(([name, sdl]) => ({ name, url: `http://${name}`, typeDefs: parse(`${FED}\n${sdl}`) })));
  if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const supergraph = readSupergraph((result as { supergraphSdl: string }).supergraphSdl);
  return { supergraph, model: buildConsentModel(supergraph) };
}

/** The request a subgraph would receive for `query`, after pruning. */
function pruned(shape: ReturnType<typeof supergraphOf>, query: string): string {
  return print(pruneSubgraphRequest(shape.supergraph.schema, shape.model, { document: parse(query), bank: 'b', held: new Set() }).document);
}

// Shapes from the public federation gateway audit that a consent-unaware supergraph may have.
describe('Pruning: supergraphs without the bank contract pass through unchanged', () => {
  it('adds no account id to a union that happens to be named Account', () => {
    const shape = supergraphOf(['b', 'type Query { accounts: [Account!]! } union Account = User | Admin type User { name: String } type Admin { role: String }']);
    expect(pruned(shape, '{ accounts { ... on User { name } } }')).not.toContain('__cg_id');
  });

  it('keeps the fields of an @interfaceObject that has no implementation in the supergraph', () => {
    const shape = supergraphOf(
      ['a', 'type Query { a: String } interface Node @key(fields: "id") { id: ID! }'],
      ['b', 'type Query { b: Node } type Node @key(fields: "id") @interfaceObject { id: ID! name: String }'],
    );
    expect(pruned(shape, '{ b { id name } }')).toMatch(/b\s*\{\s*id\s+name/);
  });
});
