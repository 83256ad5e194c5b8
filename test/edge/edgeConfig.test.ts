import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createClientEdge } from '../../gateway/edge/createClientEdge';
import { estimateCost } from '../../gateway/edge/estimateCost';
import { pickForwardedHeaders, resolveHeaderAllowList } from '../../gateway/edge/forwardedHeaders';
import { resolveOperationLimits } from '../../gateway/edge/operationLimits';
import { loadSubgraphSecrets } from '../../gateway/edge/subgraphSecrets';

describe('Client edge configuration: defaults and start-up errors', () => {
  it('turns every limit on by default, batching off', () => {
    expect(resolveOperationLimits()).toEqual({ maxDepth: 10, maxAliases: 15, maxTokens: 1000, maxDirectives: 50, maxCost: 5000, defaultListSize: 10, maxListSize: 100, maxBatchSize: 0 });
  });

  it.each([
    [{ maxDepth: 0 }, 'limits.maxDepth must be a positive integer or false; received 0'],
    [{ maxBatchSize: -1 }, 'limits.maxBatchSize must be an integer >= 0; received -1'],
    [{ maxListSize: false }, 'limits.maxListSize must be a positive integer; received false'],
    [{ depth: 3 }, 'limits.depth is not an operation limit; known: maxDepth, maxAliases, maxTokens, maxDirectives, maxCost, defaultListSize, maxListSize, maxBatchSize'],
  ])('refuses limits %j', (limits, message) => {
    expect(() => resolveOperationLimits(limits as any)).toThrow(message);
  });

  it('refuses identity, hop-by-hop and reserved headers in the allow-list', () => {
    expect(() => resolveHeaderAllowList(['traceparent', 'Authorization'])).toThrow("forwardHeaders may not list 'Authorization': hop-by-hop, identity and x-consentgate-* headers are never forwarded to subgraphs");
    expect(() => resolveHeaderAllowList(['x-consentgate-assertion'])).toThrow(/never forwarded/);
    expect(() => resolveHeaderAllowList(['connection'])).toThrow(/never forwarded/);
    expect(resolveHeaderAllowList(['TraceParent'])).toEqual(['traceparent']);
  });

  it('picks only allow-listed headers', () => {
    expect(pickForwardedHeaders({ traceparent: 't', cookie: 'c', 'x-other': 'o' }, ['traceparent'])).toEqual({ traceparent: 't' });
  });

  it('defaults production mode to NODE_ENV', () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(createClientEdge().production).toBe(true);
      expect(createClientEdge().apollo.introspection).toBe(false);
    } finally {
      process.env.NODE_ENV = previous;
    }
    expect(createClientEdge({ production: false }).production).toBe(false);
  });
});

describe('Client edge: cost estimate', () => {
  const schema = buildSchema(/* GraphQL */ `
    type Query { me: User }
    type User { accounts(first: Int): [Account!]! }
    type Account { id: ID! transactions(first: Int): Connection }
    type Connection { nodes: [Tx!]! }
    type Tx { id: ID! amount: Money }
    type Money { amount: String }
  `);
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    return estimateCost({ schema, operation: document.definitions[0] as any, fragments: {}, variables, defaultListSize: 10, maxListSize: 100 });
  };

  it.each([
    ['{ me { accounts { id } } }', {}, 2],
    ['{ me { accounts(first: 3) { transactions(first: 20) { nodes { amount { amount } } } } } }', {}, 2 + 3 * (1 + 1 + 20)],
    ['query($n: Int) { me { accounts { transactions(first: $n) { nodes { id } } } } }', { n: 50 }, 2 + 10 * 2],
    ['query($n: Int) { me { accounts { transactions(first: $n) { nodes { amount { amount } } } } } }', { n: 5000 }, 2 + 10 * (2 + 100)],
  ])('costs %s at the stated list sizes', (query, variables, expected) => {
    expect(cost(query, variables)).toBe(expected);
  });
});

describe('Subgraph secrets file', () => {
  it('is generated on first start, owner-only, and read back the same', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'cg-secrets-')), 'data', 'subgraph-secrets.json');
    const created = await loadSubgraphSecrets(file, ['northwind', 'contoso'], { create: true });
    expect(Object.keys(created)).toEqual(['northwind', 'contoso']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await loadSubgraphSecrets(file, ['northwind'])).toEqual({ northwind: created.northwind });
    await expect(loadSubgraphSecrets(file, ['fabrikam'])).rejects.toThrow(`subgraph secrets file ${file} has no secret of at least 16 characters for: fabrikam`);
    expect(JSON.parse(await readFile(file, 'utf8')).contoso).toBe(created.contoso);
  });
});
