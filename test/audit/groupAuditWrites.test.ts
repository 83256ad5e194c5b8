import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAuditWrites } from '../../gateway/audit/groupAuditWrites';
import type { AuditRecord, AuditTrail } from '../../gateway/audit/types';
import { createConsentStore } from '../../gateway/consent/store/createConsentStore';
import type { ConsentStore } from '../../gateway/consent/types';

let store: ConsentStore;
beforeAll(async () => {
  store = await createConsentStore({ dataDir: 'memory://' });
}, 120_000);
afterAll(async () => store?.close());

const record = (requestId: string): AuditRecord => ({
  at: new Date(), requestId, userId: 'u', bank: 'northwind', grantId: null, operationName: null,
  operationHash: 'h', coordinates: ['NorthwindAccount.balance'], pathsCounts: [1], outcome: 'stripped', reason: 'MISSING',
});

/** The store's trail, with each INSERT it is asked for recorded (its number of rows). */
function recorded(trail: AuditTrail, failing = false) {
  const inserts: number[] = [];
  const inner: AuditTrail = { ...trail, async write(records) {
    inserts.push(records.length);
    if (failing) throw new Error('database unavailable');
    await trail.write(records);
  } };
  return { trail: groupAuditWrites(inner), inserts };
}

describe('Audit: concurrent requests share INSERTs and each still waits for its own records', () => {
  it('writes 20 concurrent requests in far fewer statements, every record committed when its write resolves', async () => {
    const { trail, inserts } = recorded(store.audit);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(ids.map(async (id) => {
      await trail.write([record(id), record(id)]);
      // Durable before the response: the records are in the table as soon as this write resolved.
      expect((await store.audit.query({ userId: 'u' })).filter((e) => e.requestId === id)).toHaveLength(2);
    }));
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(inserts.length).toBeLessThan(20);
  });

  it('fails every write whose records were in a failed INSERT, and only those', async () => {
    const { trail } = recorded(store.audit, true);
    const results = await Promise.allSettled([trail.write([record('a')]), trail.write([record('b')]), trail.write([])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });
});
