import { and, chain, not, or, race, rule } from 'graphql-shield';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExplainCommand, explainArgvForAnotherProcess } from '../../gateway/cli/explainCommand';
import { describeRule } from '../../gateway/explain/explainPolicy';
import { allow, deny, denyWith, isAuthenticated } from '../../gateway/rules/ruleKit';
import { createTestGateway, type GraphQLResponse, type TestGateway } from '../harness/gatewayHarness';

// One gateway for the comparison with real responses; its in-memory store (demo grants) also feeds explain.
let t: TestGateway;
beforeAll(async () => {
  t = await createTestGateway();
});
afterAll(async () => t?.stop());

/** Runs `consentgate explain <args>` against the test gateway's store; one string splits on spaces. */
async function explain(args: string | string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const argv = typeof args === 'string' ? args.split(' ').filter(Boolean) : args;
  const code = await runExplainCommand(argv, { store: t.store, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err, json: code === 0 && argv.includes('--json') ? JSON.parse(out.join('\n')) : undefined };
}

describe('Explain: the policy of every guarded field', () => {
  it('lists exactly the fields the gateway guards: every @consent requirement and every team rule', async () => {
    const { json } = await explain('--json');
    const coordinates = json.fields.map((f: { coordinate: string }) => f.coordinate);
    const required = [...t.gateway.model.requirements.keys()];
    expect(coordinates.filter((c: string) => json.fields.find((f: any) => f.coordinate === c).consent)).toEqual(expect.arrayContaining(required));
    expect(json.fields.filter((f: any) => f.consent)).toHaveLength(required.length);
    expect(coordinates).toEqual([...coordinates].sort());
    expect(json.fields.find((f: any) => f.coordinate === 'Query.me')).toEqual({ coordinate: 'Query.me', teamRules: [{ rule: 'isAuthenticated', from: 'Query.me' }] });
  });

  it('names every @consent behind a requirement, with the scopes each one adds', async () => {
    const { json } = await explain('Transaction.merchant --json');
    expect(json.fields).toEqual([{
      coordinate: 'Transaction.merchant',
      teamRules: [],
      consent: {
        scopes: ['transactions:basic', 'transactions:detail'],
        sources: [
          { on: 'parent type', at: 'Transaction', scopes: ['transactions:basic'] },
          { on: 'field', at: 'Transaction.merchant', scopes: ['transactions:detail'] },
        ],
      },
      window: { dateField: 'postedAt' },
    }]);
  });

  it('puts a contract interface field\'s @consent and the deciding bank on each implementing type', async () => {
    const { json } = await explain('Account.balance --json');
    const banks = Object.fromEntries(json.fields.map((f: any) => [f.coordinate, f.bank]));
    expect(banks).toEqual({ 'ContosoCardAccount.balance': 'contoso', 'FabrikamAccount.balance': 'fabrikam', 'NorthwindAccount.balance': 'northwind' });
    for (const field of json.fields) expect(field.consent.sources).toContainEqual({ on: 'interface field', at: 'Account.balance', scopes: ['balances:read'] });
  });

  it('shows the security team\'s rules AND-ed with consent, and none with --rules none', async () => {
    const withRules = await explain('NorthwindAccount.accountNumber');
    expect(withRules.out).toContain('  team     deny:full account numbers are not served to the platform  (NorthwindAccount.accountNumber in the rules file)');
    expect(withRules.out).toContain('  consent  accounts:identifiers  from @consent on NorthwindAccount.accountNumber (field)');
    const without = await explain('NorthwindAccount.accountNumber --rules none --json');
    expect(without.json.fields[0].teamRules).toEqual([]);
  });

  it('says so when the named fields are not guarded at all', async () => {
    const { code, out } = await explain('User.id');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^0 guarded field\(s\)/);
    expect(out).toContain('None of the named fields needs consent or has a team rule: they are served as the bank answers them.');
  });

  it.each([
    ['Nope', `'Nope' is not an object or interface type, nor a field of one, in the supergraph`],
    ['NorthwindAccount.nope', `'NorthwindAccount.nope' is not an object or interface type, nor a field of one, in the supergraph`],
    ['--account nw-alice-chk --bank northwind', `--account explains a user's grants: add --user`],
    ['--user alice --account nw-alice-chk', '--account and --bank go together: the account at that bank'],
    ['--user alice --bank nowhere --account x', `--bank 'nowhere' has no account type in the supergraph; banks: contoso, fabrikam, northwind`],
    ['--colour', `Unknown option '--colour'`],
    ['--supergraph /nonexistent/supergraph.graphql', `--supergraph '/nonexistent/supergraph.graphql' cannot be read (ENOENT)`],
  ])('refuses %s with exit code 2 and says why', async (args, message) => {
    const { code, err } = await explain(args);
    expect(code).toBe(2);
    expect(err[0]).toContain(`consentgate explain: ${message}`);
  });
});

