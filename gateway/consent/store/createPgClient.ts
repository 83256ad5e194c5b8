import pg from 'pg';
import type { SqlClient, SqlQueryable } from './SqlClient';

/** Enough for one gateway instance; PostgreSQL's own default limit is 100 connections. */
const POOL_MAX = 10;
/** How long to wait for a connection (new, or free in the pool) before the query fails. */
const CONNECT_TIMEOUT_MS = 10_000;
/** Distinct statement texts prepared by name per connection (asQueryable.query). */
const MAX_NAMED = 200;

/**
 * Connects to PostgreSQL through a pg Pool (at most 10 connections, 10 s to get one) with `schema`
 * first on every connection's search_path. No connection is opened until the first query.
 */
export function createPgClient(databaseUrl: string, schema: string): SqlClient {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: POOL_MAX,
    // pg waits for a connection forever by default; a consent decision must fail (and strip) instead.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Set at connection start-up, so every pooled connection resolves unqualified names in `schema`.
    options: `-c search_path=${schema}`,
  });
  // An idle connection that breaks (server restart) emits 'error' on the pool; unhandled it would
  // crash the process. The pool drops that connection and the next query reports the failure.
  pool.on('error', () => {});

  // A statement with parameters runs as a named prepared statement, parsed and planned once per
  // connection instead of on every call. The store's texts are fixed or a few filter combinations; past
  // MAX_NAMED distinct texts the rest run unnamed. Measured on the grants read every request makes with
  // PostgreSQL (test/bench/preparedGrantsRead.ts): PostgreSQL's CPU per read 0.45-0.5x, the gateway's
  // unchanged.
  const names = new Map<string, string>();
  const nameFor = (sql: string): string | undefined => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED) names.set(sql, (name = `consentgate_q${names.size + 1}`));
    return name;
  };

  const asQueryable = (db: pg.Pool | pg.PoolClient): SqlQueryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      // pg's defaults already give what the store expects: timestamptz -> Date, text[] -> string[].
      const result = await db.query({ name: params.length > 0 ? nameFor(sql) : undefined, text: sql, values: [...params] });
      return result.rows as Row[];
    },
    async exec(sql: string) {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await db.query(sql);
    },
  });

  return {
    ...asQueryable(pool),
    async writeJson(name, sql, json) {
      // A named statement: pg prepares it once on each pooled connection.
      await pool.query({ name, text: sql, values: [json] });
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(asQueryable(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        // If ROLLBACK itself fails the connection is in an unknown state: destroy it, don't reuse it.
        const broken = await client.query('ROLLBACK').then(
          () => undefined,
          (rollbackError: unknown) => rollbackError,
        );
        client.release(broken instanceof Error ? broken : undefined);
        throw error;
      }
    },
    async listen(channel, onNotify, onLost) {
      // Not from the pool: a LISTEN belongs to one session, which must stay open and idle.
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      let lost = false;
      const lose = (error: unknown) => {
        if (lost) return;
        lost = true;
        onLost(error);
      };
      client.on('error', lose);
      client.on('end', () => lose(new Error('LISTEN connection ended')));
      client.on('notification', (message) => {
        if (message.channel === channel) onNotify(message.payload ?? '');
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        lost = true;
        await client.end().catch(() => {});
        throw error;
      }
      return async () => {
        lost = true;
        await client.end().catch(() => {});
      };
    },
    close: () => pool.end(),
  };
}
