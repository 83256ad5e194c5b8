import type { ConsentStore } from '../types';
import { cacheGrants, type GrantCacheOptions } from './cacheGrants';
import { ConsentStoreError, wrapDriverError } from './ConsentStoreError';
import { createPgClient } from './createPgClient';
import { createPgliteClient } from './createPgliteClient';
import { createSqlConsentStore } from './createSqlConsentStore';
import { loadMigrations, runMigrations } from './runMigrations';
import type { SqlClient } from './SqlClient';

export interface ConsentStoreOptions {
  /**
   * Default: unset (embedded PGlite). A postgres:// URL: grants live in that PostgreSQL database,
   * reached through a pg Pool of at most 10 connections. An empty string counts as unset.
   */
  databaseUrl?: string;
  /**
   * Default '.consentgate/pglite' (relative to the working directory). Where embedded PGlite keeps its
   * files; 'memory://' keeps them in memory, gone at close. Only without databaseUrl. One process at
   * a time: several gateway instances share grants through PostgreSQL, not through one PGlite folder.
   */
  dataDir?: string;
  /**
   * Default 'public'. The PostgreSQL schema holding the tables, created if missing (tests use one
   * schema each). A lowercase identifier: letters, digits and _, at most 63 characters.
   */
  schema?: string;
  /** Default () => new Date(). The clock for grantedAt, revocation, use and status; tests inject one. */
  now?: () => Date;
  /**
   * Default: on for embedded PGlite, off for PostgreSQL. true (or options): each user's grants are cached
   * in this instance and dropped when a grant changes: at once for changes made through this store, and
   * on the NOTIFY every grant change commits for changes made elsewhere (cacheGrants.ts). PGlite has one
   * process, so every change goes through this store and the cache is exact; with PostgreSQL another
   * instance's change reaches this one only when its NOTIFY does (measured in the README), so off.
   */
  grantCache?: boolean | GrantCacheOptions;
}

/** The options after defaults. */
export interface ResolvedConsentStoreOptions {
  backend: { kind: 'postgres'; databaseUrl: string } | { kind: 'pglite'; dataDir: string };
  schema: string;
  now: () => Date;
  grantCache: GrantCacheOptions | false;
}

export const DEFAULT_DATA_DIR = '.consentgate/pglite';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the consent store and brings its tables up to date (safe when several gateway instances start
 * together). Throws a ConsentStoreError on bad options (INVALID_INPUT) or when the database cannot be
 * reached or migrated (STORE_FAILURE); the message never holds the URL, SQL or driver text.
 */
export async function createConsentStore(options: ConsentStoreOptions = {}): Promise<ConsentStore> {
  const resolved = resolveConsentStoreOptions(options);
  const { backend, schema } = resolved;
  let client: SqlClient | undefined;
  try {
    client =
      backend.kind === 'postgres'
        ? createPgClient(backend.databaseUrl, schema)
        : await createPgliteClient(backend.dataDir, schema);
    await runMigrations(client, schema, await loadMigrations());
  } catch (error) {
    await client?.close().catch(() => {});
    const where = backend.kind === 'postgres' ? 'PostgreSQL' : `PGlite at '${backend.dataDir}'`;
    throw wrapDriverError(error, `open its database (${where}, schema '${schema}') and apply migrations`);
  }
  const store = createSqlConsentStore(client, resolved.now);
  return resolved.grantCache ? cacheGrants(store, client, schema, resolved.now, resolved.grantCache) : store;
}

/** Applies defaults and checks the options; throws an INVALID_INPUT ConsentStoreError. */
export function resolveConsentStoreOptions(options: ConsentStoreOptions): ResolvedConsentStoreOptions {
  const { databaseUrl, dataDir, schema = 'public', now = () => new Date() } = options;
  const grantCache = options.grantCache === undefined
    ? (databaseUrl ? false : {})
    : options.grantCache === true ? {} : (options.grantCache || false);
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConsentStoreError('INVALID_INPUT',
      `schema must be a lowercase SQL identifier (letters, digits and _, at most 63 characters); ` +
        `received '${schema}'`);
  }
  if (typeof now !== 'function') {
    throw new ConsentStoreError('INVALID_INPUT',
      `now must be a function returning a Date; received ${typeof now}`);
  }
  if (databaseUrl) {
    if (dataDir !== undefined) {
      throw new ConsentStoreError('INVALID_INPUT',
        'set databaseUrl (PostgreSQL) or dataDir (embedded PGlite), not both; ' +
          `received dataDir '${dataDir}' together with a databaseUrl`);
    }
    return { backend: { kind: 'postgres', databaseUrl }, schema, now, grantCache };
  }
  return { backend: { kind: 'pglite', dataDir: dataDir ?? DEFAULT_DATA_DIR }, schema, now, grantCache };
}
