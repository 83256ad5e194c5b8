import { constants as zlibConstants } from 'node:zlib';
import fastifyCompress from '@fastify/compress';
import fastifyCors from '@fastify/cors';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Gateway } from '../createGateway';
import { ErrorCode } from '../errors';
import { registerBankRoutes, type BankRoutesOptions } from '../lifecycle/bankRoutes';

import { pickForwardedHeaders, resolveHeaderAllowList, setForwardedHeaders } from '../edge/forwardedHeaders';
import { checkReadiness, type ReadinessOptions, type ReadinessReport } from './checkReadiness';

export interface CorsOptions {
  /** Default [] (no cross-origin access). Exact origins allowed, e.g. ['https://app.example.com']; '*' only if listed. */
  origins?: string[];
  /** Default false. Allow cookies and HTTP auth on cross-origin requests (never with '*'). */
  credentials?: boolean;
}

/** Response compression, for clients whose Accept-Encoding allows it (br preferred, then gzip, deflate). */
export interface CompressionOptions {
  /** Default 1024. Smaller responses go uncompressed. */
  thresholdBytes?: number;
  /** Default 1 (0-11). Brotli's quality: higher is smaller and costs more CPU per response. */
  brotliQuality?: number;
  /** Default 1 (1-9). gzip's and deflate's level. */
  gzipLevel?: number;
}

export interface ServerOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /**
   * Default {} (no bank can grant or revoke). Bank (subgraph name) -> HMAC-SHA256 key for POST
   * /banks/:bank/grants and /banks/:bank/revocations (gateway/lifecycle/bankRoutes.ts).
   */
  bankKeys?: Record<string, string>;
  /** Default: one JSON line on stderr. Told about every refused bank request. */
  onBankRequestRefused?: BankRoutesOptions['onRefused'];
  /** Default: no cross-origin access. */
  cors?: CorsOptions;
  /**
   * Default [] (nothing). Client headers passed on to subgraphs, e.g. ['traceparent']. Hop-by-hop, identity
   * and x-consentgate-* headers are refused at start-up: they never reach a subgraph.
   */
  forwardHeaders?: string[];
  /** Default 1 MiB. Larger request bodies get 413. */
  bodyLimitBytes?: number;
  /** What GET /ready probes (default: every subgraph of the supergraph, no store). */
  readiness?: ReadinessOptions;
  /**
   * Default off: answers go uncompressed (a proxy or CDN in front usually compresses, and compressing
   * consented data is a side channel to weigh: README "Hardened edges"). `true` or CompressionOptions: br,
   * gzip or deflate for clients that accept them. Compressed request bodies are read either way.
   */
  compression?: CompressionOptions | boolean;
  /** Default 30000 ms. How long close() and swap() wait for in-flight requests before stopping anyway. */
  drainTimeoutMs?: number;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  fastify: FastifyInstance;
  /** The gateway currently serving requests (changes with swap). */
  readonly gateway: Gateway;
  /** What GET /ready answers. */
  readiness(): Promise<ReadinessReport>;
  /**
   * Serves `next` from now on: new requests go to it at once, requests already running finish on the old
   * gateway, which is then stopped. No request is dropped or refused.
   */
  swap(next: Gateway): Promise<void>;
  /** Graceful shutdown: /ready turns 503, new connections are refused, in-flight requests finish, then the gateway stops. */
  close(): Promise<void>;
}

/** One gateway behind the server, with its requests in flight. */
interface Served {
  gateway: Gateway;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  inFlight: number;
  idle?: () => void;
}

/**
 * Serves the gateway over HTTP: POST/GET /graphql (GraphQL over HTTP), GET /health (the process is up),
 * GET /ready (store and subgraphs answer; 503 while draining) and POST /banks/:bank/grants|revocations. The
 * gateway can be swapped without downtime.
 */
