/**
 * Profiles ConsentGate (enforcement on, or --target consentgate-off) under a workload's load with `node --cpu-prof`, then prints where
 * its CPU goes: self time by package, by ConsentGate file and by function, counting only the samples
 * taken during the measured load (not start-up). Profiles are written outside the repository. The
 * target runs its TypeScript sources through tsx (not the build run.ts measures), so that every function
 * keeps its source file in the profile.
 * Usage: node --import tsx test/bench/profile.ts [--only w1,w2] [--seconds 15] [--out /tmp/consentgate-profiles]
 *        [--database-url postgres://...] (the store in PostgreSQL, as in run.ts, instead of embedded PGlite)
 *        [--target consentgate-off] (enforcement off: set beside the default's profile, what enforcement costs)
 *        [--heap] (instead of CPU: V8's sampling heap profile of the measured load, bytes allocated per request
 *        by function, collected objects included; lib/heapSampler.mjs)
 *        [--heap-promoted] (with --heap: leaves out what scavenges collected, so mostly what V8 promoted)
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WORKLOADS } from './fixtures';
import { freePort, nextMessage, startChild, waitUntilServing } from './lib/children';
import { createBenchKeys, createStackClients, openRunnerStore } from './lib/clients';
import { runLoad } from './lib/load';
import { waitUntilIdle } from './lib/processStats';
import { TARGETS } from './lib/targets';
import { formatHeapSummary, summariseHeap } from './summariseHeap';
import { formatProfileSummary, summariseProfile } from './summariseProfile';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'w1,w2' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '8' },
    out: { type: 'string', default: join(tmpdir(), 'consentgate-profiles') },
    'database-url': { type: 'string' },
    target: { type: 'string', default: 'consentgate' },
    heap: { type: 'boolean', default: false },
    'heap-promoted': { type: 'boolean', default: false },
  },
});
if (args['heap-promoted'] && !args.heap) throw new Error('--heap-promoted goes with --heap');
const ids = args.only!.split(',');
const workloads = WORKLOADS.filter((w) => ids.includes(w.id));
if (workloads.length !== ids.length) throw new Error(`--only: unknown workload in ${args.only}; known: ${WORKLOADS.map((w) => w.id).join(', ')}`);
const outDir = args.out!;
mkdirSync(outDir, { recursive: true });
const workDir = mkdtempSync(join(tmpdir(), 'consentgate-profile-'));
const keys = await createBenchKeys();
const now = new Date();
const store = await openRunnerStore(now);
const consentGate = TARGETS.find((t) => t.id === args.target && t.id.startsWith('consentgate'));
if (!consentGate) throw new Error(`--target: ${args.target} is not one of ${TARGETS.filter((t) => t.id.startsWith('consentgate')).map((t) => t.id).join(', ')}`);
const µsNow = () => Number(process.hrtime.bigint() / 1000n);

try {
  for (const workload of workloads) {
    const host = startChild({ name: `subgraphs(${workload.stack})`, ipc: true, execArgv: ['--import', 'tsx'], args: [fileURLToPath(new URL('./subgraphs/host.ts', import.meta.url)), workload.stack, workDir] });
    // One folder per workload: Node writes one profile per thread (tsx's module loader runs in a worker).
    const profileDir = join(outDir, `${consentGate.id}-${workload.id}`);
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    try {
      const ready = await nextMessage<{ supergraphPath: string }>(host, 'ready', 120_000);
      const clients = await createStackClients(workload.stack, readFileSync(ready.supergraphPath, 'utf8'), keys.privateKey, now, store);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/graphql`;
      const heapFile = join(profileDir, 'load.heapprofile');
      // The target inherits this process's environment: where the heap sampler writes.
      if (args.heap) process.env.BENCH_HEAP_PROFILE = heapFile;
      if (args['heap-promoted']) process.env.BENCH_HEAP_PROMOTED = '1';
      const child = consentGate.start({
        stack: workload.stack, supergraphPath: ready.supergraphPath, port, now, publicJwk: keys.publicJwk, databaseUrl: args['database-url'], fromSources: true,
        nodeFlags: args.heap ? ['--import', fileURLToPath(new URL('./lib/heapSampler.mjs', import.meta.url))] : ['--cpu-prof', '--cpu-prof-dir', profileDir],
      });
      await waitUntilServing(child, url, 180_000);
      const body = JSON.stringify({ query: workload.query, variables: workload.variables ?? {} });
      const payloads = clients.users.map((user) => ({ headers: clients.headersFor('token', user), body }));
      await runLoad({ url, payloads, connections: Number(args.connections), seconds: 3 });
      await waitUntilIdle([child.pid, host.pid]);
      // V8 stamps samples with the monotonic clock process.hrtime reads: the window selects the load.
      const from = µsNow();
      if (args.heap) child.process.kill('SIGUSR1');
      const load = await runLoad({ url, payloads, connections: Number(args.connections), seconds: Number(args.seconds) });
      await waitUntilIdle([child.pid]);
      const to = µsNow();
      if (args.heap) {
        child.process.kill('SIGUSR2');
        await waitFor(() => child.output().includes(`written ${heapFile}`), 60_000, `${workload.id}: no heap profile from the target\n${child.output()}`);
        await child.stop(30_000);
        const summary = summariseHeap(JSON.parse(readFileSync(heapFile, 'utf8')), load.ok);
        // What the profile counted, in the summary file as in the printout (the default: every allocation).
        const counted = args['heap-promoted'] ? 'without what scavenges collected' : undefined;
        writeFileSync(join(outDir, `${consentGate.id}-${workload.id}.heap-summary.json`), `${JSON.stringify({ workload: workload.id, requests: load.ok, ...(counted && { counted }), ...summary }, null, 2)}\n`);
        console.log(`\n${formatHeapSummary(`${workload.id} (${workload.title}), ${load.ok} requests`, summary, load.ok, 25, counted)}`);
        console.log(`  profile: ${heapFile}`);
        continue;
      }
      await child.stop(30_000);
      const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileDir, f));
      if (files.length === 0) throw new Error(`no profile in ${profileDir}; the target's output:\n${child.output()}`);
      // The thread that was busy during the load is the main one (the others are tsx's loader and V8 helpers).
      const candidates = files.map((f) => ({ file: f, profile: JSON.parse(readFileSync(f, 'utf8')) }));
      const scored = candidates.map((c) => ({ ...c, summary: summariseProfile(c.profile, { from, to }) })).sort((a, b) => b.summary.samples - a.summary.samples);
      const { file, profile } = scored[0];
      let summary = scored[0].summary;
      if (summary.samples < 100) {
        console.warn(`${workload.id}: only ${summary.samples} samples fall in the load's window; summarising the whole profile`);
        summary = summariseProfile(profile);
      }
      writeFileSync(join(outDir, `${consentGate.id}-${workload.id}.summary.json`), `${JSON.stringify({ workload: workload.id, requests: load.ok, ...summary }, null, 2)}\n`);
      console.log(`\n${formatProfileSummary(`${workload.id} (${workload.title}), ${load.ok} requests, ${((summary.totalMs / Math.max(1, load.ok))).toFixed(1)} ms CPU sampled per request`, summary)}`);
      console.log(`  profile: ${file}`);
    } finally {
      await host.stop();
    }
  }
} finally {
  await store.close();
  rmSync(workDir, { recursive: true, force: true });
}

async function waitFor(done: () => boolean, timeoutMs: number, message: string): Promise<void> {
  for (const until = Date.now() + timeoutMs; !done(); await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (Date.now() > until) throw new Error(message);
  }
}
