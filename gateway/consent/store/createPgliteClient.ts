import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
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
  const db = await PGlite.create(location, await bootOptions(inMemory));
  // One connection, so a session setting holds for every later statement. The schema itself is
  // created by the migration runner; PostgreSQL accepts a search_path naming a missing schema.
  await db.exec(`SET search_path TO ${schema}`).catch(async (error: unknown) => {
    await db.close().catch(() => {});
    throw error;
  });
  const prepared = new Set<string>();
  return {
    query: (sql, params) => runQuery(db, sql, params),
    async writeJson(name, sql, json) {
      if (!prepared.has(name)) {
        // $1's type as the statement casts it (json or jsonb).
        await db.exec(`PREPARE ${name} AS ${sql}`);
        prepared.add(name);
      }
      await db.exec(`EXECUTE ${name}(${dollarQuoted(json)})`);
    },
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

/**
 * `text` as a dollar-quoted SQL literal, whose body PostgreSQL takes verbatim (no escapes at all), under a
 * tag the text does not contain: nothing in it can end the literal.
 */
function dollarQuoted(text: string): string {
  let tag = 'cg';
  while (text.includes(`$${tag}$`)) tag += randomBytes(4).toString('hex');
  return `$${tag}$${text}$${tag}$`;
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

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;
// Node has WebAssembly, but this project's TypeScript lib (ES2023, no DOM) does not declare it.
const { WebAssembly: wasm } = globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } };

let engine: Promise<{ pgliteWasmModule: WasmModule; fsBundle: Blob; startParams: string[] }> | undefined;

// 16 MB of shared buffers instead of PostgreSQL's 128 MB: an embedded store's working set is the grants
// and the newest audit pages, and the buffers live in the gateway's own memory. Measured on a reopened
// data directory: 211 MiB RSS at open instead of 329, 277 instead of 415 after 162k audit rows, and it
// opens in 0.8 s instead of 1.3. Passed at every start (not written to postgresql.conf).
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
let template: Promise<Blob> | undefined;

/** Forgets a failed start-up step, so the next call tries again instead of reusing the failure. */
function retryable<T>(promise: Promise<T>, reset: () => void): Promise<T> {
  return promise.catch((error: unknown) => {
    reset();
    throw error;
  });
}

/**
 * Starting PGlite compiles its WebAssembly and runs initdb: seconds each time. Both are done once per
 * process and reused (the compiled module and file-system bundle; for in-memory databases also an
 * initialised empty cluster), which makes every later in-memory database start several times faster.
 */
async function bootOptions(inMemory: boolean): Promise<PGliteOptions> {
  engine ??= retryable(
    (async () => {
      const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
      return {
        pgliteWasmModule: await wasm.compile(await readFile(join(dist, 'pglite.wasm'))),
        fsBundle: new Blob([await readFile(join(dist, 'pglite.data'))]),
        startParams: START_PARAMS,
      };
    })(),
    () => (engine = undefined),
  );
  const options = await engine;
  if (!inMemory) return options;
  template ??= retryable(
    (async () => {
      const fresh = await PGlite.create('memory://', options);
      const dump = (await fresh.dumpDataDir('none')) as Blob;
      await fresh.close();
      return dump;
    })(),
    () => (template = undefined),
  );
  return { ...options, loadDataDir: await template };
}
