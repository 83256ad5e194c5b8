import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Gateway } from '../createGateway';

export interface ServerOptions {
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
}

export interface RunningServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  fastify: FastifyInstance;
  close(): Promise<void>;
}

/** Serves the gateway over HTTP: POST/GET /graphql (GraphQL over HTTP) and GET /health. */
export async function startServer(gateway: Gateway, options: ServerOptions = {}): Promise<RunningServer> {
  const fastify = Fastify({ logger: false });
  fastify.get('/health', async () => ({ status: 'ok' }));
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