export async function startServer(gateway: Gateway, options: ServerOptions = {}): Promise<RunningServer> {
  const allowList = resolveHeaderAllowList(options.forwardHeaders);
  const cors = resolveCors(options.cors);
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const compression = resolveCompression(options.compression);
  const serve = (next: Gateway): Served => {
    const served: Served = {
      gateway: next,
      inFlight: 0,
      handler: fastifyApolloHandler(next.apollo, {
        context: async (request) => {
          const context = await next.createContext(request.headers.authorization);
          setForwardedHeaders(context, pickForwardedHeaders(request.headers, allowList));
          return context;
        },
      }) as Served['handler'],
    };
    return served;
  };
  let current = serve(gateway);
  let closing = false;

  const fastify = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 1024 * 1024 });
  await fastify.register(fastifyCors, {
    origin: cors.origins.length === 0 ? false : cors.origins.includes('*') ? '*' : cors.origins,
    credentials: cors.credentials,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', ...allowList],
    maxAge: 600,
  });
  fastify.get('/health', async () => ({ status: 'ok' }));
  await registerBankRoutes(fastify, { store: gateway.store, bankKeys: options.bankKeys ?? {}, onRefused: options.onBankRequestRefused });
  const readiness = async (): Promise<ReadinessReport> => {
    if (closing) return { ready: false, store: 'ok', subgraphs: {} };
    return checkReadiness(current.gateway.supergraph.subgraphs, options.readiness ?? {});
  };
  fastify.get('/ready', async (_request, reply) => {
    const report = await readiness();
    return reply.code(report.ready ? 200 : 503).send({ status: closing ? 'draining' : report.ready ? 'ready' : 'not ready', ...report });
  });
  // Batches are refused (or capped) before any operation in them is parsed.
  fastify.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !Array.isArray(request.body)) return;
    const size = request.body.length;
    const maxBatch = current.gateway.edge.limits.maxBatchSize;
    if (maxBatch === 0) return reply.code(400).send(refusal(ErrorCode.BATCHING_DISABLED, 'Batched requests are disabled; send one operation per request'));
    if (size > maxBatch) return reply.code(400).send(refusal(ErrorCode.BATCH_LIMIT_EXCEEDED, `Batch of ${size} operations exceeds the limit of ${maxBatch}`));
  });
  // GraphQL over HTTP §"application/json": a client that accepts only the legacy application/json should
  // get 200 for a well-formed request that failed parsing, validation or variable coercion; Apollo sends
  // 400. Clients accepting application/graphql-response+json (or anything) keep the 4xx.
  fastify.addHook('onSend', async (request, reply, payload) => {
    // While draining, each response closes its connection, so keep-alive clients reconnect elsewhere and
    // close() need not wait for idle sockets.
    if (closing) reply.header('connection', 'close');
    // Only GraphQL responses ({"errors": ...}); a body that is not JSON at all keeps its 400 (same section).
    const graphqlResponse = typeof payload === 'string' && payload.startsWith('{"errors"');
    if (reply.statusCode === 400 && graphqlResponse && acceptsOnlyLegacyJson(request.headers.accept)) reply.code(200);
    return payload;
  });
  // After the hook above (it reads the uncompressed text), before the routes (it attaches itself to them).
  // Compressed request bodies are read either way (others get 415), and bodyLimitBytes counts their
  // inflated bytes; answers are compressed only when turned on.
  await fastify.register(fastifyCompress, {
    requestEncodings: ENCODINGS,
    globalCompression: compression !== undefined,
    ...(compression && {
      encodings: ENCODINGS,
      threshold: compression.thresholdBytes,
      // In one synchronous call up to 256 KiB (~0.1 ms for a 35 KB answer at the default levels): the
      // plugin's default on 2 cores (8 KiB) sends larger answers through a zlib stream, which cost 1.4-1.6x
      // the gateway's CPU per request on the bench's bank dashboard (35 KB) instead of ~1.05x.
      syncThreshold: 256 * 1024,
      brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: compression.brotliQuality, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT } },
      zlibOptions: { level: compression.gzipLevel },
    }),
  });
  fastify.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: '/graphql',
    handler: async (request, reply) => {
      // A request stays with the gateway it started on, even if a swap happens while it runs.
      const served = current;
      served.inFlight += 1;
      try {
        return await served.handler(request, reply);
      } finally {
        served.inFlight -= 1;
        if (served.inFlight === 0) served.idle?.();
      }
    },
  });
  const retire = async (served: Served) => {
    if (served.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainTimeoutMs);
        served.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await served.gateway.stop();
  };

  const address = await fastify.listen({ port: options.port ?? 4000, host: options.host ?? '127.0.0.1' });
  return {
    url: `${address}/graphql`,
    fastify,
    get gateway() {
      return current.gateway;
    },
    readiness,
    async swap(next) {
      const previous = current;
      current = serve(next);
      await retire(previous);
    },
    async close() {
      closing = true;
      // fastify.close() stops listening, closes idle keep-alive connections and waits for in-flight requests.
      const timer = setTimeout(() => fastify.server.closeAllConnections(), drainTimeoutMs);
      await fastify.close();
      clearTimeout(timer);
      await current.gateway.stop();
    },
  };
}

function refusal(code: ErrorCode, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return types.includes('application/json') && !types.some((t) => t === 'application/graphql-response+json' || t === '*/*' || t === 'application/*');
}

/** What the gateway compresses with and inflates, in its order of preference. */
const ENCODINGS: ('br' | 'gzip' | 'deflate')[] = ['br', 'gzip', 'deflate'];

function resolveCompression(setting: CompressionOptions | boolean = false): Required<CompressionOptions> | undefined {
  if (setting === false) return undefined;
  const options = setting === true ? {} : setting;
  const whole = (name: keyof CompressionOptions, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`compression.${name} must be a whole number from ${min} to ${max}; received ${value}`);
    return value;
  };
  return {
    thresholdBytes: whole('thresholdBytes', options.thresholdBytes ?? 1024, 0, Number.MAX_SAFE_INTEGER),
    brotliQuality: whole('brotliQuality', options.brotliQuality ?? 1, 0, 11),
    gzipLevel: whole('gzipLevel', options.gzipLevel ?? 1, 1, 9),
  };
}

function resolveCors(options: CorsOptions = {}): Required<CorsOptions> {
  const origins = options.origins ?? [];
  for (const origin of origins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error(`cors.origins: '${origin}' is not an origin (scheme://host[:port], no path)`);
  }
  if (origins.includes('*') && options.credentials) throw new Error("cors: credentials cannot be allowed for origin '*' (Fetch standard, CORS protocol); list the origins instead");
  return { origins, credentials: options.credentials ?? false };
}