describe('Explain: describes rules as the rules file writes them', () => {
  it.each([
    [allow, 'allow'],
    [deny, 'deny'],
    [isAuthenticated, 'isAuthenticated'],
    [and(isAuthenticated, denyWith('x')), 'and(isAuthenticated, deny:x)'],
    [or(chain(allow, deny), race(isAuthenticated)), 'or(chain(allow, deny), race(isAuthenticated))'],
    [not(deny), 'not(deny)'],
    [rule()(() => true), 'rule (unnamed)'],
  ])('%#: %s', (value, text) => {
    expect(describeRule(value as never)).toBe(text);
  });
});

describe('Explain --user: what the grants decide is what a request gets', () => {
  const DASHBOARD = /* GraphQL */ `{ me { accounts { __typename id balance { amount } transactions(first: 3) { nodes { amount { amount } merchant } } } } }`;

  /** explain's verdict per account and coordinate: 'served' or the strip reason. */
  async function verdicts(user: string) {
    const { json } = await explain(`--user ${user} --json`);
    const out = new Map<string, string>();
    for (const account of json.accounts) for (const d of account.decisions) for (const c of d.coordinates) out.set(`${account.account}|${c}`, d.served ? 'served' : d.reason);
    return { json, out };
  }

  /** The response's verdict for `field` of each listed account: 'served', or the reason of the error at its path. */
  function responseVerdicts(r: GraphQLResponse, field: string) {
    const accounts = (r.data?.me as any).accounts as any[];
    return accounts.map((a, i) => {
      const error = r.errors?.find((e) => e.path?.join('.') === `me.accounts.${i}.${field}`);
      return [`${a.id}|${a.__typename}.${field}`, error ? error.extensions!.consent.reason : 'served'] as const;
    });
  }

  it.each(['alice', 'bob', 'carol'])('gives %s\'s every linked account, with the reason each response carries', async (user) => {
    const { json, out } = await verdicts(user);
    const r = await t.run(user, DASHBOARD);
    const listed = ((r.data?.me as any).accounts as any[]).map((a) => a.id).sort();
    expect(json.accounts.filter((a: any) => a.account).map((a: any) => a.account).sort()).toEqual(listed);
    expect(json.accounts.every((a: any) => a.linked)).toBe(true);
    for (const field of ['balance', 'transactions']) {
      for (const [key, verdict] of responseVerdicts(r, field)) expect(out.get(key)).toBe(verdict);
    }
  });

  it('names the grant and the history window of what it serves', async () => {
    const { out } = await explain('--user alice Transaction.merchant NorthwindAccount.balance');
    const block = out.slice(out.indexOf('northwind / nw-alice-chk'));
    expect(block[1]).toBe('  balances:read: served under grant g-alice-northwind-checking');
    expect(block[3]).toMatch(/^ {2}transactions:basic, transactions:detail: served under grant g-alice-northwind-checking, dated items from \d{4}-\d{2}-\d{2}T/);
    expect(block[4]).toBe('      Transaction.merchant');
    const savings = out.slice(out.indexOf('northwind / nw-alice-sav'));
    expect(savings[1]).toBe('  balances:read: stripped: MISSING');
  });

  it('says REVOKED and EXPIRED with the lapsed grant', async () => {
    const carol = (await explain('--user carol NorthwindAccount.balance')).out;
    expect(carol).toContain('  balances:read: stripped: REVOKED (grant g-carol-northwind)');
    const bob = (await explain('--user bob NorthwindAccount.balance')).out;
    expect(bob).toContain('  balances:read: stripped: EXPIRED (grant g-bob-northwind)');
  });

  it('explains an account the user did not link, at the bank named', async () => {
    const { json } = await explain('--user alice --bank fabrikam --account fb-alice-loan Account.balance --json');
    expect(json.accounts).toEqual([{ bank: 'fabrikam', account: 'fb-alice-loan', linked: false, decisions: [
      { scopes: ['balances:read'], served: false, reason: 'MISSING', grantId: null, coordinates: ['FabrikamAccount.balance'] },
    ] }]);
  });

  it('says when a user has no linked account', async () => {
    const { code, out } = await explain('--user dave');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^dave at .*: 0 grant\(s\)\.$/);
    expect(out).toContain('No linked account: the platform lists none, and no bank is asked for account data.');
  });
});

