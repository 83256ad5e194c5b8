import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';

export interface ServedSchema {
  url: string;
  /** POST requests answered so far. */
  requests(): number;
  /** Sets (or replaces) the schema; requests before the first call get a 503. */
  setSchema(schema: GraphQLSchema): void;
  close(): Promise<void>;
}

const MAX_DOCUMENTS = 2000;

/**
 * A lean GraphQL-over-HTTP server for a subgraph schema (POST JSON only): parse and validate once per
 * distinct query, execute, JSON out. Not Apollo Server: the subgraphs are the same for every target, and
 * the less CPU they take on a 2-core machine, the more of it is left to the gateway being measured.
 * It counts the requests it answers, which is how subgraph requests per operation are measured.
 */
export async function serveSchema(createContext: (headers: IncomingHttpHeaders) => unknown): Promise<ServedSchema> {
  let schema: GraphQLSchema | undefined;
  let count = 0;
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method !== 'POST') return send(405, { errors: [{ message: 'POST only' }] });
      if (!schema) return send(503, { errors: [{ message: 'not ready' }] });
      count++;
      let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { errors: [{ message: 'body is not JSON' }] });
      }
      const query = body.query ?? '';
      let document = documents.get(query);
      if (!document) {
        try {
          const parsed = parse(query);
          const errors = validate(schema, parsed);
          document = errors.length ? errors : parsed;
        } catch (error) {
          document = [error as GraphQLError];
        }
        if (documents.size >= MAX_DOCUMENTS) documents.clear();
        documents.set(query, document);
      }
      if (Array.isArray(document)) return send(400, { errors: document.map((e) => ({ message: e.message })) });
      Promise.resolve(
        execute({
          schema,
          document: document as DocumentNode,
          variableValues: body.variables,
          operationName: body.operationName,
          contextValue: createContext(req.headers),
        }),
      ).then(
        (result) => send(200, result),
        (error: unknown) => send(500, { errors: [{ message: String(error) }] }),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests: () => count,
    setSchema(next) {
      schema = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
