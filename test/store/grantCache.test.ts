import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConsentStoreOptions } from '../../gateway/consent/store/createConsentStore';
import { cacheGrants, type CachedConsentStore } from '../../gateway/consent/store/cacheGrants';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import type { GrantInput } from '../../gateway/consent/types';
import { describeEachBackend, OPEN_TIMEOUT, openMigratedClient } from './backends';

const base = (id: string, userId: string, change: Partial<GrantInput> = {}): GrantInput => ({
  id, userId, bank: 'northwind', scopes: ['accounts:basic'], accounts: ['nw-1'], ...change,
});

/** Polls `check` until true; resolves to the milliseconds it took, or throws after `limitMs`. */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return performance.now() - started;
}

describeEachBackend('Store grant cache: per instance, invalidated by LISTEN/NOTIFY', (backend) => {
  let client: SqlClient;
  let cached: CachedConsentStore;
  let clockOffset = 0;
  const now = () => new Date(Date.now() + clockOffset);
  // The cached store and a plain store on the same database: the plain one plays another instance or the CLI.
  let other: ReturnType<typeof createSqlConsentStore>;

  beforeAll(async () => {
    let schema: string;
    ({ client, schema } = await openMigratedClient(backend));
    other = createSqlConsentStore(client, now);
    cached = await cacheGrants(createSqlConsentStore(client, now), client, schema, now, { reconnectDelayMs: 100 });
  }, OPEN_TIMEOUT);
  afterAll(() => cached?.close());

  it('listens, and serves a user\'s grants from the cache after the first read', async () => {
    await other.grant(base('c-1', 'cache-a'));
    expect(cached.cache.listening).toBe(true);
    // The grant's own NOTIFY may land during the first read, which is then not cached: read until it is.
    await within(2000, async () => {
      await cached.grantsForUser('cache-a');
      return cached.cache.size > 0;
    });
    expect((await cached.grantsForUser('cache-a')).map((g) => g.id)).toEqual(['c-1']);
  });

  it('drops the entry when another writer revokes, before long', async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      await other.grant(base(`c-2-${i}`, `cache-b-${i}`));
      expect((await cached.grantsForUser(`cache-b-${i}`))[0]!.status).toBe('active');
      await other.revoke(`c-2-${i}`, 'bank', 'test');
      times.push(await within(2000, async () => (await cached.grantsForUser(`cache-b-${i}`))[0]!.status === 'revoked'));
    }
    times.sort((x, y) => x - y);
    // Reported in the README: commit -> the cached store answers revoked (NOTIFY delivery + one re-read).
    console.log(`[${backend.name}] grant cache invalidation after commit: median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
  });

  it('sees a grant added by another writer', async () => {
    await cached.grantsForUser('cache-c');
    await other.grant(base('c-3', 'cache-c'));
    await within(2000, async () => (await cached.grantsForUser('cache-c')).length === 1);
  });

  it('re-derives expiry from the cached dates, with no notification', async () => {
    await other.grant(base('c-4', 'cache-d', { expiresAt: new Date(Date.now() + 60_000) }));
    expect((await cached.grantsForUser('cache-d'))[0]!.status).toBe('active');
    clockOffset = 120_000;
    try {
      expect((await cached.grantsForUser('cache-d'))[0]!.status).toBe('expired');
    } finally {
      clockOffset = 0;
    }
  });

  it.skipIf(backend.name !== 'postgres')('stops serving from the cache when LISTEN is lost, and listens again', async () => {
    await other.grant(base('c-5', 'cache-e'));
    await cached.grantsForUser('cache-e');
    await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN consentgate_grants' AND pid <> pg_backend_pid()`);
    await within(2000, async () => !cached.cache.listening);
    expect(cached.cache.size).toBe(0);
    await within(5000, async () => cached.cache.listening);
    await other.revoke('c-5', 'customer', 'test');
    await within(2000, async () => (await cached.grantsForUser('cache-e'))[0]!.status === 'revoked');
  });
});

describe('Store grant cache: the default per backend', () => {
  it('is on for embedded PGlite (one process: every change goes through the cached store) and off for PostgreSQL', () => {
    expect(resolveConsentStoreOptions({}).grantCache).toEqual({});
    expect(resolveConsentStoreOptions({ databaseUrl: 'postgres://db/x' }).grantCache).toBe(false);
    expect(resolveConsentStoreOptions({ grantCache: false }).grantCache).toBe(false);
    expect(resolveConsentStoreOptions({ databaseUrl: 'postgres://db/x', grantCache: true }).grantCache).toEqual({});
  });
});
