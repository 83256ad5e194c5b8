import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { AssertedGrant } from '../../schema/assertion';
import { enforceConsent } from '../../subgraphs/kit/enforceConsent';
import { buildNorthwindSchema } from '../../subgraphs/northwind/schema';

const schema = enforceConsent(buildNorthwindSchema());
const ENTITY = parse(/* GraphQL */ `
  query ($id: ID!) {
    _entities(representations: [{ __typename: "NorthwindAccount", id: $id }]) {
      ... on NorthwindAccount { id displayName balance { amount } transactions(first: 2) { nodes { id amount { amount } merchant } } }
    }
  }
`);

/** What the bank itself serves for one account, given the grants the (signed) assertion carries. */
async function served(id: string, grants: AssertedGrant[]) {
  const result = await execute({ schema, document: ENTITY, variableValues: { id }, contextValue: { assertion: { user: 'alice', grants, links: [] } } });
  const errors = (result.errors ?? []).map((e) => `${e.path?.slice(2).join('.')}:${e.extensions.reason}`).sort();
  return { account: (result.data as any)?._entities?.[0], errors };
}

const grant = (scopes: string[], accounts: string[]): AssertedGrant => ({ id: 'g', scopes, accounts, historyFrom: null });

describe('Subgraph kit: a bank enforces @consent itself from the assertion', () => {
  it('serves the fields the grant covers', async () => {
    const { account, errors } = await served('nw-alice-chk', [grant(['accounts:basic', 'balances:read', 'transactions:detail'], ['nw-alice-chk'])]);
    expect(errors).toEqual([]);
    expect(account.displayName).toEqual(expect.any(String));
    expect(account.balance.amount).toEqual(expect.any(String));
    expect(account.transactions.nodes[0].merchant === null || typeof account.transactions.nodes[0].merchant === 'string').toBe(true);
  });

  it('refuses a field whose scope the grant lacks, even when the gateway asks for it', async () => {
    const { account, errors } = await served('nw-alice-chk', [grant(['accounts:basic', 'transactions:basic'], ['nw-alice-chk'])]);
    expect(account.displayName).toEqual(expect.any(String));
    expect(account.balance).toBeNull();
    expect(account.transactions.nodes[0].merchant).toBeNull();
    expect(account.transactions.nodes[0].amount.amount).toEqual(expect.any(String));
    expect(errors).toContain('balance:MISSING');
    expect(errors.some((e) => /^transactions\.nodes\.0\.merchant:/.test(e))).toBe(true);
  });

  it('refuses every guarded field of an account no grant covers', async () => {
    const { account, errors } = await served('nw-alice-sav', [grant(['accounts:basic', 'balances:read'], ['nw-alice-chk'])]);
    expect(account).toMatchObject({ id: 'nw-alice-sav', displayName: null, balance: null });
    expect(errors).toContain('displayName:ACCOUNT_NOT_CONSENTED');
  });

  it('serves nothing guarded without an assertion', async () => {
    const result = await execute({ schema, document: ENTITY, variableValues: { id: 'nw-alice-chk' }, contextValue: { assertion: { user: '', grants: [], links: [] } } });
    expect((result.data as any)._entities[0]).toMatchObject({ id: 'nw-alice-chk', displayName: null, balance: null });
  });
});
