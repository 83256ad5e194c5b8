import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type GraphQLResponse, type TestGateway } from '../harness/gatewayHarness';

let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t?.stop());

const ACCOUNTS = /* GraphQL */ `{
  me { id accounts { __typename id bank displayName balance { amount currency }
    transactions(first: 5) { nodes { id postedAt amount { amount } merchant description } } } }
}`;

type Account = Record<string, any>;
const accountsOf = (r: GraphQLResponse) => ((r.data?.me as any)?.accounts ?? []) as Account[];
const byId = (r: GraphQLResponse, id: string) => accountsOf(r).find((a) => a.id === id)!;
/** The consent errors at `path` (joined with '.'). */
const errorAt = (r: GraphQLResponse, path: string) => (r.errors ?? []).filter((e) => e.path?.join('.') === path);
const pathOf = (r: GraphQLResponse, id: string, field: string) => `me.accounts.${accountsOf(r).findIndex((a) => a.id === id)}.${field}`;

/** Expects `field` of account `id` to be null with exactly one consent error saying `reason`. */
function expectStripped(r: GraphQLResponse, id: string, field: string, reason: string, scopes: string[]) {
  expect(byId(r, id)[field]).toBeNull();
  const errors = errorAt(r, pathOf(r, id, field));
  expect(errors).toHaveLength(1);
  expect(errors[0].extensions).toMatchObject({ code: 'UNAUTHORIZED_FIELD_OR_TYPE', consent: { scopes, reason } });
  expect(errors[0].message).toBe(`Consent required: ${scopes.join(', ')} at ${errors[0].extensions!.consent.bank}`);
}

