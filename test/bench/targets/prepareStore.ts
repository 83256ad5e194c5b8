/**
 * Creates a target's embedded store before the target starts: PGlite's initdb, the migrations and the
 * bench grants, in this short-lived process, so the target opens an existing data directory as a
 * restarted deployment does (initdb alone peaks at ~760 MiB of RSS, once in a store's life).
 * Usage (openBenchStore does this): BENCH_* env (targetEnv.ts), node --import tsx prepareStore.ts <dataDir>
 */
import { createConsentStore } from '../../../gateway/consent/store/createConsentStore';
import { readTargetEnv, seedBenchStore } from './targetEnv';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('prepareStore: pass the data directory to create');
const store = await createConsentStore({ dataDir });
try {
  await seedBenchStore(store, readTargetEnv());
} finally {
  await store.close();
}
