import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsentStore, GrantFilter } from '../../gateway/consent/types';
import { createClock, describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const clock = createClock('2026-05-01T00:00:00.000Z');

describeEachBackend('Store list(): filters by user, bank and status', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => {
    store = await backend.open({ now: clock.now });
    const grant = (id: string, userId: string, bank: string, grantedAt: string) =>
      store.grant({ id, userId, bank, scopes: ['accounts:basic'], accounts: ['a'], grantedAt: new Date(grantedAt) });
    await grant('l-ann-nw', 'l-ann', 'northwind', '2026-04-01T00:00:00Z');
    await grant('l-ann-cs', 'l-ann', 'contoso', '2026-04-02T00:00:00Z');
    await grant('l-ann-old', 'l-ann', 'northwind', '2025-04-01T00:00:00Z');
    await grant('l-ben-nw', 'l-ben', 'northwind', '2026-04-03T00:00:00Z');
    await store.revoke('l-ben-nw', 'platform', 'test');
  }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  // Each row: filter, the ids it returns (newest first).
  it.each<[GrantFilter, string[]]>([
    [{}, ['l-ben-nw', 'l-ann-cs', 'l-ann-nw', 'l-ann-old']],
    [{ userId: 'l-ann' }, ['l-ann-cs', 'l-ann-nw', 'l-ann-old']],
    [{ bank: 'northwind' }, ['l-ben-nw', 'l-ann-nw', 'l-ann-old']],
    [{ status: 'active' }, ['l-ann-cs', 'l-ann-nw']],
    [{ status: 'expired' }, ['l-ann-old']],
    [{ status: 'revoked' }, ['l-ben-nw']],
    [{ userId: 'l-ann', bank: 'northwind', status: 'active' }, ['l-ann-nw']],
    [{ userId: 'nobody' }, []],
  ])('returns for %o the matching grants', async (filter, ids) => {
    expect((await store.list(filter)).map((g) => g.id)).toEqual(ids);
  });

  it('refuses an unknown status', async () => {
    await expectStoreError(store.list({ status: 'paused' as never }), 'INVALID_INPUT',
      "status must be one of active, expired, revoked; received 'paused'");
  });
});
