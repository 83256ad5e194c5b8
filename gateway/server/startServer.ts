import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Gateway } from '../createGateway';
import { registerBankRevocations, type BankRevocationOptions } from '../lifecycle/bankRevocations';

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
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

/** Serves the gateway over HTTP: POST/GET /graphql (GraphQL over HTTP), GET /health and POST /banks/:bank/revocations. */
export async function startServer(gateway: Gateway, options: ServerOptions = {}): Promise<RunningServer> {
  const fastify = Fastify({ logger: false });
  fastify.get('/health', async () => ({ status: 'ok' }));
  await registerBankRevocations(fastify, { store: gateway.store, bankKeys: options.bankKeys ?? {}, onRefused: options.onBankRequestRefused });
  await fastify.register(fastifyApollo(gateway.apollo), {
    context: async (request) => gateway.createContext(request.headers.authorization),
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
