import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { createSubgraphContext, type SubgraphContext } from '../../subgraphs/kit/context';

/** One request a subgraph received: what the gateway asked of the bank. */
export interface ReceivedRequest {
  query: string;
  variables: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface InProcessSubgraphs {
  /** Subgraph name -> URL to put in the gateway's subgraphUrls. */
  urls: Record<string, string>;
  /** A fetch that delivers HTTP requests to the subgraphs' Apollo Servers in memory (no ports). */
  fetch: typeof fetch;
  /** Everything each subgraph received, in order. */
  received: Record<string, ReceivedRequest[]>;
  /** Makes a subgraph answer 500 (true) or serve again (false). */
  fail(name: string, failing: boolean): void;
  /** Rewrites the headers a subgraph receives (null: stop rewriting), e.g. to play a bank that ignores the window. */
  tamper(name: string, rewrite: ((headers: Record<string, string>) => Record<string, string>) | null): void;
  stop(): Promise<void>;
}

/**
 * Serves subgraph schemas with real Apollo Servers reached through an in-memory fetch, so unit tests run
 * the gateway's real HTTP executor and the banks' real servers without opening ports.
 */
export async function startInProcessSubgraphs(schemas: Record<string, GraphQLSchema>): Promise<InProcessSubgraphs> {
  const servers = new Map<string, ApolloServer<SubgraphContext>>();
  const received: Record<string, ReceivedRequest[]> = {};
  const failing = new Set<string>();
  const tampering = new Map<string, (headers: Record<string, string>) => Record<string, string>>();
  const urls: Record<string, string> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const server = new ApolloServer<SubgraphContext>({ schema, includeStacktraceInErrorResponses: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    await server.start();
    servers.set(name, server);
    received[name] = [];
    urls[name] = `http://${name}.in-process/graphql`;
  }
  const inProcessFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const name = new URL(request.url).hostname.replace('.in-process', '');
    const server = servers.get(name);
    if (!server) throw new TypeError(`fetch failed: no subgraph at ${request.url}`);
    if (failing.has(name)) return new Response('upstream exploded at /srv/bank/secret.js', { status: 500 });
    const body = await request.text();
    const headers = new HeaderMap();
    request.headers.forEach((value, key) => headers.set(key, value));
    const parsed = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
    received[name].push({ query: parsed.query, variables: parsed.variables ?? {}, headers: Object.fromEntries(headers) });
    const result = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: new URL(request.url).search, body: parsed },
      context: async () => createSubgraphContext((tampering.get(name) ?? ((h) => h))(Object.fromEntries(headers))),
    });
    let text = '';
    if (result.body.kind === 'complete') text = result.body.string;
    else for await (const chunk of result.body.asyncIterator) text += chunk;
    return new Response(text, { status: result.status ?? 200, headers: Object.fromEntries(result.headers) });
  }) as typeof fetch;
  return {
    urls,
    fetch: inProcessFetch,
    received,
    fail: (name, on) => (on ? failing.add(name) : failing.delete(name)),
    tamper: (name, rewrite) => (rewrite ? tampering.set(name, rewrite) : tampering.delete(name)),
    async stop() {
      await Promise.all([...servers.values()].map((s) => s.stop()));
    },
  };
}
