import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import type { ConsentStore } from '../../gateway/consent/types';
import { describeEachBackend, expectStoreError, OPEN_TIMEOUT, openMigratedClient } from './backends';

describeEachBackend('Store grants reads: those of one event-loop turn go as one statement, each user gets their own', (backend) => {
  let client: SqlClient;
  let store: ConsentStore;
  const reads: string[] = [];
  beforeAll(async () => {
    ({ client } = await openMigratedClient(backend));
    // The real client, with the statements it is sent written down.
    const counted: SqlClient = { ...client, query: (sql, params) => (reads.push(sql), client.query(sql, params)) };
    store = createSqlConsentStore(counted, () => new Date());
    await store.grant({ id: 'b-1', userId: 'batch-a', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['n-1'] });
    await store.grant({ id: 'b-2', userId: 'batch-a', bank: 'contoso', scopes: ['balances:read'], accounts: ['c-1'] });
    await store.grant({ id: 'b-3', userId: 'batch-b', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['n-2'] });
  }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('answers reads made together with one statement, each with its own user\'s grants as its own objects', async () => {
    reads.length = 0;
    const [a, b, nobody, aAgain] = await Promise.all(['batch-a', 'batch-b', 'batch-nobody', 'batch-a'].map((u) => store.grantsForUser(u)));
    expect(reads.filter((sql) => /FROM .*grants/s.test(sql))).toHaveLength(1);
    expect(a!.map((g) => g.id).sort()).toEqual(['b-1', 'b-2']);
    expect(b!.map((g) => g.id)).toEqual(['b-3']);
    expect(nobody).toEqual([]);
    expect(aAgain).toEqual(a);
    expect(aAgain![0]).not.toBe(a![0]);
  });

  it('sees a revocation committed before the read', async () => {
    await store.revoke('b-3', 'customer', 'no longer wanted');
    const [b] = await Promise.all([store.grantsForUser('batch-b'), store.grantsForUser('batch-a')]);
    expect(b!.map((g) => [g.id, g.status])).toEqual([['b-3', 'revoked']]);
  });

  it('fails every read of a statement that fails', async () => {
    const unmigrated = createSqlConsentStore(await backend.openClient(backend.newSchema()), () => new Date());
    try {
      const message = 'consent store could not list grants (database error 42P01)';
      await Promise.all([
        expectStoreError(unmigrated.grantsForUser('batch-a'), 'STORE_FAILURE', message),
        expectStoreError(unmigrated.grantsForUser('batch-b'), 'STORE_FAILURE', message),
      ]);
    } finally {
      await unmigrated.close();
    }
  });
});
