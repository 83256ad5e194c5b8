import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient } from './SqlClient';

/**
 * Opens embedded PostgreSQL (PGlite) in `dataDir` ('memory://' for a throwaway in-memory database;
 * otherwise a directory, created if missing) with `schema` first on the search_path.
 * PGlite is one connection: queries and transactions are serialised by PGlite itself. It is also
 * single-process: two processes must not open the same directory (use PostgreSQL for that).
 */
export async function createPgliteClient(dataDir: string, schema: string): Promise<SqlClient> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) await mkdir(location, { recursive: true });
  const db = await PGlite.create(location);
  // One connection, so a session setting holds for every later statement. The schema itself is
  // created by the migration runner; PostgreSQL accepts a search_path naming a missing schema.
  await db.exec(`SET search_path TO ${schema}`).catch(async (error: unknown) => {
    await db.close().catch(() => {});
    throw error;
  });
  return {
    query: (sql, params) => runQuery(db, sql, params),
    exec: (sql) => runExec(db, sql),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: (sql, params) => runQuery(tx, sql, params), exec: (sql) => runExec(tx, sql) }),
      ),
    // In-process: notifications cannot be lost while the database is open.
    listen: async (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  };
}

type PgliteQueryable = PGlite | Transaction;

async function runQuery<Row>(
  db: PgliteQueryable,
  sql: string,
  params: readonly unknown[] = [],
): Promise<Row[]> {
  const result = await db.query<Row>(sql, [...params]);
  return result.rows;
}

async function runExec(db: PgliteQueryable, sql: string): Promise<void> {
  await db.exec(sql);
}
