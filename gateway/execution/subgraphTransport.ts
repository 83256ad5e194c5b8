import { EventEmitter } from 'node:events';
import { Agent } from 'undici';
import { BankFailure } from '../edge/bankBreaker';

/** What one HTTP exchange with a subgraph gave back: its status and its whole body as text. */
export interface SubgraphReply {
  status: number;
  text: string;
}

/**
 * One POST to a subgraph, headers and body read within `timeoutMs`. Throws BankFailure('timeout') when
 * the time ran out and BankFailure('unreachable') when no HTTP answer came; any status is a reply.
 */
export type SubgraphTransport = (url: URL, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<SubgraphReply>;

// One pool of keep-alive connections per subgraph origin, shared by every gateway of the process (as the
// global fetch shares its dispatcher); idle connections close after 4 s and do not keep the process up.
let sharedAgent: Agent | undefined;

/**
 * The default transport: undici's request API on a shared keep-alive Agent. The global fetch runs on the
 * same client with WHATWG Request/Response/stream objects around it; measured on this machine, fetch cost
 * ~4x the CPU per subgraph request (README, Performance). No in-flight request is ever shared.
 */
export const pooledTransport: SubgraphTransport = async (url, headers, body, timeoutMs) => {
  sharedAgent ??= new Agent({ keepAliveTimeout: 4000 });
  // One deadline for headers and body. undici takes an EventEmitter as its signal: cheaper than an
  // AbortController per request, which showed in the profile.
  const signal = new EventEmitter() as EventEmitter & { aborted: boolean };
  signal.aborted = false;
  const timer = setTimeout(() => {
    signal.aborted = true;
    signal.emit('abort');
  }, timeoutMs);
  try {
    const response = await sharedAgent.request({ origin: url.origin, path: url.pathname + url.search, method: 'POST', headers, body, signal });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    if (signal.aborted) throw new BankFailure('timeout', `after ${timeoutMs} ms`);
    throw new BankFailure('unreachable', (error as Error)?.message ?? String(error));
  } finally {
    clearTimeout(timer);
  }
};

/** A transport over a fetch function (tests route it to in-process servers). */
export function fetchTransport(transport: typeof fetch): SubgraphTransport {
  return async (url, headers, body, timeoutMs) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await transport(url.href, { method: 'POST', headers, body, signal: controller.signal });
      // The body is read under the same deadline: a bank that sends headers and then stalls is slow too.
      return { status: response.status, text: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) throw new BankFailure('timeout', `after ${timeoutMs} ms`);
      throw new BankFailure('unreachable', (error as Error)?.message ?? String(error));
    } finally {
      clearTimeout(timer);
    }
  };
}
