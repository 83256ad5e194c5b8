import fastifyCors from '@fastify/cors';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Gateway } from '../createGateway';
import { registerBankRevocations, type BankRevocationOptions } from '../lifecycle/bankRevocations';
import { EdgeErrorCode } from '../edge/edgeErrorCode';
import { pickForwardedHeaders, resolveHeaderAllowList, setForwardedHeaders } from '../edge/forwardedHeaders';

export interface CorsOptions {
  /** Default [] (no cross-origin access). Exact origins allowed, e.g. ['https://app.example.com']; '*' only if listed. */
  origins?: string[];
  /** Default false. Allow cookies and HTTP auth on cross-origin requests (never with '*'). */
  credentials?: boolean;
}

export interface ServerOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /**
   * Default {} (no bank can revoke). Bank (subgraph name) -> HMAC-SHA256 key for POST /banks/:bank/revocations
   * (gateway/lifecycle/bankRevocations.ts).
   */
  bankKeys?: Record<string, string>;
  /** Default: one JSON line on stderr. Told about every refused bank revocation. */
  onBankRequestRefused?: BankRevocationOptions['onRefused'];
  /** Default: no cross-origin access. */
  cors?: CorsOptions;
  /**
   * Default [] (nothing). Client headers passed on to subgraphs, e.g. ['traceparent']. Hop-by-hop, identity
   * and x-consentgate-* headers are refused at start-up: they never reach a subgraph.
   */
  forwardHeaders?: string[];
  /** Default 1 MiB. Larger request bodies get 413. */
  bodyLimitBytes?: number;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

/** Serves the gateway over HTTP: POST/GET /graphql (GraphQL over HTTP), GET /health and POST /banks/:bank/revocations. */
export async function startServer(gateway: Gateway, options: ServerOptions = {}): Promise<RunningServer> {
  const allowList = resolveHeaderAllowList(options.forwardHeaders);
  const cors = resolveCors(options.cors);
  const maxBatch = gateway.edge.limits.maxBatchSize;
  const fastify = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 1024 * 1024 });
  await fastify.register(fastifyCors, {
    origin: cors.origins.length === 0 ? false : cors.origins.includes('*') ? '*' : cors.origins,
    credentials: cors.credentials,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', ...allowList],
    maxAge: 600,
  });
  fastify.get('/health', async () => ({ status: 'ok' }));
  await registerBankRevocations(fastify, { store: gateway.store, bankKeys: options.bankKeys ?? {}, onRefused: options.onBankRequestRefused });
  // Batches are refused (or capped) before any operation in them is parsed.
  fastify.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !Array.isArray(request.body)) return;
    const size = request.body.length;
    if (maxBatch === 0) return reply.code(400).send(refusal(EdgeErrorCode.BATCHING_DISABLED, 'Batched requests are disabled; send one operation per request'));
    if (size > maxBatch) return reply.code(400).send(refusal(EdgeErrorCode.BATCH_LIMIT_EXCEEDED, `Batch of ${size} operations exceeds the limit of ${maxBatch}`));
  });
  // GraphQL over HTTP §"application/json": a client that accepts only the legacy application/json should
  // get 200 for a well-formed request that failed parsing, validation or variable coercion; Apollo sends
  // 400. Clients accepting application/graphql-response+json (or anything) keep the 4xx.
  fastify.addHook('onSend', async (request, reply, payload) => {
    // Only GraphQL responses ({"errors": ...}); a body that is not JSON at all keeps its 400 (same section).
    const graphqlResponse = typeof payload === 'string' && payload.startsWith('{"errors"');
    if (reply.statusCode === 400 && graphqlResponse && acceptsOnlyLegacyJson(request.headers.accept)) reply.code(200);
    return payload;
  });
  await fastify.register(fastifyApollo(gateway.apollo), {
    context: async (request) => {
      const context = await gateway.createContext(request.headers.authorization);
      setForwardedHeaders(context, pickForwardedHeaders(request.headers, allowList));
      return context;
    },
  });
  const address = await fastify.listen({ port: options.port ?? 4000, host: options.host ?? '127.0.0.1' });
  return {
    url: `${address}/graphql`,
    fastify,
    async close() {
      await fastify.close();
      await gateway.stop();
    },
  };
}

function refusal(code: EdgeErrorCode, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.some((t) => t === 'application/graphql-response+json' || t === '*/*' || t === 'application/*');
}

function resolveCors(options: CorsOptions = {}): Required<CorsOptions> {
  const origins = options.origins ?? [];
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`cors.origins: '${origin}' is not an origin (scheme://host[:port], no path)`);
  }
  if (origins.includes('*') && options.credentials) throw new Error("cors: credentials cannot be allowed for origin '*' (Fetch standard, CORS protocol); list the origins instead");
  return { origins, credentials: options.credentials ?? false };
}
