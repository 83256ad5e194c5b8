import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy in front of a bank behaves: pass through, or fail in one of the ways banks fail. */
export type BankMode = 'pass' | 'down' | 'slow' | 'http500' | 'garbage' | 'hang-body';

export interface FaultyBank {
  /** The proxy's GraphQL URL: give it to the gateway instead of the bank's. */
  url: string;
  mode: BankMode;
  /** Requests the proxy received (passed through or not). */
  requests: number;
  /** The headers of the last request received (what the gateway sent the bank). */
  lastHeaders: Record<string, string | string[] | undefined>;
  /** Default 10000 ms. How long 'slow' waits before answering. */
  slowMs: number;
  stop(): Promise<void>;
}

/**
 * A misbehaving bank for end-to-end tests: an HTTP proxy in front of a real subgraph that can pass
 * requests through, refuse connections (down), answer late (slow), answer 500 with an internal message, or
 * answer 200 with HTML (garbage).
 */
export async function startFaultyBank(upstream: string): Promise<FaultyBank> {
  const sockets = new Set<import('node:net').Socket>();
  const state: FaultyBank = { url: '', mode: 'pass', requests: 0, lastHeaders: {}, slowMs: 10_000, stop: async () => {} };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    state.lastHeaders = req.headers;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      switch (state.mode) {
        case 'down':
          req.socket.destroy();
          return;
        case 'http500':
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`Error: connect ECONNREFUSED 10.1.2.3:5432 at /srv/bank/${upstream}`);
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Bank maintenance: http://10.1.2.3/internal</body></html>');
          return;
        case 'slow': {
          const timer = setTimeout(() => forward(), state.slowMs);
          res.on('close', () => clearTimeout(timer));
          return;
        }
        case 'hang-body':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"data":');
          return;
        case 'pass':
          forward();
          return;
      }
      function forward() {
        const target = new URL(upstream);
        const proxied = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        });
        proxied.on('error', () => res.destroy());
        proxied.end(Buffer.concat(chunks));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  state.stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
