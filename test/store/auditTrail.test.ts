import { afterAll, beforeAll, expect, it } from 'vitest';
import { DECISION_LOOKUPS } from '../../gateway/audit/createSqlAuditTrail';
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

  // What a gateway from before migration 006 wrote: one row per decision in consent_audit.
  const legacyRow = (at: string, userId: string, requestId = 'legacy', bank = 'northwind', grantId = 'g-1') => client.query(
    `INSERT INTO consent_audit (at, request_id, user_id, bank, grant_id, operation_hash, fields, fields_paths, outcome)
     VALUES (${at}, $1, $2, $3, $4, 'h', ARRAY['NorthwindAccount.balance'], ARRAY[1], 'served')`, [requestId, userId, bank, grantId]);

  it.each(['consent_audit_request', 'consent_audit'])('refuses UPDATE, DELETE and TRUNCATE on %s, whoever sends them', async (table) => {
    const user = `ro-${table}`;
    await audit.write([record(new Date(), { userId: user })]);
    await legacyRow('now()', user);
    await expect(client.query(`UPDATE ${table} SET user_id = 'someone-else' WHERE user_id = $1`, [user])).rejects.toThrow(`${table} is append-only: UPDATE refused`);
    await expect(client.query(`DELETE FROM ${table} WHERE user_id = $1`, [user])).rejects.toThrow(`${table} is append-only: DELETE refused`);
    await expect(client.exec(`TRUNCATE ${table}`)).rejects.toThrow(`${table} is append-only: TRUNCATE refused`);
    expect(await audit.query({ userId: user })).toHaveLength(2);
  });

  it.each(['consent_audit_request', 'consent_audit'])('refuses a DELETE on %s of a record younger than three years even with the prune flag set', async (table) => {
    const user = `young-${table}`;
    await audit.write([record(addMonths(new Date(), -35), { userId: user })]);
    await legacyRow(`now() - interval '35 months'`, user);
    const attempt = client.transaction(async (tx) => {
      await tx.query(`SELECT set_config('consentgate.audit_prune', 'on', true)`);
      await tx.query(`DELETE FROM ${table} WHERE user_id = $1`, [user]);
    });
    await expect(attempt).rejects.toThrow(`${table} is append-only: DELETE refused`);
    expect(await audit.query({ userId: user })).toHaveLength(2);
  });

  it('reads rows from before migration 006 and after as one trail: newest first, the limit over both, filters on each', async () => {
    const at = new Date('2025-06-01T00:00:00.000Z');
    await legacyRow(`'2025-05-30T00:00:00Z'`, 'both-user', 'old-1', 'contoso', 'g-c');
    await legacyRow(`'2025-06-02T00:00:00Z'`, 'both-user', 'old-2', 'northwind', 'g-n');
    await audit.write([
      record(at, { userId: 'both-user', requestId: 'new-1', bank: 'northwind', grantId: 'g-n' }),
      record(at, { userId: 'both-user', requestId: 'new-1', bank: 'contoso', grantId: null, outcome: 'stripped', reason: 'MISSING' }),
      record(addDays(at, 2), { userId: 'both-user', requestId: 'new-2', bank: 'contoso', grantId: 'g-c' }),
    ]);
    const all = await audit.query({ userId: 'both-user' });
    expect(all.map((e) => [e.requestId, e.bank])).toEqual([
      ['new-2', 'contoso'], ['old-2', 'northwind'], ['new-1', 'contoso'], ['new-1', 'northwind'], ['old-1', 'contoso'],
    ]);
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    expect((await audit.query({ userId: 'both-user', limit: 3 })).map((e) => e.requestId)).toEqual(['new-2', 'old-2', 'new-1']);
    expect((await audit.query({ userId: 'both-user', bank: 'contoso' })).map((e) => e.requestId)).toEqual(['new-2', 'new-1', 'old-1']);
    expect((await audit.query({ grantId: 'g-n', userId: 'both-user' })).map((e) => e.requestId)).toEqual(['old-2', 'new-1']);
    // Bank and grant on the same decision, not on two decisions of one request.
    expect(await audit.query({ userId: 'both-user', bank: 'contoso', grantId: 'g-n' })).toEqual([]);
    expect((await audit.query({ userId: 'both-user', since: at, until: addDays(at, 2) })).map((e) => e.requestId)).toEqual(['old-2', 'new-1', 'new-1']);
  });

  it('looks requests up by bank and by grant through the indexes of migration 007, on the expressions the query names', async () => {
    await audit.write([record(new Date(), { userId: 'idx-user', requestId: 'idx-1', bank: 'fabrikam', grantId: 'g-idx' })]);
    for (const [key, expression, index] of [
      ['bank', DECISION_LOOKUPS.bank, 'consent_audit_request_banks_idx'],
      ['grantId', DECISION_LOOKUPS.grantId, 'consent_audit_request_grants_idx'],
    ] as const) {
      const value = key === 'bank' ? 'fabrikam' : 'g-idx';
      expect((await audit.query({ [key]: value })).map((e) => e.requestId)).toEqual(['idx-1']);
      // A handful of rows would be scanned anyway: sequential scans off, the plan shows whether the index fits.
      const plan = await client.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        return tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id FROM consent_audit_request WHERE ${expression} @> $1::jsonb`, [JSON.stringify([value])]);
      });
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(index);
    }
  });

  it.each([
    ['no bank', { bank: undefined }],
    ['an unknown outcome', { outcome: 'allowed' }],
    ['a stripped decision without its reason', { outcome: 'stripped', reason: null }],
    ['no field', { coordinates: [], pathsCounts: [] }],
    ['fewer paths counts than fields', { coordinates: ['A.b', 'A.c'], pathsCounts: [1] }],
    ['a paths count of zero', { pathsCounts: [0] }],
    ['a fractional paths count', { pathsCounts: [1.5] }],
    ['a field that is not text', { coordinates: [7] }],
  ])('refuses a request row whose decision has %s, whoever sends it', async (_, change) => {
    const decision = { bank: 'northwind', grantId: 'g-1', coordinates: ['A.b'], pathsCounts: [1], outcome: 'served', reason: null, ...change };
    await expect(client.query(`INSERT INTO consent_audit_request (at, request_id, operation_hash, decisions) VALUES (now(), 'bad', 'h', $1::jsonb)`,
      [JSON.stringify([decision])])).rejects.toThrow(/consent_audit_request_decisions_valid/);
  });

  it('refuses a request row without decisions', async () => {
    for (const decisions of ['[]', '{}']) {
      await expect(client.query(`INSERT INTO consent_audit_request (at, request_id, operation_hash, decisions) VALUES (now(), 'bad', 'h', $1::jsonb)`,
        [decisions])).rejects.toThrow(/consent_audit_request_decisions_valid/);
    }
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
    await legacyRow(`now() - interval '37 months'`, 'p-user', 'old-legacy');
    await legacyRow(`now() - interval '35 months'`, 'p-user', 'young-legacy');
    expect(await audit.prune()).toBe(3);
    expect((await audit.query({ userId: 'p-user' })).map((e) => e.requestId)).toEqual(['today', 'young-legacy', 'just-young-enough']);
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
