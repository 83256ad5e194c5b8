/**
 * `npm run bench`: ConsentGate against the gateways users would pick instead (issue 4), on the same
 * subgraph processes, measured interleaved (A B C D per round, warm-up first). Prints a table and writes
 * test/bench/results/latest.json. Options: --rounds N (every workload; without it 3, and 7 for w1:
 * fixtures.ts) --connections 8 --warmup 2 --scale 1 (multiplies every workload's seconds) --only w1,w3-1000
 * --out <file> --database-url postgres://... (ConsentGate's store in PostgreSQL instead of embedded PGlite)
 * --audit-share (adds diagnostic target E: A with its audit journal's loads into PGlite deferred to exit;
 * embedded store only). See test/bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { banksOf, WORKLOADS, type StackName, type Workload } from './fixtures';
import { freePort, nextMessage, startChild, waitUntilServing, type Child } from './lib/children';
import { createBenchKeys, createStackClients, openRunnerStore, type StackClients } from './lib/clients';
import { runLoad, type Payload } from './lib/load';
import { childPids, cpuTimeMs, peakRssMiB, waitUntilIdle } from './lib/processStats';
import { checkGoals, formatGoals, formatTables, summarise, type Probe, type TargetResult, type WorkloadResult } from './lib/report';
import { DEFERRED_AUDIT_TARGET, TARGETS as GOAL_TARGETS, type TargetSpec } from './lib/targets';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    connections: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    'database-url': { type: 'string' },
    'audit-share': { type: 'boolean', default: false },
    out: { type: 'string', default: fileURLToPath(new URL('./results/latest.json', import.meta.url)) },
  },
});
// --rounds sets every workload's; without it each has its own (fixtures.ts: 3, more where the margin is thin).
const DEFAULT_ROUNDS = 3;
const roundsOf = (workload: Workload) => (args.rounds !== undefined ? Number(args.rounds) : workload.rounds ?? DEFAULT_ROUNDS);
if (args.rounds !== undefined && !(Number.isInteger(Number(args.rounds)) && Number(args.rounds) >= 1)) throw new Error(`--rounds must be a whole number of at least 1; received ${args.rounds}`);
const CONNECTIONS = Number(args.connections);
const WARMUP_SECONDS = Number(args.warmup);
const SCALE = Number(args.scale);
if (args['audit-share'] && args['database-url']) throw new Error('--audit-share measures the embedded store\'s audit journal loads; it does not apply with --database-url');
// E after D in every round when asked for: A with its audit loads into PGlite deferred (what they cost A).
const TARGETS: readonly TargetSpec[] = args['audit-share'] ? [...GOAL_TARGETS, DEFERRED_AUDIT_TARGET] : GOAL_TARGETS;
const only = args.only ? new Set(args.only.split(',')) : undefined;
const workloads = WORKLOADS.filter((w) => !only || only.has(w.id));
if (workloads.length === 0) throw new Error(`--only matched no workload; known: ${WORKLOADS.map((w) => w.id).join(', ')}`);

const startedAt = new Date();
// What was measured: the commit, and whether the working tree differed from it (read before any target is built).
const source = gitSource();
const log = (message: string) => console.log(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${message}`);
const workDir = mkdtempSync(join(tmpdir(), 'consentgate-bench-'));
const keys = await createBenchKeys();
// One clock for the whole run: the targets' stores and the runner's grants agree on every window.
const now = new Date();
let runnerStore: ReturnType<typeof openRunnerStore> | undefined;
const results: WorkloadResult[] = [];

interface RunningTarget {
  spec: TargetSpec;
  child: Child;
  url: string;
  result: Map<string, TargetResult>;
}

/** Sends a workload's requests round robin over the stack's users; each target kind gets its own credentials. */
const payloadsFor = (workload: Workload, clients: StackClients, spec: TargetSpec): Payload[] => {
  const body = JSON.stringify({ query: workload.query, variables: workload.variables ?? {} });
  return clients.users.map((user) => ({ headers: clients.headersFor(spec.credential, user), body }));
};

try {
  const stacks = [...new Set(workloads.map((w) => w.stack))];
  for (const stack of stacks) await benchStack(stack, workloads.filter((w) => w.stack === stack));
} finally {
  await (await runnerStore?.catch(() => undefined))?.close();
  rmSync(workDir, { recursive: true, force: true });
}

