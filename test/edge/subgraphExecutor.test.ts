import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSubgraphExecutor } from '../../gateway/execution/subgraphExecutor';
import { buildConsentModel } from '../../gateway/supergraph/consentModel';
import { readSupergraph } from '../../gateway/supergraph/readSupergraph';
import { composeDemoSupergraph } from '../harness/gatewayHarness';

/** An executor for 'northwind' whose transport always answers `status` and counts the calls. */
async function failingExecutor(status: number, body = 'upstream exploded') {
  const supergraph = readSupergraph((await composeDemoSupergraph()).supergraphSdl);
  const calls: string[] = [];
  const executor = createSubgraphExecutor({
    name: 'northwind',
    url: 'http://northwind.test/graphql',
    schema: supergraph.schema,
    model: buildConsentModel(supergraph),
    resilience: { retryBackoffMs: 1, breaker: false },
    fetch: (async (_url: string, init: RequestInit) => {
      calls.push(String(init.body));
      return new Response(body, { status });
    }) as typeof fetch,
  });
  return { executor, calls };
}

describe('Subgraph executor: retries', () => {
  it('retries a query twice after a 503', async () => {
    const { executor, calls } = await failingExecutor(503);
    const result: any = await executor({ document: parse('query { __typename }'), operationType: 'query' as any });
    expect(calls).toHaveLength(3);
    expect(result.errors[0].extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'northwind' });
  });

  it('never repeats a mutation', async () => {
    const { executor, calls } = await failingExecutor(503);
    const result: any = await executor({ document: parse('mutation { __typename }'), operationType: 'mutation' as any });
    expect(calls).toHaveLength(1);
    expect(result.errors[0].extensions.code).toBe('DOWNSTREAM_SERVICE_ERROR');
  });

  it('does not retry an answer the bank gave (HTTP 400)', async () => {
    const { executor, calls } = await failingExecutor(400, JSON.stringify({ errors: [{ message: 'Cannot query field "x" at http://10.0.0.1' }] }));
    const result: any = await executor({ document: parse('query { __typename }'), operationType: 'query' as any });
    expect(calls).toHaveLength(1);
    expect(result.errors[0].message).toBe("Subgraph 'northwind' returned an error");
  });
});

describe('Subgraph executor: configuration', () => {
  it('refuses a subgraph URL that is not an absolute http(s) URL at start-up', async () => {
    const supergraph = readSupergraph((await composeDemoSupergraph()).supergraphSdl);
    for (const url of ['northwind:4002/graphql', 'ftp://northwind.test/graphql', '/graphql']) {
      expect(() => createSubgraphExecutor({ name: 'northwind', url, schema: supergraph.schema, model: buildConsentModel(supergraph) }))
        .toThrow(`subgraph 'northwind' has an invalid URL; expected an absolute http(s) URL, received '${url}'`);
    }
  });
});
