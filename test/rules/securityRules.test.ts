import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allow, and, deny, not, or, rule } from 'graphql-shield';
import { createTestGateway, type TestGateway } from '../harness/gatewayHarness';
import { RulesFileError } from '../../gateway/rules/applyRules';
import { composeDemoSupergraph } from '../harness/gatewayHarness';
import { readSupergraph } from '../../gateway/supergraph/readSupergraph';
import { buildConsentModel } from '../../gateway/supergraph/consentModel';
import { createExecutableSchema } from '../../gateway/execution/createExecutableSchema';

describe('Security rules: the shipped rules file', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await createTestGateway({ seed: false });
    await t.store.grant({ userId: 'erin', bank: 'northwind', scopes: ['accounts:basic', 'accounts:identifiers'], accounts: ['nw-erin-chk'] });
  });
  afterAll(async () => t?.stop());

  it('denies full account numbers even with an accounts:identifiers grant', async () => {
    const r = await t.run('erin', '{ me { accounts { ... on NorthwindAccount { displayName accountNumber } } } }');
    const account = (r.data!.me as any).accounts[0];
    expect(account.displayName).toEqual(expect.any(String));
    expect(account.accountNumber).toBeNull();
    expect(r.errors).toEqual([expect.objectContaining({ message: 'Forbidden: full account numbers are not served to the platform', extensions: { code: 'FORBIDDEN' } })]);
  });

  it('requires authentication for me', async () => {
    const r = await t.run(null, '{ me { id } }');
    expect(r.errors?.[0]).toMatchObject({ message: 'Authentication required', path: ['me'], extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('Security rules: AND-ed with consent, never weaker', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // The most permissive file possible (`not`, which turns errors into allow, is refused: below).
    t = await createTestGateway({ securityRules: { NorthwindAccount: { balance: allow, transactions: or(deny, allow) }, Account: allow, Query: { me: allow } } });
  });
  afterAll(async () => t?.stop());

  it('does not expose a consent-guarded field that the rules file allows', async () => {
    const r = await t.run('alice', '{ me { accounts { id balance { amount } transactions { nodes { id } } } } }');
    const savings = ((r.data!.me as any).accounts as any[]).find((a) => a.id === 'nw-alice-sav');
    expect(savings.balance).toBeNull();
    expect(savings.transactions).toBeNull();
    const onSavings = (r.errors ?? []).filter((e) => e.extensions?.consent?.account === 'nw-alice-sav');
    expect(onSavings.map((e) => e.extensions?.consent?.reason)).toEqual(['MISSING', 'MISSING']);
  });
});

describe('Security rules: a mistake stops start-up', () => {
  let schemaFor: (rules: unknown) => unknown;
  beforeAll(async () => {
    const supergraph = readSupergraph((await composeDemoSupergraph()).supergraphSdl);
    const model = buildConsentModel(supergraph);
    schemaFor = (rules) => createExecutableSchema({ supergraph, model, securityRules: rules, securityRulesSource: 'rules.ts' });
  });

  it.each([
    [{ Acount: { id: deny } }, "rules.ts: type 'Acount' is not an object or interface type of the supergraph"],
    [{ NorthwindAccount: { acountNumber: deny } }, "rules.ts: field 'NorthwindAccount.acountNumber' is not in the supergraph"],
    [{ NorthwindAccount: { accountNumber: () => false } }, 'rules.ts: NorthwindAccount.accountNumber must be a graphql-shield rule (rule(), allow, deny, and(), ...); received a function (accountNumber); wrap it with rule()'],
    [{ NorthwindAccount: { accountNumber: undefined } }, 'rules.ts: NorthwindAccount.accountNumber must be a graphql-shield rule (rule(), allow, deny, and(), ...); received undefined'],
    [[deny], 'rules.ts must export default an object of Type -> { field: rule }; received an array'],
    [{ NorthwindAccount: { accountNumber: and(allow, not(deny)) } }, 'rules.ts: NorthwindAccount.accountNumber uses not(), which allows the field when the rule inside it throws (it fails open); write the negation inside one rule() instead'],
    [{ Account: not(deny) }, 'rules.ts: Account.* uses not(), which allows the field when the rule inside it throws (it fails open); write the negation inside one rule() instead'],
  ])('rejects %j', (rules, message) => {
    expect(() => schemaFor(rules)).toThrow(RulesFileError);
    expect(() => schemaFor(rules)).toThrow(message);
  });

  it('applies an interface rule to every implementing type', async () => {
    const t = await createTestGateway({ securityRules: { Account: { displayName: deny } } });
    try {
      const r = await t.run('alice', '{ me { accounts { displayName } } }');
      expect(((r.data!.me as any).accounts as any[]).map((a) => a.displayName)).toEqual([null, null, null]);
      expect(r.errors?.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    } finally {
      await t.stop();
    }
  });

  it('denies when a rule throws, without the thrown message', async () => {
    const boom = rule('boom')(() => {
      throw new Error('secret internal detail');
    });
    const t = await createTestGateway({ securityRules: { Query: { me: boom } } });
    try {
      const r = await t.run('alice', '{ me { id } }');
      expect(r.data).toEqual({ me: null });
      expect(r.errors).toEqual([expect.objectContaining({ message: 'Forbidden by a security rule', extensions: { code: 'FORBIDDEN' } })]);
    } finally {
      await t.stop();
    }
  });
});

