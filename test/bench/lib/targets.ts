import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuild } from '../../../gateway/build.mjs';
import { startChild, type Child } from './children';
import type { Credential } from './clients';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** One gateway under test. */
export interface TargetSpec {
  id: 'consentgate' | 'consentgate-off' | 'apollo-gateway' | 'hive-gateway' | 'consentgate-deferred-audit';
  label: string;
  credential: Credential;
  start(context: TargetStart): Child;
}

export interface TargetStart {
  stack: string;
  supergraphPath: string;
  port: number;
  now: Date;
  publicJwk: object;
  /** Extra Node flags, e.g. --cpu-prof for profiling. */
  nodeFlags?: string[];
  /** ConsentGate's store in PostgreSQL instead of embedded PGlite (a fresh schema per process). */
  databaseUrl?: string;
  /**
   * ConsentGate's TypeScript through tsx instead of its build, for profiles: functions then keep their
   * source file in a .cpuprofile (in the build, every one is in the bundle). The code is the same.
   */
  fromSources?: boolean;
}

const consentGateEnv = (c: TargetStart) => ({
  BENCH_STACK: c.stack,
  BENCH_SUPERGRAPH: c.supergraphPath,
  BENCH_PORT: String(c.port),
  BENCH_NOW: c.now.toISOString(),
  BENCH_PUBLIC_JWK: JSON.stringify(c.publicJwk),
  ...(c.databaseUrl ? { BENCH_DATABASE_URL: c.databaseUrl, BENCH_SCHEMA: `consentgate_bench_${randomBytes(5).toString('hex')}` } : {}),
});

// ConsentGate runs as `npx consentgate` runs it (gateway/bin.mjs): compiled by gateway/build.mjs, with no
// loader. Its target scripts are built the same way, into test/bench/dist/, when this module loads.
const BUILT = await ensureBuild({ entryPoints: ['consentGate', 'consentGateOff'].map((name) => `test/bench/targets/${name}.ts`), outdir: here('../dist') });

/**
 * A ConsentGate target process: the build of `script` (under targets/), with the runner's BENCH_* environment
 * and `env`, and the CLI's heap growth on the embedded store (targets/heapGrowth.mjs, preloaded).
 */
const consentGateChild = (name: string, script: 'consentGate' | 'consentGateOff', c: TargetStart, env: Record<string, string> = {}) =>
  startChild({
    name,
    execArgv: [
      ...(c.nodeFlags ?? []),
      '--import', pathToFileURL(here('../targets/heapGrowth.mjs')).href,
      ...(c.fromSources ? ['--import', 'tsx/esm'] : []),
    ],
    args: [c.fromSources ? here(`../targets/${script}.ts`) : join(BUILT, `${script}.mjs`)],
    env: { ...consentGateEnv(c), ...env },
  });

/** The four targets, in the order every round measures them (A B C D). */
export const TARGETS: readonly TargetSpec[] = [
  {
    id: 'consentgate',
    label: 'ConsentGate (enforcement on)',
    credential: 'token',
    start: (c) => consentGateChild('consentgate', 'consentGate', c),
  },
  {
    id: 'consentgate-off',
    label: 'ConsentGate (enforcement off)',
    credential: 'token',
    start: (c) => consentGateChild('consentgate-off', 'consentGateOff', c),
  },
  {
    id: 'apollo-gateway',
    label: '@apollo/gateway 2.14 + @apollo/server 5',
    credential: 'assertion',
    start: (c) => startChild({ name: 'apollo-gateway', execArgv: c.nodeFlags, args: [here('../peers/apolloGateway.mjs')], env: { BENCH_SUPERGRAPH: c.supergraphPath, BENCH_PORT: String(c.port) } }),
  },
  {
    id: 'hive-gateway',
    label: 'Hive Gateway runtime 2.12 + useJIT (= hive-gateway --jit)',
    credential: 'assertion',
    start: (c) => startChild({ name: 'hive-gateway', execArgv: c.nodeFlags, args: [here('../peers/hiveGateway.mjs')], env: { BENCH_SUPERGRAPH: c.supergraphPath, BENCH_PORT: String(c.port) } }),
  },
];

/**
 * Diagnostic target E (`--audit-share`, embedded store only): A with its audit journal's loads into PGlite
 * deferred to exit, so that E - A in the same round is the cost of those loads. Not one of the goals' targets.
 */
export const DEFERRED_AUDIT_TARGET: TargetSpec = {
  id: 'consentgate-deferred-audit',
  label: 'ConsentGate (enforcement on, audit loads into PGlite deferred: diagnostic)',
  credential: 'token',
  start: (c) => consentGateChild('consentgate-deferred-audit', 'consentGate', c, { BENCH_AUDIT_LOADS: 'deferred' }),
};
