/**
 * Outage load test: the gateway under constant load while one bank is killed (SIGKILL) and restarted.
 * Every process is real: four demo subgraphs and the gateway, each its own Node process on loopback.
 * Passes when no response is 5xx (or a transport error) and p99 latency stays under BOUND_MS in every
 * phase (default 2500 ms, half the 5 s subgraph timeout: no client ever waits on a dead bank's timeout).
 *
 *   npx tsx test/bench/outage/run.ts            (env: CLIENTS=8 PHASE_S=10 BANK=contoso BOUND_MS=2500)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLIENTS = Number(process.env.CLIENTS ?? 8);
const PHASE_MS = Number(process.env.PHASE_S ?? 10) * 1000;
const BANK = process.env.BANK ?? 'contoso';
const BOUND_MS = Number(process.env.BOUND_MS ?? 2500);
const SUBGRAPHS = ['platform', 'northwind', 'contoso', 'fabrikam'];
const QUERY = '{ me { accounts { __typename id displayName balance { amount currency } } } }';
// The demo users; most have accounts at several banks, so a response shows both sides of the outage.
const USERS = ['alice', 'bob', 'carol', 'dave'];

type Phase = 'before' | 'outage' | 'after';
interface Sample {
  phase: Phase;
  ms: number;
  status: number;
  bankServed: boolean;
  bankDownstreamError: boolean;
  othersServed: boolean;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function tsx(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
}

async function startSubgraph(name: string, port: number): Promise<ChildProcess> {
  const child = tsx(`subgraphs/${name}/server.ts`, { PORT: String(port) });
  for await (const line of createInterface({ input: child.stdout! })) if (line.includes('listening')) break;
  return child;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ports = Object.fromEntries(await Promise.all(SUBGRAPHS.map(async (name) => [name, await freePort()] as const)));
const children = new Map<string, ChildProcess>();
for (const name of SUBGRAPHS) children.set(name, await startSubgraph(name, ports[name]!));
const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`]));
const gatewayProcess = tsx('test/bench/outage/gateway.ts', { SUBGRAPH_URLS: JSON.stringify(urls) });
const [first] = (await once(createInterface({ input: gatewayProcess.stdout! }), 'line')) as [string];
const { url, tokens } = JSON.parse(first) as { url: string; tokens: Record<string, string> };

const samples: Sample[] = [];
let phase: Phase = 'before';
let running = true;
let transportErrors = 0;
let restartedAt = 0;
let recoveredAfterMs: number | undefined;

async function client(index: number): Promise<void> {
  let i = index;
  while (running) {
    const user = USERS[i++ % USERS.length]!;
    const started = performance.now();
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[user]}` }, body: JSON.stringify({ query: QUERY }) });
      const body = (await response.json()) as any;
      const ms = performance.now() - started;
      const accounts = (body?.data?.me?.accounts ?? []) as any[];
      const downstream = ((body?.errors ?? []) as any[]).filter((e) => e.extensions?.code === 'DOWNSTREAM_SERVICE_ERROR').map((e) => e.extensions.serviceName as string);
      const hasBankAccount = accounts.some((a) => String(a.__typename).toLowerCase().startsWith(BANK));
      const sample: Sample = {
        phase,
        ms,
        status: response.status,
        // Served: the user has an account at the bank and no error names the bank.
        bankServed: hasBankAccount && !downstream.includes(BANK),
        bankDownstreamError: downstream.includes(BANK),
        // Intact: a 200 with data and no error naming any other subgraph.
        othersServed: response.status === 200 && body?.data?.me != null && downstream.every((name) => name === BANK),
      };
      samples.push(sample);
      if (phase === 'after' && recoveredAfterMs === undefined && sample.bankServed) recoveredAfterMs = Date.now() - restartedAt;
    } catch {
      transportErrors += 1;
    }
  }
}

const warmup = Date.now();
const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
phase = 'outage';
const killedAt = Date.now();
children.get(BANK)!.kill('SIGKILL');
await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
// The restart (a fresh Node process) happens under load too; the bank counts as back once it listens.
const restartBegan = Date.now();
children.set(BANK, await startSubgraph(BANK, ports[BANK]!));
restartedAt = Date.now();
phase = 'after';
await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
running = false;
const ended = Date.now();
const durations: Record<Phase, number> = { before: killedAt - warmup, outage: restartedAt - killedAt, after: ended - restartedAt };
await Promise.all(clients);

gatewayProcess.kill('SIGTERM');
for (const child of children.values()) child.kill('SIGTERM');

const report: Record<string, unknown> = {
  setup: { clients: CLIENTS, phaseSeconds: PHASE_MS / 1000, killedBank: BANK, restartTookMs: restartedAt - restartBegan, outageMs: restartedAt - killedAt, totalSeconds: (ended - warmup) / 1000 },
};
let failed = transportErrors > 0;
for (const p of ['before', 'outage', 'after'] as Phase[]) {
  const of = samples.filter((s) => s.phase === p);
  const latencies = of.map((s) => s.ms);
  const fiveXX = of.filter((s) => s.status >= 500).length;
  const p99 = percentile(latencies, 99);
  if (fiveXX > 0 || p99 > BOUND_MS) failed = true;
  report[p] = {
    requests: of.length,
    rps: Math.round(of.length / (durations[p] / 1000)),
    status5xx: fiveXX,
    non200: of.filter((s) => s.status !== 200).length,
    p50ms: Math.round(percentile(latencies, 50)),
    p95ms: Math.round(percentile(latencies, 95)),
    p99ms: Math.round(p99),
    maxMs: Math.round(Math.max(0, ...latencies)),
    bankServed: of.filter((s) => s.bankServed).length,
    bankNulledWithDownstreamError: of.filter((s) => !s.bankServed && s.bankDownstreamError).length,
    otherBanksIntact: of.filter((s) => s.othersServed).length,
  };
}
report.transportErrors = transportErrors;
report.bankRecoveredAfterRestartMs = recoveredAfterMs ?? null;
report.verdict = failed ? `FAIL (5xx, transport errors or p99 > ${BOUND_MS} ms)` : `PASS (zero 5xx, p99 <= ${BOUND_MS} ms in every phase)`;
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
