import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBankRequest, type BankGrantBody } from '../../schema/bankRequests';
import { createGatewayClient } from '../../subgraphs/kit/gatewayClient';
import { startServer, type RunningServer } from '../../gateway/server/startServer';
import { createTestGateway, type TestGateway } from '../harness/gatewayHarness';

const NORTHWIND_KEY = 'nw-test-key-0123456789abcdef0123456789abcdef';
const CONTOSO_KEY = 'cs-test-key-0123456789abcdef0123456789abcdef';

let t: TestGateway;
let server: RunningServer;
let origin: string;
const refused: { bank: string; reason: string }[] = [];

beforeAll(async () => {
  t = await createTestGateway();
  server = await startServer(t.gateway, {
    port: 0,
    bankKeys: { northwind: NORTHWIND_KEY, contoso: CONTOSO_KEY },
    onBankRequestRefused: (event) => refused.push(event),
  });
  origin = new URL(server.url).origin;
});
afterAll(async () => {
  await server?.fastify.close();
  await t?.stop();
});

/** POSTs `body` to /banks/<bank>/<route> as `bank`, signed with `key` (null: unsigned) at `at` (unix seconds). */
async function post(route: 'grants' | 'revocations', bank: string, body: object, key: string | null, at = Math.floor(Date.now() / 1000)) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) {
    headers['x-consentgate-timestamp'] = String(at);
    headers['x-consentgate-signature'] = signBankRequest(key, String(at), raw);
  }
  const response = await fetch(`${origin}/banks/${bank}/${route}`, { method: 'POST', headers, body: raw });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const revoke = (bank: string, body: object, key: string | null, at?: number) => post('revocations', bank, body, key, at);
/** A bank's own client from the subgraph kit, as the bank would call the gateway. */
const bankClient = (bank: string, key: string) => createGatewayClient({ url: origin, bank, key });
const grant = (bank: string, body: object, key: string) => bankClient(bank, key).grant(body as BankGrantBody);

