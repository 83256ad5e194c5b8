import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGateway, type TestGateway } from '../harness/gatewayHarness';

let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t?.stop());

const sent = (bank: string, since: number) => t.subgraphs.received[bank]!.slice(since);

describe('Plan executor: operations the planner splits, batches or conditions', () => {
  it('asks each bank once for two aliased lists of the same accounts', async () => {
    const before = t.subgraphs.received.northwind!.length;
    const r = await t.run('alice', '{ me { a: accounts { id displayName } b: accounts { id bank } } }');
    const me = r.data!.me as any;
    expect(me.a.find((x: any) => x.id === 'nw-alice-chk').displayName).toEqual(expect.any(String));
    expect(me.b.find((x: any) => x.id === 'nw-alice-chk').bank).toBe('northwind');
    expect(sent('northwind', before)).toHaveLength(1);
  });

  it('applies @include and @skip with variables, per request', async () => {
    const query = 'query($d: Boolean!) { me { accounts { id displayName @include(if: $d) bank @skip(if: $d) } } }';
    const on = await t.run('alice', query, { d: true });
    const off = await t.run('alice', query, { d: false });
    expect(Object.keys((on.data!.me as any).accounts[0])).toEqual(['id', 'displayName']);
    expect(Object.keys((off.data!.me as any).accounts[0])).toEqual(['id', 'bank']);
  });

  it('answers the gateway\'s own root fields beside planned ones, in the order asked', async () => {
    const r = await t.run('alice', '{ consentGrants(status: ACTIVE) { bank } me { id } __typename }');
    expect(Object.keys(r.data!)).toEqual(['consentGrants', 'me', '__typename']);
    expect((r.data!.consentGrants as any[]).map((g) => g.bank)).toContain('northwind');
    expect(r.data!.me).toEqual({ id: 'alice' });
    expect(r.data!.__typename).toBe('Query');
    expect(r.errors).toBeUndefined();
  });

  it('refuses variables of the wrong type with BAD_USER_INPUT before asking any subgraph', async () => {
    const before = t.subgraphs.received.platform!.length;
    const r = await t.run('alice', 'query($n: Int) { me { accounts { transactions(first: $n) { nodes { id } } } } }', { n: 'many' });
    expect(r.data).toBeUndefined();
    expect(r.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(sent('platform', before)).toHaveLength(0);
  });

  it('reports one error per stripped path', async () => {
    const r = await t.run('alice', '{ me { accounts { id balance { amount } } } }');
    const paths = (r.errors ?? []).map((e) => e.path!.join('.'));
    expect(new Set(paths).size).toBe(paths.length);
    expect(r.errors!.every((e) => e.extensions!.code === 'UNAUTHORIZED_FIELD_OR_TYPE')).toBe(true);
  });
});

describe('Plan executor: the gateway\'s own root fields and fragments at the root', () => {
  it('enforces consent on planned fields selected through a root fragment beside a gateway field', async () => {
    const r = await t.run('alice', '{ consentGrants { id } ... on Query { me { accounts { id balance { amount } } } } }');
    const savings = ((r.data!.me as any).accounts as any[]).find((a) => a.id === 'nw-alice-sav');
    expect(savings.balance).toBeNull();
    expect((r.data!.consentGrants as any[]).length).toBeGreaterThan(0);
  });

  it('refuses the gateway\'s own fields inside a root fragment, with a message saying where to put them', async () => {
    const r = await t.run('alice', '{ ... on Query { consentGrants { id } me { id } } }');
    expect(r.data ?? null).toBeNull();
    expect(r.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.errors![0]!.message).toMatch(/directly on Query/);
  });
});
