import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../gateway/audit/types';
import { ConsentStoreError } from '../../gateway/consent/store/ConsentStoreError';
import { createTestGateway, type GraphQLResponse, type TestGateway } from '../harness/gatewayHarness';

let t: TestGateway;
// Composing the supergraph and starting PGlite take seconds on a busy machine.
beforeAll(async () => {
  t = await createTestGateway();
}, 120_000);
afterAll(async () => t?.stop());

const QUERY = /* GraphQL */ `query Accounts { me { id accounts { id displayName balance { amount } } } }`;
const hash = (source: string) => createHash('sha256').update(source).digest('hex');
const accounts = (r: GraphQLResponse) => (r.data?.me as { accounts: Record<string, any>[] }).accounts;
/** The records of the latest request of `user`. */
async function lastRequest(user: string): Promise<AuditEntry[]> {
  const entries = await t.store.audit.query({ userId: user });
  return entries.filter((e) => e.requestId === entries[0]!.requestId);
}
/** One line per field of each record: `coordinate bank grant outcome [reason] x<paths>`. */
const fields = (entries: AuditEntry[]) => entries.flatMap((e) => e.coordinates.map((coordinate, i) =>
  `${coordinate} ${e.bank} ${e.grantId ?? '-'} ${e.outcome}${e.reason ? ` ${e.reason}` : ''} x${e.pathsCounts[i]}`));

describe('Audit: every decision on a guarded field is recorded', () => {
  it('records every guarded field with its bank, grant, outcome and paths count', async () => {
    await t.run('alice', QUERY);
    const rows = fields(await lastRequest('alice')).sort();
    expect(rows).toEqual([
      'ContosoCardAccount.balance contoso g-alice-contoso served x1',
      'ContosoCardAccount.displayName contoso g-alice-contoso served x1',
      'NorthwindAccount.balance northwind - stripped MISSING x1',
      'NorthwindAccount.balance northwind g-alice-northwind-checking served x1',
      'NorthwindAccount.displayName northwind g-alice-northwind-checking served x1',
      'NorthwindAccount.displayName northwind g-alice-northwind-savings served x1',
    ]);
  });

  it('writes one row per bank, grant and outcome, listing its fields', async () => {
    await t.run('alice', QUERY);
    const entries = await lastRequest('alice');
    const keys = entries.map((e) => `${e.bank} ${e.grantId ?? '-'} ${e.outcome} ${e.reason ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(entries.find((e) => e.grantId === 'g-alice-contoso')?.coordinates.sort()).toEqual(['ContosoCardAccount.balance', 'ContosoCardAccount.displayName']);
  });

  it('records who, which operation (name and sha256 of the document) and when', async () => {
    const before = Date.now();
    await t.run('alice', QUERY);
    const [entry] = await lastRequest('alice');
    expect(entry).toMatchObject({ userId: 'alice', operationName: 'Accounts', operationHash: hash(QUERY) });
    expect(entry!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('counts the paths of a list under one row', async () => {
    await t.run('alice', '{ me { accounts { ... on NorthwindAccount { transactions(first: 7) { nodes { amount { amount } merchant } } } } } }');
    const rows = fields(await lastRequest('alice'));
    expect(rows).toContain('Transaction.merchant northwind g-alice-northwind-checking served x7');
  });

  it('names the revoked grant behind a REVOKED strip', async () => {
    await t.run('carol', QUERY);
    expect(fields(await lastRequest('carol'))).toContain('NorthwindAccount.balance northwind g-carol-northwind stripped REVOKED x1');
  });

  it('writes all rows of a request in one batch', async () => {
    const write = vi.spyOn(t.store.audit, 'write');
    try {
      await t.run('alice', '{ me { accounts { ... on NorthwindAccount { balance { amount } transactions(first: 20) { nodes { merchant description } } } } } }');
      expect(write).toHaveBeenCalledTimes(1);
      expect(write.mock.calls[0]![0].length).toBeGreaterThan(1);
    } finally {
      write.mockRestore();
    }
  });

  it('writes nothing for a request that touches no guarded field', async () => {
    const write = vi.spyOn(t.store.audit, 'write');
    try {
      await t.run('alice', '{ me { id accounts { id } } }');
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });
});

describe('Audit: no record, no sensitive data', () => {
  it('strips the served guarded fields with AUDIT_UNAVAILABLE and keeps the public rest', async () => {
    const write = vi.spyOn(t.store.audit, 'write').mockRejectedValueOnce(new ConsentStoreError('STORE_FAILURE', 'down'));
    const r = await t.run('alice', QUERY).finally(() => write.mockRestore());
    expect(accounts(r).map((a) => a.id).sort()).toEqual(['cs-alice-card', 'nw-alice-chk', 'nw-alice-sav']);
    for (const account of accounts(r)) {
      expect(account.displayName).toBeNull();
      expect(account.balance).toBeNull();
    }
    const audit = (r.errors ?? []).filter((e) => e.extensions?.consent?.reason === 'AUDIT_UNAVAILABLE');
    // displayName x3 + balance x2 were served; the savings balance was already stripped (MISSING).
    expect(audit).toHaveLength(5);
    expect(audit[0]).toMatchObject({ message: expect.stringMatching(/^Consent required: /), extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
    expect(JSON.stringify(r)).not.toMatch(/amount"\s*:\s*\d/);
  });

  it('puts one error at the outermost path when nested guarded fields were served', async () => {
    const write = vi.spyOn(t.store.audit, 'write').mockRejectedValueOnce(new Error('down'));
    const r = await t.run('alice', '{ me { accounts { id ... on NorthwindAccount { transactions(first: 3) { nodes { id merchant } } } } } }').finally(() => write.mockRestore());
    const paths = (r.errors ?? []).filter((e) => e.extensions?.consent?.reason === 'AUDIT_UNAVAILABLE').map((e) => e.path!.join('.'));
    expect(paths.every((p) => /^me\.accounts\.\d\.transactions$/.test(p))).toBe(true);
    expect(JSON.stringify(r.data)).not.toContain('merchant');
  });
});

describe('Audit: one-time grants', () => {
  it('serves a one-time grant once, then strips with EXPIRED', async () => {
    const grant = await t.store.grant({ userId: 'erin', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-erin-chk'], oneTime: true });
    const query = '{ me { accounts { id balance { amount } } } }';
    const first = await t.run('erin', query);
    expect(accounts(first)[0]!.balance).not.toBeNull();
    const second = await t.run('erin', query);
    expect(accounts(second)[0]!.balance).toBeNull();
    expect(second.errors?.[0]?.extensions?.consent?.reason).toBe('EXPIRED');
    expect((await t.store.list({ userId: 'erin' }))[0]).toMatchObject({ id: grant.id, status: 'expired', usedAt: expect.any(Date) });
  });

  it('serves only one of two concurrent requests under the same one-time grant', async () => {
    await t.store.grant({ userId: 'dave', bank: 'northwind', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-dave-chk'], oneTime: true });
    const query = '{ me { accounts { id balance { amount } } } }';
    const results = await Promise.all([t.run('dave', query), t.run('dave', query)]);
    const served = results.filter((r) => accounts(r)[0]?.balance !== null);
    expect(served).toHaveLength(1);
    const loser = results.find((r) => accounts(r)[0]?.balance === null)!;
    expect(loser.errors?.map((e) => e.extensions?.consent?.reason)).toContain('EXPIRED');
  });
});
