import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
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
}

const consentGateEnv = (c: TargetStart) => ({
  BENCH_STACK: c.stack,
  BENCH_SUPERGRAPH: c.supergraphPath,
  BENCH_PORT: String(c.port),
  BENCH_NOW: c.now.toISOString(),
  BENCH_PUBLIC_JWK: JSON.stringify(c.publicJwk),
  ...(c.databaseUrl ? { BENCH_DATABASE_URL: c.databaseUrl, BENCH_SCHEMA: `consentgate_bench_${randomBytes(5).toString('hex')}` } : {}),
});

// ConsentGate runs as `npx consentgate` runs it (gateway/bin.mjs): TypeScript through tsx's ESM loader only.
// `--import tsx` would add tsx's CommonJS hook, whose resolver runs on every require(): ~45 µs sampled per
// request on w1, for the require('crypto') Apollo Server's query hash makes on each one.
const TSX_ESM = ['--import', 'tsx/esm'];

/** A ConsentGate target process: `script` under targets/, with the runner's BENCH_* environment and `env`. */
const consentGateChild = (name: string, script: string, c: TargetStart, env: Record<string, string> = {}) =>
  startChild({ name, execArgv: [...(c.nodeFlags ?? []), ...TSX_ESM], args: [here(`../targets/${script}`)], env: { ...consentGateEnv(c), ...env } });

/** The four targets, in the order every round measures them (A B C D). */
export const TARGETS: readonly TargetSpec[] = [
  {
    id: 'consentgate',
    label: 'ConsentGate (enforcement on)',
    credential: 'token',
    start: (c) => consentGateChild('consentgate', 'consentGate.ts', c),
  },
  {
    id: 'consentgate-off',
    label: 'ConsentGate (enforcement off)',
    credential: 'token',
    start: (c) => consentGateChild('consentgate-off', 'consentGateOff.ts', c),
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
  start: (c) => consentGateChild('consentgate-deferred-audit', 'consentGate.ts', c, { BENCH_AUDIT_LOADS: 'deferred' }),
};
