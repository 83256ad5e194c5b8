import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsentStore, GrantInput, GrantStatus } from '../../gateway/consent/types';
import { createClock, describeEachBackend, OPEN_TIMEOUT } from './backends';

const clock = createClock('2026-01-01T00:00:00.000Z');
const base = (id: string, change: Partial<GrantInput> = {}): GrantInput => ({
  id, userId: `status-${id}`, bank: 'northwind', scopes: ['balances:read'], accounts: ['nw-1'], ...change,
});

describeEachBackend('Store status: derived at read time from the clock', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => { store = await backend.open({ now: clock.now }); }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  const statusOf = async (id: string): Promise<GrantStatus> => {
    const [grant] = await store.grantsForUser(`status-${id}`);
    return grant!.status;
  };

  it('is active until expiresAt, and expired from that instant on', async () => {
    clock.set('2026-01-01T00:00:00.000Z');
    await store.grant(base('timed', { expiresAt: new Date('2026-02-01T00:00:00.000Z') }));
    clock.set('2026-01-31T23:59:59.999Z');
    expect(await statusOf('timed')).toBe('active');
    clock.set('2026-02-01T00:00:00.000Z');
    expect(await statusOf('timed')).toBe('expired');
  });

  it('is revoked once revoked, whatever the expiry', async () => {
    clock.set('2026-01-01T00:00:00.000Z');
    await store.grant(base('revoked'));
    await store.revoke('revoked', 'customer', 'changed my mind');
    expect(await statusOf('revoked')).toBe('revoked');
    clock.set('2028-01-01T00:00:00.000Z');
    expect(await statusOf('revoked')).toBe('revoked');
  });

  it('is expired once a one-time grant has been used', async () => {
    clock.set('2026-01-01T00:00:00.000Z');
    await store.grant(base('once', { oneTime: true }));
    expect(await statusOf('once')).toBe('active');
    expect(await store.markUsed('once')).toBe(true);
    const [grant] = await store.grantsForUser('status-once');
    expect(grant).toMatchObject({ status: 'expired', usedAt: new Date('2026-01-01T00:00:00.000Z') });
  });

  it('reads a grant made in the past as expired when its year is over', async () => {
    clock.set('2026-06-01T00:00:00.000Z');
    const grant = await store.grant(base('old', { grantedAt: new Date('2025-05-01T00:00:00.000Z') }));
    expect(grant.status).toBe('expired');
  });

  it('lists one user\'s grants newest first, every status', async () => {
    const user = { userId: 'status-many' };
    clock.set('2026-01-01T00:00:00.000Z');
    await store.grant(base('many-1', user));
    clock.set('2026-01-02T00:00:00.000Z');
    await store.grant(base('many-2', { ...user, expiresAt: new Date('2026-01-03T00:00:00.000Z') }));
    clock.set('2026-01-03T00:00:00.000Z');
    await store.grant(base('many-3', user));
    await store.revoke('many-3', 'bank', 'account closed');
    const grants = await store.grantsForUser('status-many');
    expect(grants.map((g) => [g.id, g.status])).toEqual([
      ['many-3', 'revoked'], ['many-2', 'expired'], ['many-1', 'active'],
    ]);
  });
});
