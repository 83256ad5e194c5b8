import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsentStore, GrantInput } from '../../gateway/consent/types';
import { createClock, describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const clock = createClock('2026-04-01T09:00:00.000Z');
const base = (id: string, change: Partial<GrantInput> = {}): GrantInput => ({
  id, userId: 'rm-user', bank: 'contoso', scopes: ['accounts:basic'], accounts: ['cs-1'], ...change,
});

describeEachBackend('Store revoke(): ends a grant once and keeps it as a record', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => { store = await backend.open({ now: clock.now }); }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('records when, by whom and why, and keeps the row', async () => {
    await store.grant(base('rv-1'));
    const revoked = await store.revoke('rv-1', 'customer', 'customer withdrew consent');
    expect(revoked).toMatchObject({
      id: 'rv-1', status: 'revoked', revokedAt: new Date('2026-04-01T09:00:00.000Z'),
      revokedBy: 'customer', revokeReason: 'customer withdrew consent',
    });
    expect((await store.list({ userId: 'rm-user' })).map((g) => g.id)).toContain('rv-1');
  });

  it('refuses a second revocation, saying when the first happened', async () => {
    await store.grant(base('rv-2'));
    await store.revoke('rv-2', 'bank', 'fraud suspected');
    await expectStoreError(store.revoke('rv-2', 'customer', 'again'), 'ALREADY_REVOKED',
      "grant 'rv-2' is already revoked (at 2026-04-01T09:00:00.000Z by bank)");
  });

  it('lets exactly one of two concurrent revocations win', async () => {
    await store.grant(base('rv-race'));
    const results = await Promise.allSettled([
      store.revoke('rv-race', 'customer', 'first'),
      store.revoke('rv-race', 'platform', 'second'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses an unknown grant and an unknown initiator', async () => {
    await expectStoreError(store.revoke('nope', 'customer', 'x'), 'NOT_FOUND', "grant 'nope' does not exist");
    await store.grant(base('rv-3'));
    await expectStoreError(store.revoke('rv-3', 'robot' as never, 'x'), 'INVALID_INPUT',
      "a grant is revoked by one of customer, bank, platform; received 'robot'");
  });

  it('stores an empty reason as null', async () => {
    await store.grant(base('rv-4'));
    expect((await store.revoke('rv-4', 'platform', ' ')).revokeReason).toBeNull();
  });
});

describeEachBackend('Store markUsed(): consumes a one-time grant exactly once', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => { store = await backend.open({ now: clock.now }); }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('returns true for exactly one of several concurrent calls', async () => {
    await store.grant(base('mu-race', { oneTime: true }));
    const results = await Promise.all(Array.from({ length: 8 }, () => store.markUsed('mu-race')));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.markUsed('mu-race')).toBe(false);
  });

  it('returns false for a revoked or expired one-time grant', async () => {
    await store.grant(base('mu-revoked', { oneTime: true }));
    await store.revoke('mu-revoked', 'customer', 'no');
    expect(await store.markUsed('mu-revoked')).toBe(false);
    await store.grant(base('mu-expired', { oneTime: true, grantedAt: new Date('2025-01-01T00:00:00.000Z') }));
    expect(await store.markUsed('mu-expired')).toBe(false);
  });

  it('refuses an unknown grant and a grant that is not one-time', async () => {
    await expectStoreError(store.markUsed('nope'), 'NOT_FOUND', "grant 'nope' does not exist");
    await store.grant(base('mu-recurring'));
    await expectStoreError(store.markUsed('mu-recurring'), 'INVALID_INPUT',
      "grant 'mu-recurring' is not one-time; markUsed consumes one-time grants only");
  });
});
