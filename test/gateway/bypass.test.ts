import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type GraphQLResponse, type TestGateway } from '../harness/gatewayHarness';

let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t?.stop());

/** Every value found anywhere under `data` at a key named `key`. */
function valuesAt(data: unknown, key: string): unknown[] {
  if (Array.isArray(data)) return data.flatMap((d) => valuesAt(d, key));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesAt(v, key)]);
}

/** alice's savings (nw-alice-sav) has no balance grant: whatever the query shape, no amount may leak from it. */
async function savingsBalanceLeaks(query: string): Promise<GraphQLResponse> {
  const r = await t.run('alice', query);
  const accounts = ((r.data?.me as any)?.accounts ?? []) as Record<string, unknown>[];
  const savings = accounts.filter((a) => Object.values(a).includes('nw-alice-sav') || a.id === 'nw-alice-sav');
  for (const account of savings) {
    for (const [key, value] of Object.entries(account)) {
      if (key !== 'id' && key !== 'sid' && value !== null && typeof value === 'object') expect({ key, value }).toEqual({ key, value: null });
    }
  }
  return r;
}

describe('Bypass: query shapes cannot reach unconsented data', () => {
  it.each([
    ['aliases', '{ me { accounts { id a: balance { amount } b: balance { amount } } } }'],
    ['duplicated fields', '{ me { accounts { id balance { amount } balance { amount currency } } } }'],
    ['inline fragments on the concrete type', '{ me { accounts { id ... on NorthwindAccount { balance { amount } } } } }'],
    ['named fragments', 'query { me { accounts { id ...A } } } fragment A on NorthwindAccount { balance { amount } }'],
    ['fragments on the interface', '{ me { accounts { id ...A } } } fragment A on Account { balance { amount } }'],
    ['nested fragments', '{ me { accounts { id ... on Account { ... on NorthwindAccount { x: balance { amount } } } } } }'],
    ['an aliased id', '{ me { accounts { sid: id balance { amount } } } }'],
  ])('strips the balance reached through %s', async (_name, query) => {
    const r = await savingsBalanceLeaks(query);
    expect(r.errors?.some((e) => e.extensions?.consent?.account === 'nw-alice-sav')).toBe(true);
  });

  it('strips every alias of a stripped field with its own error', async () => {
    const r = await t.run('alice', '{ me { accounts { id a: transactions { nodes { id } } b: transactions { nodes { id } } } } }');
    const savings = ((r.data!.me as any).accounts as any[]).findIndex((a) => a.id === 'nw-alice-sav');
    const paths = (r.errors ?? []).map((e) => e.path!.join('.'));
    expect(paths).toContain(`me.accounts.${savings}.a`);
    expect(paths).toContain(`me.accounts.${savings}.b`);
  });

  it('refuses aliases that pose as the gateway\'s own keys', async () => {
    const r = await t.run('alice', '{ me { accounts { __cg_id: displayName balance { amount } } } }');
    expect(r.data).toBeUndefined();
    expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(r.errors?.[0].message).toContain('aliases starting with "__" are reserved');
  });

  it('does not expose _entities or _service at the gateway', async () => {
    for (const query of [
      '{ _entities(representations: [{ __typename: "NorthwindAccount", id: "nw-bob-chk" }]) { ... on NorthwindAccount { balance { amount } } } }',
      '{ _service { sdl } }',
    ]) {
      const r = await t.run('alice', query);
      expect(r.data).toBeUndefined();
      expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('does not suggest field names in validation errors', async () => {
    const r = await t.run('alice', '{ me { acounts { id } } }');
    expect(r.errors?.[0].message).not.toContain('Did you mean');
  });

  it('strips transaction details per field when only basic transactions are granted', async () => {
    const fresh = await createTestGateway({ seed: false });
    try {
      await fresh.store.grant({ userId: 'erin', bank: 'northwind', scopes: ['transactions:basic'], accounts: ['nw-erin-chk'] });
      const r = await fresh.run('erin', '{ me { accounts { ... on NorthwindAccount { transactions(first: 3) { nodes { amount { amount } merchant m2: merchant description } } } } } }');
      const nodes = (r.data!.me as any).accounts[0].transactions.nodes as any[];
      expect(nodes).toHaveLength(3);
      expect(valuesAt(nodes, 'amount').every((a) => a !== null)).toBe(true);
      expect([...valuesAt(nodes, 'merchant'), ...valuesAt(nodes, 'm2'), ...valuesAt(nodes, 'description')]).toEqual(Array(9).fill(null));
      expect(r.errors).toHaveLength(9);
      expect(new Set(r.errors!.map((e) => e.extensions?.consent?.reason))).toEqual(new Set(['MISSING']));
      // Minimisation: the bank was never asked for them.
      expect(fresh.subgraphs.received.northwind.at(-1)!.query).not.toMatch(/merchant|description/);
    } finally {
      await fresh.stop();
    }
  });

  it('does not let a grant for one account open another account at the same bank', async () => {
    const r = await t.run('alice', '{ me { accounts { id ... on NorthwindAccount { transactions(first: 1) { nodes { id } } } } } }');
    const errors = (r.errors ?? []).filter((e) => e.extensions?.consent?.account === 'nw-alice-sav');
    expect(errors).toHaveLength(1);
  });
});

describe('Bypass: type-level and nested consent', () => {
  it('strips a type-level guarded list (contoso statements) without statements:read', async () => {
    const r = await t.run('alice', '{ me { accounts { ... on ContosoCardAccount { statements { id closingBalance { amount } } } } } }');
    const card = ((r.data!.me as any).accounts as any[]).find((a) => 'statements' in a);
    expect(card.statements).toBeNull();
    expect(r.errors?.[0].extensions?.consent).toMatchObject({ bank: 'contoso', scopes: ['statements:read'], reason: 'MISSING' });
  });

  it('strips payees reached through scheduled payments without payees:read', async () => {
    const r = await t.run('carol', '{ me { accounts { ... on FabrikamAccount { scheduledPayments { id payee { name } } } } } }');
    const loan = ((r.data!.me as any).accounts as any[]).find((a) => a.scheduledPayments);
    expect(loan.scheduledPayments.length).toBeGreaterThan(0);
    expect(valuesAt(loan.scheduledPayments, 'payee').every((p) => p === null)).toBe(true);
    expect((r.errors ?? []).every((e) => e.extensions?.consent?.scopes.includes('payees:read'))).toBe(true);
  });
});
