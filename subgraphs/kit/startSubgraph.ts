import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { createSubgraphContext, type SubgraphContext } from './context.js';
import { enforceConsent } from './enforceConsent.js';
import { verifyGatewayRequest } from './verifyGatewayRequest.js';

export interface StartSubgraphOptions {
  /** The subgraph's schema, from buildSubgraphSchema. */
  schema: GraphQLSchema;
  /** Default 'subgraph'. The subgraph's name in the supergraph config; gateway signatures are bound to it. */
  name?: string;
  /**
   * Default none: any caller is served (local development only). When set, only requests signed by the
   * gateway with this secret are served (POST only); anything else gets 401 and no data, `_entities` included.
   */
  secret?: string;
  /**
   * Default false. Enforce @consent in this subgraph too (enforceConsent), from the assertion the gateway
   * signed: defence in depth against a misconfigured gateway. Use it together with `secret`.
   */
  enforceConsent?: boolean;
  /** Default 0 (any free port). */
  port?: number;
  /** Default '127.0.0.1': a bank subgraph answers `_entities` for any id, so only the gateway may reach it. */
  host?: string;
  /** Default 1 MiB. Larger request bodies are refused with 413. */
  maxBodyBytes?: number;
}

/** A running subgraph: `url` ends in /graphql (what the supergraph config routes to); `stop()` drains it. */
export interface StartedSubgraph {
  url: string;
  stop(): Promise<void>;
}

/**
 * Serves a subgraph schema over HTTP (node:http + Apollo Server), building a SubgraphContext (the consent
 * assertion) from each request's headers and, with `secret`, refusing requests the gateway did not sign.
 */
export async function startSubgraph(options: StartSubgraphOptions): Promise<StartedSubgraph> {
  const apollo = new ApolloServer<SubgraphContext>({
    schema: options.enforceConsent ? enforceConsent(options.schema) : options.schema,
    // The gateway reads the SDL through `_service { sdl }`; nobody else should be mapping the schema.
    introspection: false,
    // Never a stack trace in a response (ARCHITECTURE.md, "Traps").
    includeStacktraceInErrorResponses: false,
    // Federated traces (ftv1) feed Apollo Studio, which ConsentGate does not use; they would also hand
    // per-field timings and error details to whoever asks for them.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const name = options.name ?? 'subgraph';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  let stopping = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // While stopping, each response closes its connection, so stop() does not wait on idle keep-alive sockets.
    if (stopping) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (url.pathname !== '/graphql') return refuse(res, 404, 'Not found');
    const raw = await readBody(req, maxBodyBytes);
    if (raw === undefined) return refuse(res, 413, 'Request body too large');
    if (options.secret) {
      // The query string is not signed, so a signed request is a POST whose body carries everything.
      if (req.method !== 'POST') return refuse(res, 405, 'Only signed POST requests are served');
      const problem = verifyGatewayRequest(req.headers, raw, { subgraph: name, secret: options.secret });
      if (problem) return refuse(res, 401, `Request not signed by the gateway (${problem})`);
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(raw);
      } catch {
        return refuse(res, 400, 'Request body is not JSON');
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => createSubgraphContext(req.headers),
    });
    res.statusCode = result.status ?? 200;
    for (const [key, value] of result.headers) res.setHeader(key, value);
    if (result.body.kind === 'complete') return void res.end(result.body.string);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Internal server error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/graphql`,
    async stop() {
      // Stop accepting, let in-flight requests finish, then drop idle keep-alive connections.
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(force);
      await apollo.stop();
    },
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message, extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'BAD_REQUEST' } }] }));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
