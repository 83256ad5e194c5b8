import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../harness/gatewayHarness';

let t: TestGateway;
// Composing the supergraph and starting PGlite take seconds on a busy machine.
beforeAll(async () => {
  t = await createTestGateway();
}, 120_000);
afterAll(async () => t?.stop());

const LIST = /* GraphQL */ `{ consentGrants { id bank scopes accounts grantedAt expiresAt oneTime status revokedAt revokedBy revokeReason } }`;
const REVOKE = /* GraphQL */ `mutation Revoke($id: ID!) { revokeConsent(id: $id, reason: "changed my mind") { id status revokedAt revokedBy revokeReason } }`;

describe('Consent API: the signed-in customer lists their grants', () => {
  it('lists every grant of the user, all statuses, newest first', async () => {
    const r = await t.run('carol', LIST);
    expect(r.errors).toBeUndefined();
    const grants = (r.data!.consentGrants as Record<string, unknown>[]);
    expect(grants.map((g) => [g.id, g.status])).toEqual([['g-carol-fabrikam', 'ACTIVE'], ['g-carol-northwind', 'REVOKED']]);
    expect(grants[1]).toMatchObject({ bank: 'northwind', revokedBy: 'CUSTOMER', revokeReason: 'customer withdrew consent in the app', revokedAt: expect.stringMatching(/Z$/) });
    expect(grants[0]).toMatchObject({ scopes: ['accounts:basic', 'balances:read', 'payments:scheduled'], accounts: ['fb-carol-loan'], oneTime: false, revokedAt: null });
  });

  it('filters by status', async () => {
    const r = await t.run('bob', '{ consentGrants(status: EXPIRED) { id } }');
    expect(r.data).toEqual({ consentGrants: [{ id: 'g-bob-northwind' }] });
  });

  it('refuses an anonymous request with UNAUTHENTICATED', async () => {
    const r = await t.run(null, LIST);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves the API next to federated fields in one operation', async () => {
    const r = await t.run('alice', '{ me { id } consentGrants { id } }');
    expect(r.errors).toBeUndefined();
    expect((r.data!.me as { id: string }).id).toBe('alice');
    expect((r.data!.consentGrants as unknown[]).length).toBe(3);
  });
});

describe('Consent API: the customer revokes a grant', () => {
  it('revokes it, and the next request is stripped', async () => {
    await t.store.grant({ id: 'api-1', userId: 'dave', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'] });
    const query = '{ me { accounts { id balance { amount } } } }';
    expect(((await t.run('dave', query)).data!.me as any).accounts[0].balance).not.toBeNull();
    const r = await t.run('dave', REVOKE, { id: 'api-1' });
    expect(r).toEqual({ data: { revokeConsent: { id: 'api-1', status: 'REVOKED', revokedAt: expect.any(String), revokedBy: 'CUSTOMER', revokeReason: 'changed my mind' } } });
    const after = await t.run('dave', query);
    expect((after.data!.me as any).accounts[0].balance).toBeNull();
    expect(after.errors?.[0]?.extensions?.consent?.reason).toBe('REVOKED');
  });

  it('returns an already revoked grant unchanged', async () => {
    const r = await t.run('carol', REVOKE, { id: 'g-carol-northwind' });
    expect(r.data!.revokeConsent).toMatchObject({ status: 'REVOKED', revokeReason: 'customer withdrew consent in the app' });
  });

  it('answers NOT_FOUND for another customer\'s grant, exactly as for an unknown id, and leaves it active', async () => {
    const theirs = await t.run('dave', REVOKE, { id: 'g-alice-contoso' });
    const unknown = await t.run('dave', REVOKE, { id: 'no-such-grant' });
    expect(theirs.errors?.map((e) => [e.message.replace('g-alice-contoso', 'X'), e.extensions?.code]))
      .toEqual(unknown.errors?.map((e) => [e.message.replace('no-such-grant', 'X'), e.extensions?.code]));
    expect(theirs.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(theirs.data).toBeNull();
    expect((await t.store.list({ userId: 'alice' })).find((g) => g.id === 'g-alice-contoso')?.status).toBe('active');
  });

  it('refuses an anonymous revocation with UNAUTHENTICATED', async () => {
    const r = await t.run(null, REVOKE, { id: 'g-alice-contoso' });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
