import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect } from 'vitest';
import { ConsentStoreError } from '../../gateway/consent/store/ConsentStoreError';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { createPgClient } from '../../gateway/consent/store/createPgClient';
import { createPgliteClient } from '../../gateway/consent/store/createPgliteClient';
import { loadMigrations, runMigrations } from '../../gateway/consent/store/runMigrations';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import type { ConsentStore } from '../../gateway/consent/types';

/**
 * The consent store's test harness: every store test runs once per backend, always on in-memory PGlite,
 * and also on PostgreSQL when DATABASE_URL is set (each open() there gets a fresh schema, dropped after
 * the file). PGlite takes seconds to start, so a test file opens one store and tests use their own users.
 */
export interface Backend {
  name: 'pglite' | 'postgres';
  available: boolean;
  /** A migrated store on a fresh database (PGlite) or a fresh schema (PostgreSQL, unless given). */
  open(options?: { now?: () => Date; schema?: string }): Promise<ConsentStore>;
  /** A raw, unmigrated client on a fresh database or schema. */
  openClient(schema?: string): Promise<SqlClient>;
  /** A schema name no other test uses. */
  newSchema(): string;
}

const DATABASE_URL = process.env.DATABASE_URL || undefined;
const createdSchemas: string[] = [];

const newSchema = () => {
  const schema = `consentgate_test_${randomBytes(6).toString('hex')}`;
  createdSchemas.push(schema);
  return schema;
};

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    available: true,
    open: (options = {}) => createConsentStore({ dataDir: 'memory://', ...options }),
    openClient: (schema = 'public') => createPgliteClient('memory://', schema),
    newSchema,
  },
  {
    name: 'postgres',
    available: DATABASE_URL !== undefined,
    open: ({ schema = newSchema(), now } = {}) =>
      createConsentStore({ databaseUrl: DATABASE_URL, schema, now }),
    openClient: async (schema = newSchema()) => createPgClient(DATABASE_URL!, schema),
    newSchema,
  },
];

/** A raw client on a fresh database (PGlite) or schema (PostgreSQL) with every migration applied, and that schema. */
export async function openMigratedClient(backend: Backend): Promise<{ client: SqlClient; schema: string }> {
  const schema = backend.newSchema();
  const client = await backend.openClient(schema);
  await runMigrations(client, schema, await loadMigrations());
  return { client, schema };
}

/** Declares `body` once per backend; PostgreSQL shows as skipped without DATABASE_URL. */
export function describeEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe.skipIf(!backend.available)(`${title} [${backend.name}]`, () => body(backend));
  }
}

// Schemas are dropped once per file, after its stores are closed by their own afterAll hooks.
afterAll(async () => {
  if (!DATABASE_URL || createdSchemas.length === 0) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const schema of createdSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

/** A clock tests move by hand: `clock.now` goes into the store's `now` option. */
export function createClock(start: string | Date) {
  let current = new Date(start);
  return {
    now: () => new Date(current.getTime()),
    set: (to: string | Date) => { current = new Date(to); },
  };
}

/** Time allowed for opening a store: PGlite needs a few seconds, more under a parallel test run. */
export const OPEN_TIMEOUT = 60_000;

/** Awaits `promise`, expecting a ConsentStoreError with this code and this exact, SQL-free message. */
export async function expectStoreError(
  promise: Promise<unknown>,
  code: ConsentStoreError['code'],
  message: string | RegExp,
): Promise<ConsentStoreError> {
  const error = await promise.then(
    () => { throw new Error('expected a ConsentStoreError, but the call succeeded'); },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConsentStoreError);
  const storeError = error as ConsentStoreError;
  if (typeof message === 'string') expect(storeError.message).toBe(message);
  else expect(storeError.message).toMatch(message);
  expect(storeError.code).toBe(code);
  expectNoSql(storeError.message);
  return storeError;
}

/** Fails when `text` reads like SQL or a connection string. */
export function expectNoSql(text: string): void {
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE|RETURNING|WHERE|VALUES)\b|\$\d|postgres:\/\//);
}