for (const workload of results) summarise(workload);
const expectedSubgraphRequests = Object.fromEntries(
  results.filter((w) => w.stack !== 'products').map((w) => [w.id, 1 + (w.stack === 'demo' ? 3 : banksOf(w.stack as StackName).length)]),
);
const goals = checkGoals(results, expectedSubgraphRequests);
const finishedAt = new Date();
const report = {
  date: startedAt.toISOString(),
  durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
  source,
  machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
  settings: { rounds: Object.fromEntries(workloads.map((w) => [w.id, roundsOf(w)])), connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, scale: SCALE, consentStore: args['database-url'] ? 'postgresql' : 'pglite (data directory)' },
  targets: TARGETS.map((t) => ({ id: t.id, label: t.label })),
  workloads: results,
  goals,
};
mkdirSync(join(args.out!, '..'), { recursive: true });
writeFileSync(args.out!, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nConsentGate benchmark ${report.date}${source ? ` at ${source.commit.slice(0, 7)}${source.modified ? ' (modified)' : ''}` : ''}, ${report.machine.cores} cores (${report.machine.cpu}), Node ${process.version}, rounds ${[...new Set(workloads.map(roundsOf))].length === 1 ? roundsOf(workloads[0]!) : workloads.map((w) => `${w.id} ${roundsOf(w)}`).join(', ')}, ${CONNECTIONS} connections, consent store ${report.settings.consentStore}`);
console.log(formatTables(results));
console.log(`\nIssue 4 targets (ConsentGate, enforcement on):\n${formatGoals(goals)}`);
console.log(`\nwrote ${args.out} in ${report.durationSeconds}s`);

async function benchStack(stack: StackName, stackWorkloads: Workload[]): Promise<void> {
  log(`stack ${stack}: starting subgraphs`);
  const host = startChild({ name: `subgraphs(${stack})`, ipc: true, execArgv: ['--import', 'tsx'], args: [fileURLToPath(new URL('./subgraphs/host.ts', import.meta.url)), stack, workDir] });
  const running: RunningTarget[] = [];
  try {
    const ready = await nextMessage<{ urls: Record<string, string>; supergraphPath: string }>(host, 'ready', 120_000);
    log(`stack ${stack}: subgraphs ready`);
    // Computed while the targets start (the runner's own PGlite copy of the same grants).
    runnerStore ??= openRunnerStore(now);
    const clientsReady = runnerStore.then((store) => createStackClients(stack, readFileSync(ready.supergraphPath, 'utf8'), keys.privateKey, now, store));
    const rates = new Map<string, number>();
    let countId = 0;
    const subgraphCounts = async () => {
      const id = ++countId;
      const reply = nextMessage<{ counts: Record<string, number> }>(host, 'counts', 10_000, (m: any) => m.id === id);
      host.process.send!({ type: 'counts', id });
      return (await reply).counts;
    };

    for (const workload of stackWorkloads) results.push({ id: workload.id, title: workload.title, stack, targets: [] });
    const resultOf = (workload: Workload) => results.find((r) => r.id === workload.id)!;
    // Targets start together (start-up is not measured), then wait idle while another one is measured.
    await Promise.all(TARGETS.map(async (spec) => {
      const perWorkload = new Map<string, TargetResult>();
      for (const workload of stackWorkloads) {
        const result: TargetResult = { id: spec.id, label: spec.label, runs: [] };
        resultOf(workload).targets.push(result);
        perWorkload.set(workload.id, result);
      }
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const child = spec.start({ stack, supergraphPath: ready.supergraphPath, port, now, publicJwk: keys.publicJwk, databaseUrl: args['database-url'] });
      try {
        await waitUntilServing(child, url, 180_000);
        log(`stack ${stack}: ${spec.id} serving`);
        const helpers = childPids(child.pid);
        if (helpers.length) log(`warning: ${spec.id} has child processes ${helpers.join(', ')} whose CPU is not counted`);
        running.push({ spec, child, url, result: perWorkload });
      } catch (error) {
        await child.stop();
        for (const result of perWorkload.values()) result.error = firstLine(error);
        log(`stack ${stack}: ${spec.id} did not start: ${(error as Error).message}`);
      }
    }));
    running.sort((a, b) => TARGETS.indexOf(a.spec) - TARGETS.indexOf(b.spec));
    const clients = await clientsReady;
    for (const workload of stackWorkloads) resultOf(workload).targets.sort((a, b) => TARGETS.findIndex((t) => t.id === a.id) - TARGETS.findIndex((t) => t.id === b.id));

    for (const workload of stackWorkloads) {
      const probes = new Map<string, unknown[]>();
      for (const target of [...running]) {
        const before = await subgraphCounts();
        let probed: Awaited<ReturnType<typeof probeTarget>>;
        try {
          probed = await probeTarget(target, workload, clients);
        } catch (error) {
          const alive = target.child.process.exitCode === null;
          target.result.get(workload.id)!.error = firstLine(error);
          log(`${workload.id}: ${target.spec.id} failed its probe (${alive ? 'still running' : 'exited'}): ${(error as Error).message}\n${target.child.output()}`);
          if (!alive) running.splice(running.indexOf(target), 1);
          continue;
        }
        const { probe, data } = probed;
        const after = await subgraphCounts();
        // Requests were sent one at a time, so every subgraph request belongs to a counted operation.
        probe.subgraphRequestsByName = Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] - (before[name] ?? 0)) / clients.users.length]));
        probe.subgraphRequestsPerOp = Object.values(probe.subgraphRequestsByName).reduce((sum, v) => sum + v, 0);
        target.result.get(workload.id)!.probe = probe;
        probes.set(target.spec.id, data);
      }
      const apolloData = probes.get('apollo-gateway');
      for (const target of running) {
        const probe = target.result.get(workload.id)!.probe;
        if (!probe || target.spec.id === 'apollo-gateway' || !apolloData) continue;
        probe.sameDataAsApollo = JSON.stringify(probes.get(target.spec.id)) === JSON.stringify(apolloData);
        // ConsentGate with enforcement on (A, and E) strips fields by design; with nothing stripped (no
        // errors) its data must be the same.
        const enforcing = target.spec.id === 'consentgate' || target.spec.id === 'consentgate-deferred-audit';
        const expected = !enforcing || probe.errorsPerOp === 0;
        if (!probe.sameDataAsApollo && expected) log(`warning: ${workload.id}: ${target.spec.id} returned other data than @apollo/gateway`);
      }
      log(`${workload.id}: probes ${running.map((t) => `${t.spec.id} ${describeProbe(t.result.get(workload.id)!.probe)}`).join('; ')}`);
      for (const target of running) {
        const result = target.result.get(workload.id)!;
        if (!result.probe) continue;
        const warm = await runLoad({ url: target.url, payloads: payloadsFor(workload, clients, target.spec), connections: CONNECTIONS, seconds: WARMUP_SECONDS });
        await waitUntilIdle([target.child.pid, host.pid]);
        // Measured runs send a fixed number of requests (and wait for all of them), sized from this rate.
        rates.set(`${workload.id} ${target.spec.id}`, Math.max(warm.ok / warm.seconds, 1 / result.probe.secondsPerOp));
      }
    }

    const stackRounds = Math.max(...stackWorkloads.map(roundsOf));
    for (let round = 1; round <= stackRounds; round++) {
      // A B C D for each workload, then the next round: drift on a shared machine hits every target alike.
      for (const workload of stackWorkloads) {
        if (round > roundsOf(workload)) continue;
        for (const target of running) {
          if (!target.result.get(workload.id)!.probe) continue;
          await waitUntilIdle([target.child.pid, host.pid]);
          const amount = Math.max(CONNECTIONS, Math.round(rates.get(`${workload.id} ${target.spec.id}`)! * workload.seconds * SCALE));
          const before = { cpu: cpuTimeMs(target.child.pid), subgraphCpu: cpuTimeMs(host.pid), counts: await subgraphCounts() };
          const load = await runLoad({ url: target.url, payloads: payloadsFor(workload, clients, target.spec), connections: CONNECTIONS, amount });
          const cpu = cpuTimeMs(target.child.pid) - before.cpu;
          const subgraphCpu = cpuTimeMs(host.pid) - before.subgraphCpu;
          const counts = await subgraphCounts();
          const byName = Object.fromEntries(Object.keys(counts).map((name) => [name, (counts[name] - (before.counts[name] ?? 0)) / Math.max(1, load.ok)]));
          const subgraphRequestsPerOp = Object.values(byName).reduce((sum, v) => sum + v, 0);
          target.result.get(workload.id)!.runs.push({
            round, ok: load.ok, failed: load.failed, seconds: load.seconds, rps: load.rps, p50: load.p50, p99: load.p99,
            cpuMsPerRequest: cpu / Math.max(1, load.ok), subgraphCpuMsPerRequest: subgraphCpu / Math.max(1, load.ok),
            subgraphRequestsPerOpUnderLoad: subgraphRequestsPerOp, subgraphRequestsByName: byName,
          });
          log(`round ${round} ${workload.id} ${target.spec.id.padEnd(15)} ${load.rps.toFixed(0).padStart(5)} req/s  p50 ${load.p50} ms  p99 ${load.p99} ms  CPU ${(cpu / Math.max(1, load.ok)).toFixed(2)} ms/req (subgraphs ${(subgraphCpu / Math.max(1, load.ok)).toFixed(2)})${load.failed ? `  FAILED ${load.failed}` : ''}`);
        }
      }
    }
    for (const target of running) {
      const peak = peakRssMiB(target.child.pid);
      for (const result of target.result.values()) result.peakRssMiB = peak;
    }
  } finally {
    await Promise.all(running.map((t) => t.child.stop()));
    await host.stop();
  }
}

/** One request per user, checked: status, size, transaction items, errors; the data for comparison. */
async function probeTarget(target: RunningTarget, workload: Workload, clients: StackClients): Promise<{ probe: Probe; data: unknown[] }> {
  const probe: Probe = { status: [], bytesPerOp: 0, itemsPerOp: 0, errorsPerOp: 0, secondsPerOp: 0, subgraphRequestsPerOp: 0, subgraphRequestsByName: {} };
  const data: unknown[] = [];
  const started = Date.now();
  for (const payload of payloadsFor(workload, clients, target.spec)) {
    const response = await postWithRetry(target.url, payload);
    const text = await response.text();
    probe.status.push(response.status);
    probe.bytesPerOp += text.length;
    let body: { data?: any; errors?: unknown[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // counted as a failed status below
    }
    if (!body.data) throw new Error(`${target.spec.id} answered ${workload.id} without data (${response.status}): ${text.slice(0, 300)}`);
    probe.errorsPerOp += body.errors?.length ?? 0;
    const accounts: any[] = body.data.me?.accounts ?? [];
    probe.itemsPerOp += accounts.reduce((sum, a) => sum + (a?.transactions?.nodes?.length ?? 0), 0);
    // Accounts come in the order of the user's links, which each gateway computes from its own grant read.
    if (body.data.me?.accounts) body.data.me.accounts = [...accounts].sort((x, y) => String(x?.id).localeCompare(String(y?.id)));
    data.push(body.data);
  }
  const n = clients.users.length;
  return { probe: { ...probe, secondsPerOp: (Date.now() - started) / 1000 / n, bytesPerOp: probe.bytesPerOp / n, itemsPerOp: probe.itemsPerOp / n, errorsPerOp: probe.errorsPerOp / n }, data };
}

/** POST; retried once when the connection was closed under us (an idle keep-alive socket timing out on the server). */
async function postWithRetry(url: string, payload: Payload): Promise<Response> {
  try {
    return await fetch(url, { method: 'POST', headers: payload.headers, body: payload.body });
  } catch {
    return fetch(url, { method: 'POST', headers: payload.headers, body: payload.body });
  }
}

function describeProbe(probe: Probe | undefined): string {
  if (!probe) return 'failed';
  return `${probe.itemsPerOp.toFixed(0)} items ${probe.errorsPerOp.toFixed(0)} errors ${(probe.bytesPerOp / 1024).toFixed(0)} KiB`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

/** The checkout's commit and whether tracked files differed from it; undefined outside a git checkout. */
function gitSource(): { commit: string; modified: boolean } | undefined {
  const git = (...gitArgs: string[]) => execFileSync('git', gitArgs, { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), modified: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return undefined;
  }
}