describe('Bank revocation endpoint: a bank revokes its own grants, signed', () => {
  it('revokes with a valid signature; the grant records the bank and its reason', async () => {
    await t.store.grant({ id: 'bank-1', userId: 'erin', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['nw-erin-chk'] });
    const r = await revoke('northwind', { grantId: 'bank-1', reason: 'account closed' }, NORTHWIND_KEY);
    expect(r).toEqual({ status: 200, body: { grantId: 'bank-1', status: 'revoked', revokedAt: expect.any(String), revokedBy: 'bank' } });
    expect((await t.store.list({ userId: 'erin' })).find((g) => g.id === 'bank-1')).toMatchObject({ status: 'revoked', revokedBy: 'bank', revokeReason: 'account closed' });
  });

  it('strips the data on the next GraphQL request', async () => {
    await t.store.grant({ id: 'bank-2', userId: 'dave', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'] });
    expect(((await t.run('dave', '{ me { accounts { balance { amount } } } }')).data!.me as any).accounts[0].balance).not.toBeNull();
    expect((await revoke('northwind', { grantId: 'bank-2' }, NORTHWIND_KEY)).status).toBe(200);
    const after = await t.run('dave', '{ me { accounts { balance { amount } } } }');
    expect(after.errors?.[0]?.extensions?.consent?.reason).toBe('REVOKED');
  });

  it('answers 409 to a second revocation (a replay changes nothing)', async () => {
    const r = await revoke('northwind', { grantId: 'bank-1' }, NORTHWIND_KEY);
    expect(r.status).toBe(409);
  });

  it('answers 404 for another bank\'s grant, as for an unknown one, and leaves it active', async () => {
    const theirs = await revoke('contoso', { grantId: 'g-alice-northwind-checking' }, CONTOSO_KEY);
    const unknown = await revoke('contoso', { grantId: 'nope' }, CONTOSO_KEY);
    expect([theirs.status, unknown.status]).toEqual([404, 404]);
    expect((await t.store.list({ userId: 'alice' })).find((g) => g.id === 'g-alice-northwind-checking')?.status).toBe('active');
  });

  it.each([
    ['missing signature', 'northwind', null, 0, 'missing signature or timestamp header'],
    ['another bank\'s key', 'northwind', CONTOSO_KEY, 0, 'signature does not match'],
    ['a bank with no key', 'fabrikam', NORTHWIND_KEY, 0, 'no key configured for this bank'],
    ['a stale timestamp', 'northwind', NORTHWIND_KEY, -600, 'timestamp outside the allowed window'],
  ] as const)('refuses %s with 401 and logs it', async (_name, bank, key, skew, reason) => {
    const r = await revoke(bank, { grantId: 'g-alice-northwind-checking' }, key, Math.floor(Date.now() / 1000) + skew);
    expect(r).toEqual({ status: 401, body: { error: 'INVALID_SIGNATURE', message: 'missing or invalid signature' } });
    expect(refused.at(-1)).toMatchObject({ bank, reason });
    expect((await t.store.list({ userId: 'alice' })).find((g) => g.id === 'g-alice-northwind-checking')?.status).toBe('active');
  });

  it('refuses a body changed after signing', async () => {
    const at = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${origin}/banks/northwind/revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-consentgate-timestamp': at,
        'x-consentgate-signature': signBankRequest(NORTHWIND_KEY, at, JSON.stringify({ grantId: 'nope' })) },
      body: JSON.stringify({ grantId: 'g-alice-northwind-checking' }),
    });
    expect(response.status).toBe(401);
  });

  it('leaves /graphql parsing JSON as before', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.tokenFor('alice')}` }, body: JSON.stringify({ query: '{ consentGrants { id } }' }) });
    expect(((await response.json()) as any).data.consentGrants).toHaveLength(3);
  });
});

describe('Bank grant endpoint: a bank confirms the consent its customer gave, through the kit\'s client', () => {
  const GRANT = { id: 'nw-consent-1', user: 'dave', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'], historyMonths: 12 };

  it('creates the grant, and the next GraphQL request serves what it allows', async () => {
    const r = await grant('northwind', GRANT, NORTHWIND_KEY);
    expect(r).toEqual({ status: 201, body: {
      id: 'nw-consent-1', user: 'dave', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'],
      grantedAt: expect.any(String), expiresAt: expect.any(String), oneTime: false, historyMonths: 12, status: 'active',
    } });
    const after = await t.run('dave', '{ me { accounts { id balance { amount } } } }');
    expect((after.data!.me as any).accounts).toContainEqual({ id: 'nw-dave-chk', balance: { amount: expect.any(String) } });
  });

  it('answers a retry or a replay of the same grant with it, and changes nothing (a revoked one stays revoked)', async () => {
    const again = await grant('northwind', { ...GRANT, scopes: ['balances:read', 'accounts:basic'] }, NORTHWIND_KEY);
    expect(again).toMatchObject({ status: 200, body: { id: 'nw-consent-1', status: 'active' } });
    expect((await bankClient('northwind', NORTHWIND_KEY).revoke('nw-consent-1', 'customer closed it at the bank')).status).toBe(200);
    const replayed = await grant('northwind', GRANT, NORTHWIND_KEY);
    expect(replayed).toMatchObject({ status: 200, body: { id: 'nw-consent-1', status: 'revoked' } });
    expect((await t.store.list({ userId: 'dave' })).filter((g) => g.id === 'nw-consent-1')).toHaveLength(1);
  });

  it('answers 409 to the same id with other terms, or from another bank', async () => {
    expect(await grant('northwind', { ...GRANT, scopes: ['accounts:basic'] }, NORTHWIND_KEY)).toMatchObject({ status: 409, body: { error: 'ALREADY_EXISTS' } });
    expect(await grant('contoso', { ...GRANT, accounts: ['cs-dave-card'] }, CONTOSO_KEY)).toMatchObject({ status: 409, body: { error: 'ALREADY_EXISTS' } });
  });

  it.each([
    [{ ...GRANT, id: 'g-x1', scopes: ['accounts:everything'] }, "unknown scope 'accounts:everything'"],
    [{ ...GRANT, id: 'g-x2', accounts: [] }, 'a grant needs at least one account id (it never covers every account); received []'],
    [{ ...GRANT, id: 'g-x3', expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'at most one year'],
    [{ ...GRANT, id: undefined }, '"id" (the bank\'s consent id) is required'],
    [{ ...GRANT, id: 'g-x4', historyMonth: 12 }, "unknown field(s) 'historyMonth'"],
    [{ ...GRANT, id: 'g-x5', expiresAt: 'next year' }, '"expiresAt" must be an ISO 8601 instant; received "next year"'],
  ])('refuses %j with 400 and the rule it breaks', async (body, message) => {
    const r = await grant('northwind', body, NORTHWIND_KEY);
    expect(r.status).toBe(400);
    expect(r.body.message).toContain(message);
    expect((await t.store.list({ userId: 'dave' })).map((g) => g.id)).not.toContain(body.id);
  });

  it('refuses another bank\'s signature with 401, logged, and grants nothing', async () => {
    const r = await grant('northwind', { ...GRANT, id: 'nw-consent-2' }, CONTOSO_KEY);
    expect(r).toEqual({ status: 401, body: { error: 'INVALID_SIGNATURE', message: 'missing or invalid signature' } });
    expect(refused.at(-1)).toMatchObject({ bank: 'northwind', reason: 'signature does not match' });
    expect((await t.store.list({ userId: 'dave' })).map((g) => g.id)).not.toContain('nw-consent-2');
  });
});
