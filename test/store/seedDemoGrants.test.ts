import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_USERS, seedDemoGrants } from '../../gateway/consent/store/seedDemoGrants';
import type { ConsentStore } from '../../gateway/consent/types';
import { describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const NOW = new Date('2026-06-15T10:00:00.000Z');
const IDS = ['g-alice-northwind-checking', 'g-alice-northwind-savings', 'g-alice-contoso',
  'g-bob-northwind', 'g-carol-northwind', 'g-carol-fabrikam'];

describeEachBackend('Demo seed: the demo users\' grants, idempotent', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => { store = await backend.open({ now: () => NOW }); }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it('inserts every demo grant once, then skips them all', async () => {
    expect(await seedDemoGrants(store, NOW)).toEqual({ inserted: IDS, existing: [] });
    expect(await seedDemoGrants(store, NOW)).toEqual({ inserted: [], existing: IDS });
    expect(await store.list()).toHaveLength(IDS.length);
  });

  it('gives each demo user the grants the demo banks expect', async () => {
    const summary = async (user: string) => (await store.grantsForUser(user)).map((g) =>
      [g.id, g.bank, g.status, g.scopes.join(' '), g.accounts.join(' '), g.historyMonths]);
    expect(await summary('alice')).toEqual([
      ['g-alice-contoso', 'contoso', 'active', 'accounts:basic balances:read', 'cs-alice-card', null],
      ['g-alice-northwind-checking', 'northwind', 'active', 'accounts:basic balances:read transactions:detail', 'nw-alice-chk', 24],
      ['g-alice-northwind-savings', 'northwind', 'active', 'accounts:basic', 'nw-alice-sav', null],
    ]);
    expect(await summary('bob')).toEqual([
      ['g-bob-northwind', 'northwind', 'expired', 'accounts:basic balances:read transactions:basic', 'nw-bob-chk', null],
    ]);
    expect(await summary('carol')).toEqual([
      ['g-carol-fabrikam', 'fabrikam', 'active', 'accounts:basic balances:read payments:scheduled', 'fb-carol-loan', 12],
      ['g-carol-northwind', 'northwind', 'revoked', 'accounts:basic balances:read transactions:detail', 'nw-carol-chk', null],
    ]);
    expect(await summary('dave')).toEqual([]);
    expect(DEMO_USERS.map((u) => u.id)).toEqual(['alice', 'bob', 'carol', 'dave']);
  });

  it('dates the records relative to now', async () => {
    const [bob] = await store.grantsForUser('bob');
    expect(bob).toMatchObject({
      grantedAt: new Date('2025-05-15T10:00:00.000Z'), expiresAt: new Date('2026-05-15T10:00:00.000Z'),
    });
    const carol = (await store.grantsForUser('carol')).find((g) => g.id === 'g-carol-northwind');
    expect(carol).toMatchObject({
      revokedAt: new Date('2026-06-13T10:00:00.000Z'), revokedBy: 'customer',
      revokeReason: 'customer withdrew consent in the app',
    });
    const [checking] = (await store.grantsForUser('alice')).filter((g) => g.id === 'g-alice-northwind-checking');
    expect(checking).toMatchObject({
      grantedAt: new Date('2026-05-16T10:00:00.000Z'), expiresAt: new Date('2027-05-16T10:00:00.000Z'),
    });
  });

  it('refuses a store that createConsentStore did not make', async () => {
    const { grantsForUser, grant, revoke, markUsed, list, audit, close } = store;
    const wrapper: ConsentStore = { grantsForUser, grant, revoke, markUsed, list, audit, close };
    await expectStoreError(seedDemoGrants(wrapper), 'INVALID_INPUT',
      'seedDemoGrants needs a store made by createConsentStore; received another ConsentStore');
  });
});
