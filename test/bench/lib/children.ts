import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/** A process the benchmark started, and how to stop it. */
export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last lines it wrote to stderr/stdout, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s): resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Script and its arguments, run by this Node. */
  args: string[];
  /** Node flags, e.g. ['--import', 'tsx']. */
  execArgv?: string[];
  env?: Record<string, string>;
  /** Default false. An IPC channel (child_process.fork). */
  ipc?: boolean;
}

/** Starts `node [execArgv] args` with its output kept (not printed) and a stop() that waits for exit. */
export function startChild(options: StartOptions): Child {
  const env = { ...process.env, NODE_ENV: 'production', ...options.env };
  const execArgv = options.execArgv ?? [];
  const child = options.ipc
    ? fork(options.args[0], options.args.slice(1), { execArgv, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    : spawn(process.execPath, [...execArgv, ...options.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.args.join(' ')}`);
  return {
    name: options.name,
    process: child,
    pid: child.pid,
    output: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free loopback TCP port (bound and released; the child binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the first IPC message of `type` from `child`; rejects if it exits first or after `timeoutMs`. */
export function nextMessage<T>(child: Child, type: string, timeoutMs = 60_000, accept: (m: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${child.name}: no '${type}' message within ${timeoutMs} ms\n${child.output()}`)), timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message?.type === type && accept(message as T)) finish(undefined, message as T);
    };
    const onExit = (code: number | null) => finish(new Error(`${child.name} exited (${code}) before '${type}'\n${child.output()}`));
    function finish(error?: Error, value?: T) {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    }
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}

/** Polls `url` with a tiny GraphQL POST until it answers (any HTTP status), or fails after `timeoutMs`. */
export async function waitUntilServing(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited (${child.process.exitCode}) while starting\n${child.output()}`);
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${child.name} did not serve ${url} within ${timeoutMs} ms\n${child.output()}`);
}
