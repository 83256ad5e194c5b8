import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import { loadMigrations, runMigrations } from '../../gateway/consent/store/runMigrations';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import { BACKENDS, describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const MIGRATIONS = ['001_grants.sql', '002_consent_audit.sql', '003_grants_notify.sql', '004_consent_audit_fields.sql', '005_consent_audit_journal.sql', '006_consent_audit_requests.sql', '007_consent_audit_request_lookup_indexes.sql'];

const GRANT = { userId: 'u1', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['a1'] };

describeEachBackend('Store migrations: applied once, in order, by one runner at a time', (backend) => {
  let client: SqlClient;
  const schema = backend.newSchema();
  beforeAll(async () => { client = await backend.openClient(schema); }, OPEN_TIMEOUT);
  afterAll(() => client?.close());

  it('finds the numbered SQL files in gateway/consent/migrations', async () => {
    expect((await loadMigrations()).map((m) => m.name)).toEqual(MIGRATIONS);
  });

  it('applies each migration once when two runners start together, then none on a rerun', async () => {
    const migrations = await loadMigrations();
    const runs = await Promise.all([
      runMigrations(client, schema, migrations),
      runMigrations(client, schema, migrations),
    ]);
    expect(runs.flat()).toEqual(MIGRATIONS);
    expect(await runMigrations(client, schema, migrations)).toEqual([]);
    const recorded = await client.query('SELECT name FROM consentgate_migrations ORDER BY name');
    expect(recorded).toEqual(MIGRATIONS.map((name) => ({ name })));
  });

  it('refuses a migration whose file changed after it was applied', async () => {
    const [first] = await loadMigrations();
    const edited = { name: first!.name, sql: `${first!.sql}\n-- edited` };
    await expectStoreError(runMigrations(client, schema, [edited]), 'STORE_FAILURE',
      `migration '001_grants.sql' was changed after it was applied to schema '${schema}'; ` +
        'applied migrations are never edited, add a new NNN_name.sql file instead');
  });
});

describe.skipIf(!BACKENDS[1]!.available)('Store migrations: concurrent gateway start-up [postgres]', () => {
  it('lets two stores created at once on one fresh schema both start and share the grants', async () => {
    const postgres = BACKENDS[1]!;
    const schema = postgres.newSchema();
    const [a, b] = await Promise.all([postgres.open({ schema }), postgres.open({ schema })]);
    try {
      await a.grant({ ...GRANT, id: 'shared' });
      expect((await b.list({ userId: 'u1' })).map((g) => g.id)).toEqual(['shared']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('Store migrations: a PGlite data directory survives a restart', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'consentgate-store-')); });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps grants across close and reopen without reapplying migrations', async () => {
    const first = await createConsentStore({ dataDir: dir });
    await first.grant({ ...GRANT, id: 'kept' });
    await first.close();
    // Reapplying 001_grants.sql would fail (the table exists), so opening at all shows it was skipped.
    const second = await createConsentStore({ dataDir: dir });
    try {
      expect((await second.list()).map((g) => g.id)).toEqual(['kept']);
    } finally {
      await second.close();
    }
  }, OPEN_TIMEOUT);
});

describe('Store options: bad configuration fails at start-up', () => {
  it('rejects a schema that is not a plain lowercase identifier', async () => {
    await expectStoreError(createConsentStore({ dataDir: 'memory://', schema: 'Bad-Name' }), 'INVALID_INPUT',
      "schema must be a lowercase SQL identifier (letters, digits and _, at most 63 characters); received 'Bad-Name'");
  });

  it('rejects databaseUrl and dataDir together', async () => {
    await expectStoreError(
      createConsentStore({ databaseUrl: 'postgres://u:secret@db.example/x', dataDir: 'memory://' }),
      'INVALID_INPUT',
      "set databaseUrl (PostgreSQL) or dataDir (embedded PGlite), not both; received dataDir 'memory://' " +
        'together with a databaseUrl');
  });

  it('reports an unreachable PostgreSQL without the URL or its password', async () => {
    const error = await expectStoreError(
      createConsentStore({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/x' }), 'STORE_FAILURE',
      "consent store could not open its database (PostgreSQL, schema 'public') and apply migrations " +
        '(database error ECONNREFUSED)');
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBeInstanceOf(Error);
  });
});
