import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBankRequest } from '../../gateway/lifecycle/bankRevocations';
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

/** POSTs a revocation as `bank`, signed with `key` (null: unsigned) at `at` (unix seconds). */
async function revoke(bank: string, body: object, key: string | null, at = Math.floor(Date.now() / 1000)) {
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) {
    headers['x-consentgate-timestamp'] = String(at);
    headers['x-consentgate-signature'] = signBankRequest(key, String(at), raw);
  }
  const response = await fetch(`${origin}/banks/${bank}/revocations`, { method: 'POST', headers, body: raw });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

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