describe('Consent: what each demo user sees', () => {
  it('serves alice her checking account with transactions and details', async () => {
    const r = await t.run('alice', ACCOUNTS);
    const checking = byId(r, 'nw-alice-chk');
    expect(checking).toMatchObject({ bank: 'northwind', displayName: expect.any(String), balance: { currency: expect.any(String) } });
    expect(checking.transactions.nodes.length).toBeGreaterThan(0);
    // Details are served: every item has its description (merchant is null by data for transfers and
    // salary, so it cannot be the witness), and nothing under the account was stripped.
    for (const node of checking.transactions.nodes) expect(node.description).toEqual(expect.any(String));
    const under = pathOf(r, 'nw-alice-chk', '');
    expect((r.errors ?? []).filter((e) => e.path?.join('.').startsWith(under))).toEqual([]);
  });

  it('strips the balance and transactions of her savings account, which she shared without them', async () => {
    const r = await t.run('alice', ACCOUNTS);
    expect(byId(r, 'nw-alice-sav').displayName).toEqual(expect.any(String));
    expectStripped(r, 'nw-alice-sav', 'balance', 'MISSING', ['balances:read']);
    expectStripped(r, 'nw-alice-sav', 'transactions', 'MISSING', ['transactions:basic']);
  });

  it('serves her contoso balance but not its transactions', async () => {
    const r = await t.run('alice', ACCOUNTS);
    expect(byId(r, 'cs-alice-card').balance).not.toBeNull();
    expectStripped(r, 'cs-alice-card', 'transactions', 'MISSING', ['transactions:basic']);
  });

  it('lists only accounts the user linked', async () => {
    const r = await t.run('alice', ACCOUNTS);
    expect(accountsOf(r).map((a) => a.id).sort()).toEqual(['cs-alice-card', 'nw-alice-chk', 'nw-alice-sav']);
  });

  it('strips everything under an expired grant with EXPIRED', async () => {
    const r = await t.run('bob', ACCOUNTS);
    expectStripped(r, 'nw-bob-chk', 'displayName', 'EXPIRED', ['accounts:basic']);
    expectStripped(r, 'nw-bob-chk', 'balance', 'EXPIRED', ['balances:read']);
  });

  it('strips everything under a revoked grant with REVOKED and keeps her other bank', async () => {
    const r = await t.run('carol', ACCOUNTS);
    expectStripped(r, 'nw-carol-chk', 'balance', 'REVOKED', ['balances:read']);
    expect(byId(r, 'fb-carol-loan').balance).not.toBeNull();
  });

  it('gives a user without grants no accounts and no errors', async () => {
    const r = await t.run('dave', ACCOUNTS);
    expect(r).toEqual({ data: { me: { id: 'dave', accounts: [] } } });
  });

  it('gives an anonymous request a null me', async () => {
    const r = await t.run(null, ACCOUNTS);
    expect(r.data).toEqual({ me: null });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('Consent: data minimisation', () => {
  const lastQuery = (bank: string) => t.subgraphs.received[bank].at(-1)?.query ?? '';

  it('does not ask a bank for fields the user holds no grant for there', async () => {
    const before = t.subgraphs.received.contoso.length;
    await t.run('alice', ACCOUNTS);
    expect(t.subgraphs.received.contoso.length).toBe(before + 1);
    expect(lastQuery('contoso')).toContain('balance');
    expect(lastQuery('contoso')).not.toContain('transactions');
    expect(lastQuery('contoso')).not.toContain('merchant');
  });

  it('does not call a bank at all when every grant there has lapsed', async () => {
    const before = t.subgraphs.received.northwind.length;
    const r = await t.run('bob', ACCOUNTS);
    expect(t.subgraphs.received.northwind.length).toBe(before);
    // The account is still listed (from the platform's links), every bank field stripped as EXPIRED.
    expect(((r.data!.me as any).accounts as any[]).map((a) => a.id)).toEqual(['nw-bob-chk']);
    expect(r.errors!.every((e) => e.extensions?.consent?.reason === 'EXPIRED')).toBe(true);
  });

  it('sends each bank only its own grants in the consent assertion', async () => {
    await t.run('alice', ACCOUNTS);
    const header = t.subgraphs.received.contoso.at(-1)!.headers['x-consentgate-assertion'];
    const assertion = JSON.parse(Buffer.from(header, 'base64url').toString());
    expect(assertion.user).toBe('alice');
    expect(assertion.grants.map((g: { accounts: string[] }) => g.accounts).flat()).toEqual(['cs-alice-card']);
  });

  it('fetches all accounts of one bank in one request per level', async () => {
    const before = t.subgraphs.received.northwind.length;
    await t.run('alice', ACCOUNTS);
    expect(t.subgraphs.received.northwind.length - before).toBe(1);
  });
});

describe('Consent: history window', () => {
  it('never returns transactions older than the grant window', async () => {
    const fresh = await createTestGateway({ seed: false });
    try {
      await fresh.store.grant({ userId: 'erin', bank: 'northwind', scopes: ['accounts:basic', 'transactions:basic'], accounts: ['nw-erin-chk'], historyMonths: 1 });
      const r = await fresh.run('erin', '{ me { accounts { ... on NorthwindAccount { transactions(first: 100) { nodes { postedAt } } } } } }');
      const dates = ((r.data!.me as any).accounts[0].transactions.nodes as { postedAt: string }[]).map((n) => new Date(n.postedAt).getTime());
      expect(dates.length).toBeGreaterThan(0);
      const limit = new Date();
      limit.setUTCMonth(limit.getUTCMonth() - 1);
      expect(Math.min(...dates)).toBeGreaterThanOrEqual(limit.getTime() - 60_000);
      expect(r.errors).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });
});

describe('Consent: history window enforced at the gateway too', () => {
  it('drops transactions outside the window that a bank sends anyway', async () => {
    const fresh = await createTestGateway({ seed: false });
    try {
      await fresh.store.grant({ userId: 'erin', bank: 'northwind', scopes: ['accounts:basic', 'transactions:detail'], accounts: ['nw-erin-chk'], historyMonths: 1 });
      // A bank that ignores the window it was sent.
      fresh.subgraphs.tamper('northwind', (headers) => {
        const assertion = JSON.parse(Buffer.from(headers['x-consentgate-assertion'], 'base64url').toString());
        for (const grant of assertion.grants) grant.historyFrom = null;
        return { ...headers, 'x-consentgate-assertion': Buffer.from(JSON.stringify(assertion)).toString('base64url') };
      });
      const query = '{ me { accounts { ... on NorthwindAccount { transactions(first: 100) { nodes { id merchant } } } } } }';
      const r = await fresh.run('erin', query);
      const ids = ((r.data!.me as any).accounts[0].transactions.nodes as { id: string }[]).map((n) => n.id);
      fresh.subgraphs.tamper('northwind', null);
      const honest = await fresh.run('erin', query);
      const honestIds = ((honest.data!.me as any).accounts[0].transactions.nodes as { id: string }[]).map((n) => n.id);
      expect(honestIds.length).toBeLessThan(100);
      expect(ids).toEqual(honestIds);
      expect(r.errors).toBeUndefined();
    } finally {
      await fresh.stop();
    }
  });
});

describe('Consent: the next request sees a change in the store', () => {
  it('strips data on the request after a revocation', async () => {
    const fresh = await createTestGateway();
    try {
      const before = await fresh.run('alice', '{ me { accounts { id balance { amount } } } }');
      expect(byId(before, 'cs-alice-card').balance).not.toBeNull();
      await fresh.store.revoke('g-alice-contoso', 'customer', 'test');
      const after = await fresh.run('alice', '{ me { accounts { id balance { amount } } } }');
      expectStripped(after, 'cs-alice-card', 'balance', 'REVOKED', ['balances:read']);
    } finally {
      await fresh.stop();
    }
  });
});
