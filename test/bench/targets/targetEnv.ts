import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import pg from 'pg';
import { createConsentStore } from '../../../gateway/consent/store/createConsentStore';
import { seedDemoGrants } from '../../../gateway/consent/store/seedDemoGrants';
import type { ConsentStore } from '../../../gateway/consent/types';
import { createIdentity, type Identity } from '../../../gateway/identity/createIdentity';
import { benchGrants, STACKS, type StackName } from '../fixtures';

/** What the runner tells a ConsentGate target process, through the environment. */
export interface TargetEnv {
  stack: StackName;
  supergraphSdl: string;
  port: number;
  /** The clock the runner granted with: the store's grants and the runner's assertions agree. */
  now: Date;
  publicJwk: JWK;
  /** BENCH_DATABASE_URL: grants in PostgreSQL (schema BENCH_SCHEMA, dropped at exit) instead of embedded PGlite. */
  database?: { url: string; schema: string };
  /**
   * BENCH_AUDIT_LOADS=deferred (diagnostic target E of `--audit-share`): the embedded store's audit journal is
   * appended to as always, before each response, but loaded into PGlite only when the target closes, so
   * E - A is what the loads cost A. Not a product setting: the product loads every 50 ms.
   */
  deferAuditLoads?: boolean;
}

/** Reads BENCH_STACK, BENCH_SUPERGRAPH (a file), BENCH_PORT, BENCH_NOW and BENCH_PUBLIC_JWK; throws naming what is missing. */
export function readTargetEnv(env: NodeJS.ProcessEnv = process.env): TargetEnv {
  const missing = ['BENCH_STACK', 'BENCH_SUPERGRAPH', 'BENCH_PORT', 'BENCH_NOW', 'BENCH_PUBLIC_JWK'].filter((k) => !env[k]);
  if (missing.length) throw new Error(`bench target: set ${missing.join(', ')} (the runner does; see test/bench/run.ts)`);
  const stack = env.BENCH_STACK as StackName;
  if (!STACKS.includes(stack)) throw new Error(`bench target: BENCH_STACK must be one of ${STACKS.join(', ')}; received ${stack}`);
  return {
    stack,
    supergraphSdl: readFileSync(env.BENCH_SUPERGRAPH!, 'utf8'),
    port: Number(env.BENCH_PORT),
    now: new Date(env.BENCH_NOW!),
    publicJwk: JSON.parse(env.BENCH_PUBLIC_JWK!) as JWK,
    ...(env.BENCH_DATABASE_URL ? { database: { url: env.BENCH_DATABASE_URL, schema: env.BENCH_SCHEMA || `consentgate_bench_${process.pid}` } } : {}),
    ...(env.BENCH_AUDIT_LOADS === 'deferred' ? { deferAuditLoads: true } : {}),
  };
}

/**
 * A store holding the stack's bench grants (and the demo grants on the demo stack): embedded PGlite in a
 * data directory of its own, as the product's default (created beforehand by prepareStore.ts in another
 * process, removed on close), or a fresh schema of PostgreSQL (dropped again on close) when the runner was
 * given --database-url.
 */
export async function openBenchStore(target: TargetEnv): Promise<ConsentStore> {
  const { database } = target;
  if (database) {
    const store = await createConsentStore({ databaseUrl: database.url, schema: database.schema });
    await seedBenchStore(store, target);
    return alsoOnClose(store, async () => {
      const pool = new pg.Pool({ connectionString: database.url, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${database.schema} CASCADE`).finally(() => pool.end());
    });
  }
  // A folder of its own: the data directory and, beside it, the audit journal, removed together.
  const folder = mkdtempSync(join(tmpdir(), 'consentgate-bench-store-'));
  const dataDir = join(folder, 'pglite');
  const prepared = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./prepareStore.ts', import.meta.url)), dataDir], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (prepared.status !== 0) throw new Error(`bench target: preparing the store in ${dataDir} failed (exit ${prepared.status ?? prepared.signal})`);
  // Deferred: an interval longer than any run (the journal's timer takes at most 2^31-1 ms).
  const auditJournal = target.deferAuditLoads ? { loadIntervalMs: 2 ** 31 - 1 } : undefined;
  return alsoOnClose(await createConsentStore({ dataDir, auditJournal }), async () => rmSync(folder, { recursive: true, force: true }));
}

/** The store, whose close also runs `cleanUp` afterwards, even when closing failed. */
function alsoOnClose(store: ConsentStore, cleanUp: () => Promise<void>): ConsentStore {
  const close = store.close.bind(store);
  store.close = async () => {
    try {
      await close();
    } finally {
      await cleanUp();
    }
  };
  return store;
}

/** The stack's bench grants, and the demo grants on the demo stack. */
export async function seedBenchStore(store: ConsentStore, target: TargetEnv): Promise<void> {
  if (target.stack === 'demo') await seedDemoGrants(store, target.now);
  for (const grant of benchGrants(target.stack, target.now)) await store.grant(grant);
}

/** Verifies the runner's tokens (ES256, demo issuer and audience). */
export async function benchIdentity(target: TargetEnv): Promise<Identity> {
  return createIdentity({ key: (await importJWK(target.publicJwk, 'ES256')) as CryptoKey });
}

/**
 * Stops on SIGTERM or SIGINT through process.exit (so `node --cpu-prof` writes its profile), running the
 * closers registered so far, last registered first, each even if an earlier one failed. Install it first
 * thing: a signal may come while the target is still starting.
 */
export function exitOnSignal(): { onClose(close: () => Promise<void>): void } {
  const closers: (() => Promise<void>)[] = [];
  let stopping = false;
  // `on`, not `once`: a second signal while closing must not kill the process before the closers ran.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // Awaited promises do not keep Node alive: once the server has closed its sockets the loop could run
    // dry and exit before the store is closed.
    setInterval(() => {}, 1000);
    for (const close of closers.reverse()) await close().catch((error: unknown) => console.error('bench target: close failed:', error));
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return { onClose: (close) => void closers.push(close) };
}
