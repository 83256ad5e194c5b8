import { buildSchema, Kind, parse, type FieldNode, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RequestConsent } from '../../gateway/consent/requestConsent';
import { buildFieldGuards } from '../../gateway/execution/plan/fieldGuards';
import { createSubfields, shapeResult } from '../../gateway/execution/plan/shapeResult';
import type { ConsentModel } from '../../gateway/supergraph/consentModel';

const schema = buildSchema(/* GraphQL */ `
  type Query { node: Node, things: [Thing!], strict: [Thing!]!, holder: Holder, color: Color }
  interface Node { id: ID! }
  type Thing implements Node { id: ID! name: String! }
  type Other implements Node { id: ID! }
  type Holder { things: [Thing!]! }
  enum Color { RED GREEN }
`);
const model: ConsentModel = {
  requirements: new Map(), accountTypes: new Map(), accountTypeOfBank: new Map(), datedTypes: new Map(),
  anchoredTypes: new Set(), carriers: new Set(), accountInterface: 'Account',
};
const guards = buildFieldGuards(schema, model, {});

/** Shapes `data` for `query` as the plan executor does after the fetches (no fetch errors). */
function shape(query: string, data: Record<string, unknown>, consentModel = model) {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  const rootType = schema.getQueryType() as GraphQLObjectType;
  const rootNodes: FieldNode[] = [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'Query' }, selectionSet: operation.selectionSet }];
  const ctx = { user: 'u', consent: new RequestConsent('u', []), anchors: new WeakMap() };
  const fieldGuards = consentModel === model ? guards : buildFieldGuards(schema, consentModel, {});
  const result = shapeResult({ schema, model: consentModel, guards: fieldGuards, subfields: createSubfields(schema, fieldGuards, {}, {}), rootType, rootNodes, data, ctx, hadFetchErrors: false });
  return { data: result.data, errors: result.errors.map((e) => ({ message: e.message, path: e.path })) };
}

describe('Shaping: the response follows the operation and the spec, whatever the subgraphs sent', () => {
  it('keeps only the selected keys, in the order asked, under their aliases', () => {
    const r = shape('{ n: node { __typename ... on Thing { name id } } }', { n: { __typename: 'Thing', id: '1', name: 'a', __cg_id: '1', extra: true } });
    expect(r.data).toEqual({ n: { __typename: 'Thing', name: 'a', id: '1' } });
    expect(Object.keys((r.data as any).n)).toEqual(['__typename', 'name', 'id']);
  });

  it('nulls the nearest nullable parent of a missing non-null field, with one error at its path', () => {
    const r = shape('{ things { id name } }', { things: [{ id: '1', name: 'a' }, { id: '2' }] });
    expect(r.data).toEqual({ things: null });
    expect(r.errors).toEqual([{ message: 'Cannot return null for non-nullable field Thing.name.', path: ['things', 1, 'name'] }]);
  });

  it('propagates through non-null lists up to data', () => {
    const r = shape('{ strict { name } }', { strict: [{ name: null }] });
    expect(r.data).toBeNull();
    expect(r.errors.map((e) => e.path)).toEqual([['strict', 0, 'name']]);
  });

  it('stops at a nullable object above a non-null list', () => {
    const r = shape('{ holder { things { name } } }', { holder: { things: [{ name: null }] } });
    expect(r.data).toEqual({ holder: null });
  });

  it('resolves abstract types from __typename and drops objects of unknown types', () => {
    expect(shape('{ node { id ... on Thing { name } } }', { node: { __typename: 'Thing', id: '1', name: 'a' } }).data).toEqual({ node: { id: '1', name: 'a' } });
    expect(shape('{ node { id ... on Thing { name } } }', { node: { __typename: 'Other', id: '2', name: 'x' } }).data).toEqual({ node: { id: '2' } });
    expect(shape('{ node { id } }', { node: { __typename: 'Secret', id: '3' } }).data).toEqual({ node: null });
  });

  it('shapes an interface object that came without a concrete __typename with the interface\'s fields', () => {
    // The planner fetches __typename only when a selection needs it; an @interfaceObject answers with the interface's name.
    expect(shape('{ node { id } }', { node: { id: '1' } }).data).toEqual({ node: { id: '1' } });
    expect(shape('{ node { id } }', { node: { __typename: 'Node', id: '1' } }).data).toEqual({ node: { id: '1' } });
  });

  it('fails closed on such an object when an implementation has a consent-guarded field', () => {
    const guarded: ConsentModel = { ...model, requirements: new Map([['Thing.name', { coordinate: 'Thing.name', scopes: ['accounts:basic'], sources: [{ on: 'field', at: 'Thing.name', scopes: ['accounts:basic'] }], owner: 'b' }]]) };
    expect(shape('{ node { id ... on Thing { name } } }', { node: { id: '1', name: 'secret' } }, guarded).data).toEqual({ node: null });
  });

  it('returns null for an enum value the served schema does not have', () => {
    expect(shape('{ color }', { color: 'RED' }).data).toEqual({ color: 'RED' });
    expect(shape('{ color }', { color: 'HIDDEN' }).data).toEqual({ color: null });
  });
});
