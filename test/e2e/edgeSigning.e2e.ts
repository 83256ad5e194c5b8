import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_HEADER, encodeAssertion, signSubgraphRequest } from '../../schema/assertion';
import { startEdgeStack, type EdgeStack } from '../edge/edgeStack';

const SECRETS = { platform: 'p-secret-0123456789', northwind: 'n-secret-0123456789', contoso: 'c-secret-0123456789', fabrikam: 'f-secret-0123456789' };
const ENTITIES = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on NorthwindAccount { id displayName balance { amount } } } }',
  variables: { r: [{ __typename: 'NorthwindAccount', id: 'nw-alice-chk' }] },
});
const ALICE = encodeAssertion({ user: 'alice', grants: [{ id: 'g', scopes: ['accounts:basic', 'balances:read'], accounts: ['nw-alice-chk'], historyFrom: null }] });

describe('Subgraph trust over HTTP: every gateway request is signed, banks refuse anything else', () => {
  let stack: EdgeStack;
  beforeAll(async () => {
    stack = await startEdgeStack({ secrets: SECRETS });
  });
  afterAll(async () => stack?.stop());

  /** POSTs straight to the Northwind subgraph, as someone who reached its network would. */
  const bank = async (body: string, headers: Record<string, string>) => {
    const response = await fetch(stack.subgraphs.northwind!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, text: await response.text() };
  };
  const signed = (overrides: { secret?: string; subgraph?: string; assertion?: string; body?: string; now?: number } = {}) => ({
    [ASSERTION_HEADER]: overrides.assertion ?? ALICE,
    ...signSubgraphRequest({ subgraph: overrides.subgraph ?? 'northwind', secret: overrides.secret ?? SECRETS.northwind, assertion: overrides.assertion ?? ALICE, body: overrides.body ?? ENTITIES, now: overrides.now }),
  });

  it('serves the whole product through signed requests (banks enforcing consent too)', async () => {
    const { status, body } = await stack.post({ query: '{ me { accounts { id displayName balance { amount } } } }' }, { as: 'alice' });
    expect(status).toBe(200);
    const accounts = body.data.me.accounts as any[];
    expect(accounts.find((a) => a.id === 'nw-alice-chk').balance.amount).toEqual(expect.any(String));
    expect(accounts.find((a) => a.id === 'cs-alice-card').displayName).toEqual(expect.any(String));
    expect((body.errors ?? []).filter((e: any) => e.extensions.code === 'DOWNSTREAM_SERVICE_ERROR')).toEqual([]);
  });

  it('serves a correctly signed _entities request', async () => {
    const { status, text } = await bank(ENTITIES, signed());
    expect(status).toBe(200);
    expect(JSON.parse(text).data._entities[0].displayName).toEqual(expect.any(String));
  });

  it.each<[string, () => Record<string, string>, string]>([
    ['no signature', () => ({ [ASSERTION_HEADER]: ALICE }), ENTITIES],
    ['a signature made with another secret', () => signed({ secret: 'guessed' }), ENTITIES],
    ['a signature made for another bank', () => signed({ subgraph: 'contoso', secret: SECRETS.northwind }), ENTITIES],
    ['a tampered body (another account in _entities)', () => signed(), ENTITIES.replace('nw-alice-chk', 'nw-bob-chk')],
    ['a tampered assertion (more scopes)', () => ({ ...signed(), [ASSERTION_HEADER]: encodeAssertion({ user: 'alice', grants: [{ id: 'g', scopes: ['identity:sensitive'], accounts: ['nw-alice-chk'], historyFrom: null }] }) }), ENTITIES],
    ['a stale timestamp (replay after 30 s)', () => signed({ now: Date.now() - 60_000 }), ENTITIES],
  ])('refuses %s with 401 and no data', async (_name, headers, body) => {
    const { status, text } = await bank(body, headers());
    expect(status).toBe(401);
    expect(text).not.toMatch(/"data"|nw-alice|nw-bob/);
  });

  it('refuses GET (the query string is not signed)', async () => {
    const response = await fetch(`${stack.subgraphs.northwind!.url}?query=${encodeURIComponent('{ _service { sdl } }')}`, { headers: signed({ body: '' }) });
    expect(response.status).toBe(405);
  });
});
