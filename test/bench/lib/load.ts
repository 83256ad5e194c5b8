import { createRequire } from 'node:module';

// autocannon is a dependency of the benchmark's own package (test/bench/peers), not of the product.
const requirePeer = createRequire(new URL('../peers/package.json', import.meta.url));

/** One request the load generator may send. */
export interface Payload {
  headers: Record<string, string>;
  body: string;
}

export interface LoadOptions {
  url: string;
  /** Sent round robin: consecutive requests go to different users. */
  payloads: Payload[];
  connections: number;
  /** Run for this long; requests still in flight at the end are abandoned (autocannon's duration mode). */
  seconds?: number;
  /** Or send exactly this many requests and wait for every answer: what measured runs use. */
  amount?: number;
}

export interface LoadResult {
  /** Responses with a 2xx status. */
  ok: number;
  /** Non-2xx responses, socket errors and timeouts. */
  failed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/**
 * Closed-loop load with autocannon: `connections` keep-alive connections, each sends its next request on
 * a response. req/s = 2xx answers over the wall time from the start to the last answer. Not autocannon's
 * own end: it notices that the last answer came only at its next sample tick (every second), so a run
 * of `amount` requests lasts a whole number of seconds and its rate would be rounded down to fit one.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const autocannon = requirePeer('autocannon') as (opts: unknown, cb: (error: Error | null, result: any) => void) => unknown;
  const { pathname } = new URL(options.url);
  let next = 0;
  const started = process.hrtime.bigint();
  let lastAnswer = started;
  const result = await new Promise<any>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
        timeout: 60,
        requests: [
          {
            setupRequest(request: Record<string, unknown>) {
              const payload = options.payloads[next++ % options.payloads.length];
              // A fresh headers object: autocannon adds content-length to the one it is given.
              return { ...request, method: 'POST', path: pathname, headers: { ...payload.headers }, body: payload.body };
            },
          },
        ],
      },
      (error, value) => (error ? reject(error) : resolve(value)),
    ) as NodeJS.EventEmitter;
    instance.on('response', () => {
      lastAnswer = process.hrtime.bigint();
    });
  });
  const seconds = Number((options.amount ? lastAnswer : process.hrtime.bigint()) - started) / 1e9;
  const ok = Number(result['2xx'] ?? 0);
  return {
    ok,
    failed: Number(result.non2xx ?? 0) + Number(result.errors ?? 0) + Number(result.timeouts ?? 0),
    seconds,
    rps: ok / seconds,
    p50: ok ? Number(result.latency?.p50 ?? NaN) : NaN,
    p99: ok ? Number(result.latency?.p99 ?? NaN) : NaN,
  };
}