describe('Explain --query: what each subgraph is asked for one operation and one user', () => {
  const DASHBOARD = /* GraphQL */ `query Dashboard { me { id accounts { id displayName balance { amount } transactions(first: 2) { nodes { amount { amount } merchant } } } } }`;

  /** The asks explain gives, and what each subgraph received when the gateway ran the same operation. */
  async function explainedAndReceived(user: string) {
    const { code, json, err } = await explain(['--user', user, '--query', DASHBOARD, '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const before = Object.fromEntries(Object.entries(t.subgraphs.received).map(([name, list]) => [name, list.length]));
    await t.run(user, DASHBOARD);
    const received = Object.fromEntries(Object.entries(t.subgraphs.received).map(([name, list]) => [name, list.slice(before[name]).map((r) => r.query)]));
    return { asks: json.asks as { subgraph: string; query?: string; under: string[] }[], received };
  }

  it.each(['alice', 'carol'])('gives, for %s, the very documents the subgraphs receive, and no request where none is sent', async (user) => {
    const { asks, received } = await explainedAndReceived(user);
    for (const ask of asks) {
      if (ask.query === undefined) expect(received[ask.subgraph], `${ask.subgraph} is not asked`).toEqual([]);
      else expect(received[ask.subgraph]).toContain(ask.query);
    }
    for (const [subgraph, queries] of Object.entries(received)) {
      for (const query of queries) expect(asks.some((a) => a.subgraph === subgraph && a.query === query), `${subgraph} was sent a request explain did not show`).toBe(true);
    }
  });

  it('asks a bank only for what the user holds a grant for there', async () => {
    const { asks } = await explainedAndReceived('alice');
    const northwind = asks.find((a) => a.subgraph === 'northwind')!;
    expect(northwind.under).toEqual(['me.accounts.@[NorthwindAccount]']);
    expect(northwind.query).toMatch(/balance/);
    const contoso = asks.find((a) => a.subgraph === 'contoso')!;
    expect(contoso.query).toMatch(/balance/);
    expect(contoso.query).not.toMatch(/transactions|merchant/); // alice holds no transactions scope at contoso
    expect(asks.find((a) => a.subgraph === 'fabrikam')!.query).toBeUndefined();
  });

  it('prints the plan in order, saying which banks are not asked', async () => {
    const { code, out } = await explain(['--user', 'dave', '--query', DASHBOARD]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^dave at .*: 1 subgraph request\(s\) asked, in plan order\.$/);
    expect(out).toContain('1. platform');
    for (const bank of ['northwind', 'contoso', 'fabrikam']) {
      expect(out.find((line) => line.includes(` ${bank} `)), bank).toMatch(new RegExp(`^\\d\\. ${bank} \\(for the objects at me\\.accounts\\.@\\[\\w+\\]\\): not asked, nothing dave may see there$`));
    }
  });

  it('names the gateway\'s own root fields, which no subgraph answers', async () => {
    const { json } = await explain(['--user', 'alice', '--query', '{ consentGrants { id } }', '--json']);
    expect(json).toMatchObject({ local: ['consentGrants'], asks: [] });
  });

  it.each([
    ['{ nope }', 'the operation is not valid against the served schema: Cannot query field "nope" on type "Query".'],
    ['{ me { __cg_id: id } }', 'the operation is not valid against the served schema: Alias "__cg_id" is not allowed'],
    ['{ me {', 'the operation is not GraphQL: Syntax Error'],
    ['query A { me { id } } query B { me { id } }', 'the document holds several operations: name one with --operation'],
  ])('refuses %s with exit code 2', async (query, message) => {
    const { code, err } = await explain(['--user', 'alice', '--query', query]);
    expect(code).toBe(2);
    expect(err[0]).toContain(`consentgate explain: ${message}`);
  });

  it('needs a user, and takes no field names', async () => {
    expect((await explain(['--query', '{ me { id } }'])).err[0]).toContain('--query explains what the banks are asked for a user: add --user');
    expect((await explain(['--user', 'alice', '--query', '{ me { id } }', 'Account'])).code).toBe(2);
  });
});

describe('Explain: the command line a running demo receives', () => {
  it('makes --supergraph and --rules absolute and passes CONSENTGATE_RULES on', () => {
    expect(explainArgvForAnotherProcess(['--user', 'a', '--supergraph', 's.graphql', '--rules=none'], {}))
      .toEqual(['--user', 'a', '--supergraph', `${process.cwd()}/s.graphql`, '--rules=none']);
    expect(explainArgvForAnotherProcess(['--user', 'a'], { CONSENTGATE_RULES: 'r.ts' })).toEqual(['--user', 'a', '--rules', `${process.cwd()}/r.ts`]);
  });
});
