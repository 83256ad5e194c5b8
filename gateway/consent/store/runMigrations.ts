import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { ConsentStoreError } from './ConsentStoreError';
import type { SqlClient } from './SqlClient';

// Hand-written on purpose: no well-kept migration library targets both PGlite and PostgreSQL (node-pg-
// migrate, Knex, Drizzle and Prisma each assume one driver or a CLI of their own), and this runner is
// small: plain .sql files applied in name order, once each, recorded in a table.

/** One migration: a file NNN_name.sql in gateway/consent/migrations/. */
export interface Migration {
  name: string;
  sql: string;
}

/** Where the store's migrations live. */
export const MIGRATIONS_DIR = new URL('../migrations/', import.meta.url);

const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;

/** Reads NNN_name.sql files from `dir` in name order; other files are ignored. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  return Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(new URL(name, dir), 'utf8') })),
  );
}

/**
 * Creates `schema` if missing and applies the migrations not applied yet, all in one transaction.
 * Safe to run from several gateway instances at once: a transaction-scoped advisory lock (keyed by the
 * schema) makes later runners wait, then find the work done. Resolves to the names it applied.
 * Throws when an applied migration's file has changed since: migrations are append-only.
 */
export async function runMigrations(
  client: SqlClient,
  schema: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  return client.transaction(async (tx) => {
    // pg_advisory_xact_lock waits for any other runner and is released by COMMIT or ROLLBACK.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`consentgate:migrate:${schema}`]);
    // Checked first rather than CREATE SCHEMA IF NOT EXISTS, which needs the CREATE privilege on the
    // database even when the schema exists (a production role may not have it).
    const existing = await tx.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (existing.length === 0) await tx.exec(`CREATE SCHEMA ${schema}`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS consentgate_migrations (
      name       text PRIMARY KEY,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM consentgate_migrations',
    );
    const applied = new Map(rows.map((row) => [row.name, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = createHash('sha256').update(migration.sql).digest('hex');
      const appliedChecksum = applied.get(migration.name);
      if (appliedChecksum === undefined) {
        await tx.exec(migration.sql);
        await tx.query('INSERT INTO consentgate_migrations (name, checksum) VALUES ($1, $2)', [
          migration.name,
          checksum,
        ]);
        done.push(migration.name);
      } else if (appliedChecksum !== checksum) {
        throw new ConsentStoreError(
          'STORE_FAILURE',
          `migration '${migration.name}' was changed after it was applied to schema '${schema}'; ` +
            `applied migrations are never edited, add a new NNN_name.sql file instead`,
        );
      }
    }
    return done;
  });
}
