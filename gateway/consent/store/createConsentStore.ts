import { createSqlAuditSegmentSink } from '../../audit/createSqlAuditTrail';
import { journalAuditTrail, type AuditJournalOptions } from '../../audit/journalAuditTrail';
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
  /**
   * Default: on for embedded PGlite in a folder (in '<dataDir>-audit-journal'), off otherwise (in-memory
   * PGlite, PostgreSQL). Audit records are appended to a local journal before each response and loaded
   * into the database every 50 ms (journalAuditTrail.ts): on PGlite every statement runs in the gateway's
   * own process, and one per interval costs far less than one per request. With PostgreSQL each instance
   * writes straight to the shared database, so a lost instance loses no record; there it cannot be set.
   */
  auditJournal?: boolean | Partial<AuditJournalOptions>;
}

/** The options after defaults. */
export interface ResolvedConsentStoreOptions {
  backend: { kind: 'postgres'; databaseUrl: string } | { kind: 'pglite'; dataDir: string };
  schema: string;
  now: () => Date;
  grantCache: GrantCacheOptions | false;
  auditJournal: AuditJournalOptions | false;
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
  const sql = createSqlConsentStore(client, resolved.now);
  const store = resolved.auditJournal ? await withAuditJournal(sql, client, resolved.auditJournal) : sql;
  return resolved.grantCache ? cacheGrants(store, client, schema, resolved.now, resolved.grantCache) : store;
}

/** `store` with its audit trail behind the journal, which is loaded before the database closes. */
async function withAuditJournal(store: ConsentStore, client: SqlClient, options: AuditJournalOptions): Promise<ConsentStore> {
  const journal = await journalAuditTrail(store.audit, createSqlAuditSegmentSink(client), options).catch(async (error: unknown) => {
    await store.close().catch(() => {});
    throw error;
  });
  return { ...store, audit: journal, close: async () => {
    await journal.close();
    await store.close();
  } };
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
    if (options.auditJournal) {
      throw new ConsentStoreError('INVALID_INPUT',
        'the audit journal is for embedded PGlite; with a databaseUrl every record goes straight to PostgreSQL');
    }
    return { backend: { kind: 'postgres', databaseUrl }, schema, now, grantCache, auditJournal: false };
  }
  const folder = dataDir ?? DEFAULT_DATA_DIR;
  const inFolder = !folder.startsWith('memory://');
  const journal = options.auditJournal ?? inFolder;
  if (journal && !inFolder && (journal === true || journal.dir === undefined)) {
    throw new ConsentStoreError('INVALID_INPUT',
      `an in-memory PGlite has no folder beside which to keep the audit journal: give auditJournal.dir; received dataDir '${folder}'`);
  }
  const given = journal === true ? {} : journal;
  const auditJournal = given ? { ...given, dir: given.dir ?? `${folder}-audit-journal` } : false;
  return { backend: { kind: 'pglite', dataDir: folder }, schema, now, grantCache, auditJournal };
}
