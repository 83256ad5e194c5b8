import { createConsentStore } from '../consent/store/createConsentStore';
import type { ConsentStore } from '../consent/types';
import { dataDir } from '../paths';
import { join } from 'node:path';

/** Opens the configured store (DATABASE_URL, else PGlite under the data folder), runs `fn`, closes it. */
export async function withStore<T>(fn: (store: ConsentStore) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The configured consent store: PostgreSQL when DATABASE_URL is set, else embedded PGlite.
 * CONSENTGATE_GRANT_CACHE=1 or 0 turns the per-instance grant cache on or off (cacheGrants.ts); unset: the
 * store's default (on for PGlite, off for PostgreSQL).
 */
export function openStore(): Promise<ConsentStore> {
  const databaseUrl = process.env.DATABASE_URL || undefined;
  const flag = process.env.CONSENTGATE_GRANT_CACHE;
  const grantCache = flag === '1' ? true : flag === '0' ? false : undefined;
  return createConsentStore(databaseUrl ? { databaseUrl, grantCache } : { dataDir: join(dataDir(), 'pglite'), grantCache });
}
