import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2EStack, type E2EStack } from '../harness/e2eStack';

let stack: E2EStack;
beforeAll(async () => {
  stack = await startE2EStack();
});
afterAll(async () => stack?.stop());

const DASHBOARD = '{ me { id accounts { id bank displayName balance { amount currency } transactions(first: 20) { nodes { id amount { amount } merchant } } } } }';

describe('Gateway over HTTP: a platform frontend', () => {
  it('gets consented data and one precise error per stripped path', async () => {
    const { status, body } = await stack.post({ query: DASHBOARD }, { authorization: `Bearer ${await stack.tokenFor('alice')}` });
    expect(status).toBe(200);
    const accounts = body.data.me.accounts as any[];
    expect(accounts.find((a) => a.id === 'nw-alice-chk').transactions.nodes).toHaveLength(20);
    const stripped = (body.errors as any[]).map((e) => `${e.path.join('.')}:${e.extensions.consent.reason}`);
    const index = (id: string) => accounts.findIndex((a) => a.id === id);
    expect(stripped.sort()).toEqual([
      `me.accounts.${index('cs-alice-card')}.transactions:MISSING`,
      `me.accounts.${index('nw-alice-sav')}.balance:MISSING`,
      `me.accounts.${index('nw-alice-sav')}.transactions:MISSING`,
    ].sort());
  });

  it(`reads grants from the store it runs on and sees a revocation on the next request`, async () => {
    const token = await stack.tokenFor('carol');
    const before = await stack.post({ query: '{ me { accounts { id balance { amount } } } }' }, { authorization: `Bearer ${token}` });
    const loan = (before.body.data.me.accounts as any[]).find((a) => a.id === 'fb-carol-loan');
    expect(loan.balance).not.toBeNull();
    await stack.store.revoke('g-carol-fabrikam', 'customer', 'e2e');
    const after = await stack.post({ query: '{ me { accounts { id balance { amount } } } }' }, { authorization: `Bearer ${token}` });
    expect((after.body.data.me.accounts as any[]).find((a) => a.id === 'fb-carol-loan').balance).toBeNull();
    expect((after.body.errors as any[]).some((e) => e.extensions.consent.reason === 'REVOKED' && e.extensions.consent.bank === 'fabrikam')).toBe(true);
  });

  it('treats a request without a token as anonymous', async () => {
    const { status, body } = await stack.post({ query: '{ me { id } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: null });
  });

  it.each([
    ['a garbage token', 'Bearer not.a.jwt'],
    ['a token signed by another key', 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'],
    ['another scheme', 'Basic YWxpY2U6cGFzcw=='],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_name, authorization) => {
    const { status, body } = await stack.post({ query: '{ me { id } }' }, { authorization });
    expect(status).toBe(401);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(/^Invalid bearer token: /);
  });

  it('answers a malformed query with 400 GRAPHQL_PARSE_FAILED', async () => {
    const { status, body } = await stack.post({ query: '{ me { id ' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses batched requests (an array body)', async () => {
    const { status } = await stack.post([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]);
    expect(status).toBe(400);
  });

  it('never puts a stack trace, subgraph URL or SQL text in a response', async () => {
    const { text } = await stack.post({ query: DASHBOARD }, { authorization: `Bearer ${await stack.tokenFor('bob')}` });
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|127\.0\.0\.1|localhost|SELECT|INSERT/i);
  });
});

describe('Gateway over HTTP: a bank that is down', () => {
  it('nulls that bank\'s fields with DOWNSTREAM_SERVICE_ERROR and serves the other banks', async () => {
    await stack.subgraphs.contoso.stop();
    const { status, body, text } = await stack.post({ query: '{ me { accounts { id displayName } } }' }, { authorization: `Bearer ${await stack.tokenFor('alice')}` });
    expect(status).toBe(200);
    const accounts = body.data.me.accounts as any[];
    expect(accounts.find((a) => a.id === 'nw-alice-chk').displayName).toEqual(expect.any(String));
    expect(accounts.find((a) => a.id === 'cs-alice-card').displayName).toBeNull();
    const downstream = (body.errors as any[]).filter((e) => e.extensions.code === 'DOWNSTREAM_SERVICE_ERROR');
    expect(downstream.length).toBeGreaterThan(0);
    expect(downstream.every((e) => e.extensions.serviceName === 'contoso')).toBe(true);
    expect(text).not.toContain(stack.subgraphs.contoso.url);
  });
});
