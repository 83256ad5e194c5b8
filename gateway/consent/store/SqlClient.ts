/**
 * The little the consent store needs from a database, so that the same SQL runs on embedded PGlite and on
 * PostgreSQL (via a pg Pool). Both implementations return timestamptz as Date, text[] as string[],
 * int4 as number and boolean as boolean.
 */

/** Something SQL can be sent to: the client itself or an open transaction. */
export interface SqlQueryable {
  /** Runs one statement with $1.. parameters and resolves to its rows (RETURNING rows for writes). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  /**
   * Runs the write `sql`, whose one parameter $1 is the JSON text `json` (cast to json or jsonb in `sql`),
   * as a statement prepared once per connection under `name` (unique per statement text). The hot-path
   * write (the audit trail): PGlite runs it through the simple protocol, where parse, describe and bind
   * per call cost about half its CPU (measured on an 18-row INSERT); pg keeps a named prepared statement.
   */
  writeJson(name: string, sql: string, json: string): Promise<void>;
  /**
   * Runs `fn` inside BEGIN/COMMIT on one connection; rolls back and rethrows when `fn` throws.
   * Statements sent to the outer client meanwhile may run on another connection (pg) or wait (PGlite).
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` (on a dedicated connection for PostgreSQL); resolves once listening, to a
   * function that stops. `onLost` is called once if the connection breaks: notifications may have been
   * missed from then on, and the caller must listen again.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost: (error: unknown) => void): Promise<() => Promise<void>>;
  /** Releases the connection(s) or the embedded database. The client is unusable afterwards. */
  close(): Promise<void>;
}
