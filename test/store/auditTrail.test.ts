import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditRecord, AuditTrail } from '../../gateway/audit/types';
import { addDays, addMonths } from '../../gateway/consent/store/calendar';
import { createSqlConsentStore } from '../../gateway/consent/store/createSqlConsentStore';
import type { SqlClient } from '../../gateway/consent/store/SqlClient';
import type { ConsentStore } from '../../gateway/consent/types';
import { describeEachBackend, expectStoreError, OPEN_TIMEOUT, openMigratedClient } from './backends';

const record = (at: Date, change: Partial<AuditRecord> = {}): AuditRecord => ({
  at, requestId: 'req-1', userId: 'au-user', bank: 'northwind', grantId: 'g-1', operationName: 'Accounts',
  operationHash: 'a'.repeat(64), coordinates: ['NorthwindAccount.balance'], pathsCounts: [1], outcome: 'served', reason: null,
  ...change,
});

describeEachBackend('Store audit trail: append-only, queried by user, bank, grant and time, pruned after 3 years', (backend) => {
  let client: SqlClient;
  let store: ConsentStore;
  let audit: AuditTrail;
  // The store and the raw client share one database, so the tests can try SQL the store never sends.
  beforeAll(async () => {
    ({ client } = await openMigratedClient(backend));
    store = createSqlConsentStore(client, () => new Date());
    audit = store.audit;
  }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('writes many records in one call and reads them back, newest first', async () => {
    const now = new Date();
    await audit.write([
      record(addDays(now, -2), { requestId: 'w-1', userId: 'w-user' }),
      record(addDays(now, -1), { requestId: 'w-2', userId: 'w-user', outcome: 'stripped', reason: 'REVOKED', coordinates: ['NorthwindAccount.balance', 'Transaction.amount'], pathsCounts: [1, 3] }),
    ]);
    const entries = await audit.query({ userId: 'w-user' });
    expect(entries.map((e) => [e.requestId, e.outcome, e.reason, e.coordinates, e.pathsCounts])).toEqual([
      ['w-2', 'stripped', 'REVOKED', ['NorthwindAccount.balance', 'Transaction.amount'], [1, 3]],
      ['w-1', 'served', null, ['NorthwindAccount.balance'], [1]],
    ]);
    expect(entries[0]).toMatchObject({ bank: 'northwind', grantId: 'g-1', operationName: 'Accounts', id: expect.any(String) });
  });

  it('stores text verbatim whatever quotes it holds, the millisecond of its time included', async () => {
    const at = new Date('2026-04-01T08:30:15.123Z');
    const userId = `q-user $cg$ ' ; DROP TABLE consent_audit; -- \\ "\u00e9`;
    await audit.write([record(at, { userId, requestId: '$cg$$$' }), record(at, { userId, requestId: "it's" })]);
    const entries = await audit.query({ userId });
    expect(entries.map((e) => e.requestId).sort()).toEqual(['$cg$$$', "it's"]);
    expect(entries.every((e) => e.userId === userId && e.at.getTime() === at.getTime())).toBe(true);
  });

  it('reads a row written before migration 004 (one coordinate) as a list of one, and refuses a row of both shapes', async () => {
    const legacy = `INSERT INTO consent_audit (at, request_id, user_id, bank, operation_hash, coordinate, paths_count, outcome, reason)
      VALUES (now(), 'legacy-1', 'legacy-user', 'northwind', 'h', 'NorthwindAccount.balance', 4, 'stripped', 'MISSING')`;
    await client.query(legacy);
    const [entry] = await audit.query({ userId: 'legacy-user' });
    expect(entry).toMatchObject({ coordinates: ['NorthwindAccount.balance'], pathsCounts: [4], outcome: 'stripped', reason: 'MISSING' });
    await expect(client.query(legacy.replace('coordinate, paths_count,', 'coordinate, paths_count, fields, fields_paths,')
      .replace("4, 'stripped'", "4, ARRAY['X.y'], ARRAY[1], 'stripped'"))).rejects.toThrow(/consent_audit_one_shape/);
    await expect(audit.write([record(new Date(), { userId: 'legacy-user', coordinates: ['A.b'], pathsCounts: [] })])).rejects.toThrow();
  });

  it('filters by bank, grant and a half-open time range', async () => {
    const at = new Date('2026-03-10T12:00:00.000Z');
    await audit.write([
      record(at, { userId: 'f-user', bank: 'contoso', grantId: 'g-c' }),
      record(addDays(at, 1), { userId: 'f-user', bank: 'northwind', grantId: 'g-n' }),
      record(addDays(at, 2), { userId: 'f-user', bank: 'northwind', grantId: 'g-n' }),
    ]);
    expect(await audit.query({ userId: 'f-user', bank: 'contoso' })).toHaveLength(1);
    expect(await audit.query({ grantId: 'g-n' })).toHaveLength(2);
    const ranged = await audit.query({ userId: 'f-user', since: addDays(at, 1), until: addDays(at, 2) });
    expect(ranged.map((e) => e.at)).toEqual([addDays(at, 1)]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, whoever sends them', async () => {
    await audit.write([record(new Date(), { userId: 'ro-user' })]);
    await expect(client.query(`UPDATE consent_audit SET outcome = 'stripped', reason = 'MISSING' WHERE user_id = 'ro-user'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(client.query(`DELETE FROM consent_audit WHERE user_id = 'ro-user'`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(client.exec('TRUNCATE consent_audit')).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect(await audit.query({ userId: 'ro-user' })).toHaveLength(1);
  });

  it('refuses a DELETE of a record younger than three years even with the prune flag set', async () => {
    await audit.write([record(addMonths(new Date(), -35), { userId: 'young-user' })]);
    const attempt = client.transaction(async (tx) => {
      await tx.query(`SELECT set_config('consentgate.audit_prune', 'on', true)`);
      await tx.query(`DELETE FROM consent_audit WHERE user_id = 'young-user'`);
    });
    await expect(attempt).rejects.toThrow(/append-only: DELETE refused/);
    expect(await audit.query({ userId: 'young-user' })).toHaveLength(1);
  });

  it('prunes only records older than three years', async () => {
    const now = new Date();
    const threeYearsAgo = addMonths(now, -36);
    await audit.write([
      record(addDays(threeYearsAgo, -1), { userId: 'p-user', requestId: 'old' }),
      record(addMonths(now, -48), { userId: 'p-user', requestId: 'older' }),
      record(addDays(threeYearsAgo, 1), { userId: 'p-user', requestId: 'just-young-enough' }),
      record(now, { userId: 'p-user', requestId: 'today' }),
    ]);
    expect(await audit.prune()).toBe(2);
    expect((await audit.query({ userId: 'p-user' })).map((e) => e.requestId)).toEqual(['today', 'just-young-enough']);
    expect(await audit.prune()).toBe(0);
  });

  it('never prunes younger records even when the store clock runs years ahead', async () => {
    const fast = createSqlConsentStore(client, () => addMonths(new Date(), 120));
    await audit.write([record(addMonths(new Date(), -12), { userId: 'clock-user' })]);
    await expect(fast.audit.prune()).rejects.toThrow(/could not prune the audit trail/);
    expect(await audit.query({ userId: 'clock-user' })).toHaveLength(1);
  });

  it('refuses a record that breaks the table rules', async () => {
    await expectStoreError(audit.write([record(new Date(), { outcome: 'served', reason: 'MISSING' })]), 'STORE_FAILURE',
      'consent store could not write 1 audit record(s) (database error 23514)');
  });
});
