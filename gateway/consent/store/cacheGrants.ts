import type { ConsentStore, Grant, GrantStatus } from '../types';
import type { SqlClient } from './SqlClient';

/** The channel migration 003 notifies on every grant change, with payload '<schema>:<user id>'. */
export const GRANTS_CHANNEL = 'consentgate_grants';

export interface GrantCacheOptions {
  /** Default 60000 ms. A safety net: an entry is reloaded after this long even without a notification. */
  maxAgeMs?: number;
  /** Default 10000. Users kept; the least recently used are dropped beyond it. */
  maxUsers?: number;
  /** Default 1000 ms. Wait before listening again after the LISTEN connection broke. */
  reconnectDelayMs?: number;
}

/** A store whose grantsForUser is cached, and whether the cache is serving (listening) right now. */
export interface CachedConsentStore extends ConsentStore {
  readonly cache: { readonly listening: boolean; readonly size: number };
}

/**
 * Caches each user's grants per instance, invalidated by PostgreSQL LISTEN/NOTIFY (CONSENT.md: a
 * revocation takes effect on every instance): a grant change commits its NOTIFY in the same transaction,
 * and every instance drops that user's entry when it arrives. The cache is used only while LISTEN is up;
 * when the connection breaks, everything is dropped and every read goes to the store until it listens
 * again. Status is re-derived from the cached dates at read time, so expiry needs no notification.
 */
export async function cacheGrants(
  store: ConsentStore,
  client: SqlClient,
  schema: string,
  now: () => Date,
  options: GrantCacheOptions = {},
): Promise<CachedConsentStore> {
  const maxAge = options.maxAgeMs ?? 60_000;
  const maxUsers = options.maxUsers ?? 10_000;
  const reconnectDelay = options.reconnectDelayMs ?? 1000;
  const entries = new Map<string, { grants: Grant[]; loadedAt: number }>();
  const prefix = `${schema}:`;
  let listening = false;
  let closed = false;
  let epoch = 0; // bumped by every invalidation: a load that overlapped one is not cached
  let stopListening: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;

  const invalidate = (userId?: string) => {
    epoch += 1;
    if (userId === undefined) entries.clear();
    else entries.delete(userId);
  };

  async function listen(): Promise<void> {
    stopListening = await client.listen(
      GRANTS_CHANNEL,
      (payload) => {
        if (payload.startsWith(prefix)) invalidate(payload.slice(prefix.length));
      },
      () => {
        listening = false;
        invalidate();
        if (!closed) scheduleRetry();
      },
    );
    // Anything cached before this point may have missed a notification.
    invalidate();
    listening = true;
  }

  function scheduleRetry() {
    retry = setTimeout(() => {
      listen().catch(() => {
        if (!closed) scheduleRetry();
      });
    }, reconnectDelay);
    retry.unref();
  }

  // Not listening at start is not fatal: reads go to the store until it is.
  await listen().catch(() => scheduleRetry());

  return {
    ...store,
    get cache() {
      return { listening, size: entries.size };
    },
    async grantsForUser(userId) {
      const at = now();
      const entry = listening ? entries.get(userId) : undefined;
      if (entry && Date.now() - entry.loadedAt < maxAge) {
        entries.delete(userId); // re-insert: most recently used last
        entries.set(userId, entry);
        return entry.grants.map((g) => ({ ...g, status: statusAt(g, at) }));
      }
      const started = epoch;
      const grants = await store.grantsForUser(userId);
      if (listening && epoch === started) {
        entries.set(userId, { grants, loadedAt: Date.now() });
        if (entries.size > maxUsers) entries.delete(entries.keys().next().value!);
      }
      return grants;
    },
    async grant(input) {
      const grant = await store.grant(input);
      invalidate(grant.userId);
      return grant;
    },
    async revoke(id, by, reason, owner) {
      const grant = await store.revoke(id, by, reason, owner);
      invalidate(grant.userId);
      return grant;
    },
    async markUsed(id) {
      const used = await store.markUsed(id);
      // The user is not known here; the NOTIFY names them. Until it arrives, drop everything.
      invalidate();
      return used;
    },
    async close() {
      closed = true;
      listening = false;
      clearTimeout(retry);
      await stopListening?.().catch(() => {});
      await store.close();
    },
  };
}

/** The status rule of grantRows.ts (revoked, else expired by date or one-time use, else active), at `at`. */
function statusAt(grant: Grant, at: Date): GrantStatus {
  if (grant.revokedAt !== null) return 'revoked';
  if (grant.expiresAt.getTime() <= at.getTime() || (grant.oneTime && grant.usedAt !== null)) return 'expired';
  return 'active';
}
