import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import { loadMigrations, runMigrations } from '../../gateway/consent/store/runMigrations';
import type { ConsentStore } from '../../gateway/consent/types';
import { describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const now = () => new Date('2026-01-01T00:00:00.000Z');
const GRANT = { id: 'e-1', userId: 'u', bank: 'b', scopes: ['accounts:basic'], accounts: ['a'] };

describeEachBackend('Store errors: driver failures surface without SQL', (backend) => {
  // An unmigrated database: every statement fails in the driver with "relation grants does not exist".
  let client: SqlClient;
  let store: ConsentStore;
  beforeAll(async () => {
    client = await backend.openClient();
    store = createSqlConsentStore(client, now);
  }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it.each<[string, (store: ConsentStore) => Promise<unknown>, string]>([
    ['list', (s) => s.list(), 'consent store could not list grants (database error 42P01)'],
    ['grantsForUser', (s) => s.grantsForUser('u'), 'consent store could not list grants (database error 42P01)'],
    ['grant', (s) => s.grant(GRANT), "consent store could not record grant 'e-1' (database error 42P01)"],
    ['revoke', (s) => s.revoke('e-1', 'customer', 'x'), "consent store could not revoke grant 'e-1' (database error 42P01)"],
    ['markUsed', (s) => s.markUsed('e-1'), "consent store could not mark grant 'e-1' used (database error 42P01)"],
  ])('%s reports what it was doing and keeps the driver error as cause', async (_, call, message) => {
    const error = await expectStoreError(call(store), 'STORE_FAILURE', message);
    expect((error.cause as { code?: string }).code).toBe('42P01');
  });

  // With PostgreSQL a statement is prepared once per connection under a name: one that failed to prepare
  // must be prepared again, not taken as ready.
  it('runs a read that failed before the schema existed once the schema is there', async () => {
    const schema = backend.newSchema();
    const fresh = await backend.openClient(schema);
    const later = createSqlConsentStore(fresh, now);
    try {
      await expectStoreError(later.grantsForUser('u'), 'STORE_FAILURE', 'consent store could not list grants (database error 42P01)');
      await runMigrations(fresh, schema, await loadMigrations());
      await later.grant(GRANT);
      expect((await later.grantsForUser('u')).map((g) => g.id)).toEqual(['e-1']);
      expect((await later.grantsForUser('u')).map((g) => g.id)).toEqual(['e-1']);
    } finally {
      await later.close();
    }
  });
});

describe('Store errors: messages never carry SQL text', () => {
  it('wraps a driver error whose message quotes SQL', async () => {
    const driverError = Object.assign(new Error('syntax error at or near "SELECT" in SELECT * FROM grants'), {
      code: '42601', query: 'SELECT * FROM grants',
    });
    const failing: SqlClient = {
      query: () => Promise.reject(driverError),
      exec: () => Promise.reject(driverError),
      writeJson: () => Promise.reject(driverError),
      transaction: () => Promise.reject(driverError),
      listen: () => Promise.reject(driverError),
      close: () => Promise.resolve(),
    };
    const error = await expectStoreError(createSqlConsentStore(failing, now).list({ userId: 'u' }),
      'STORE_FAILURE', 'consent store could not list grants (database error 42601)');
    expect(error.cause).toBe(driverError);
  });

  it('refuses calls after close, and closing twice is harmless', async () => {
    let closes = 0;
    const client: SqlClient = {
      query: () => Promise.resolve([]), exec: () => Promise.resolve(), writeJson: () => Promise.resolve(),
      transaction: (fn) => fn(client), listen: async () => async () => {}, close: async () => { closes += 1; },
    };
    const store = createSqlConsentStore(client, now);
    await Promise.all([store.close(), store.close()]);
    expect(closes).toBe(1);
    await expectStoreError(store.list(), 'STORE_FAILURE', 'consent store is closed');
  });
});
