import { Kind, parse } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ASSERTION_HEADER } from '../../schema/assertion';
import { isScope } from '../../schema/scopes';
import {
  allTransactions,
  BANKS,
  consentRequirements,
  entitiesQuery,
  grantFor,
  readRepoFile,
  resolveEntities,
  run,
  windowStart,
  type BankCase,
} from './harness';

const DECIMAL = /^-?\d+\.\d{2}$/;

afterEach(() => vi.restoreAllMocks());

describe.each(BANKS)('Bank $name: entity resolution', (bank: BankCase) => {
  it('resolves several accounts with one call to the account query', async () => {
    const spy = vi.spyOn(bank.db(), 'accountsByIds');
    const ids = [...bank.accounts, `${bank.name}-nobody`];
    const entities = await resolveEntities(bank, ids, 'id displayName', { grants: [grantFor(bank.accounts)] });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toEqual(ids);
    expect(entities.slice(0, -1).map((e) => e.id)).toEqual(bank.accounts);
  });

  it('resolves an unknown id to null without an error', async () => {
    const entities = await resolveEntities(bank, ['no-such-account', bank.accounts[0]], 'id');
    expect(entities).toEqual([null, { id: bank.accounts[0] }]);
  });

  it('loads the transactions of several accounts with one query', async () => {
    const spy = vi.spyOn(bank.db(), 'transactionsFor');
    const entities = await resolveEntities(bank, bank.accounts, 'transactions(first: 2) { nodes { id } }', { grants: [grantFor(bank.accounts)] });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0].map((query) => query.accountId)).toEqual(bank.accounts);
    for (const entity of entities) expect(entity.transactions.nodes.length).toBeGreaterThan(0);
  });

  it('answers bank with its subgraph name and masks the number to its last four digits', async () => {
    const entities = await resolveEntities(bank, bank.accounts, 'bank maskedNumber type');
    for (const entity of entities) {
      expect(entity.bank).toBe(bank.name);
      expect(entity.maskedNumber).toMatch(/^••••\d{4}$/);
      expect(entity.type).toMatch(/^(CHECKING|SAVINGS|CREDIT_CARD|LOAN|MORTGAGE)$/);
    }
  });

  it('formats every amount as an exact decimal string with a currency code', async () => {
    const [entity] = await resolveEntities(bank, [bank.accounts[0]], 'balance { amount currency } transactions(first: 50) { nodes { amount { amount currency } } }', {
      grants: [grantFor(bank.accounts)],
    });
    for (const money of [entity.balance, ...entity.transactions.nodes.map((n: any) => n.amount)]) {
      expect(money.amount).toMatch(DECIMAL);
      expect(money.currency).toMatch(/^[A-Z]{3}$/);
    }
  });
});

describe.each(BANKS)('Bank $name: history window at the source', (bank: BankCase) => {
  const [account, other] = bank.accounts;

  it('returns only transactions posted inside a 3-month window', async () => {
    const from = windowStart(3);
    const windowed = await allTransactions(bank, account, 100, { grants: [grantFor([account], 3)] });
    const everything = await allTransactions(bank, account, 100, { grants: [grantFor([account])] });
    expect(windowed.length).toBeGreaterThan(0);
    expect(windowed.length).toBeLessThan(everything.length);
    for (const node of windowed) expect(new Date(node.postedAt).getTime()).toBeGreaterThanOrEqual(from.getTime());
    expect(windowed).toEqual(everything.filter((node) => new Date(node.postedAt) >= from));
  });

  it('returns a null connection when no grant covers the account', async () => {
    const result = await run(bank.build(), entitiesQuery(bank.typename, 'id transactions { nodes { id } }'), {
      grants: [grantFor([other])],
      variables: { representations: [{ __typename: bank.typename, id: account }] },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data._entities).toEqual([{ id: account, transactions: null }]);
  });

  it.each([
    ['missing', {}],
    ['malformed', { [ASSERTION_HEADER]: 'not-an-assertion' }],
  ])('serves no transactions when the assertion header is %s', async (_label, headers) => {
    const result = await run(bank.build(), entitiesQuery(bank.typename, 'transactions { nodes { id } }'), {
      headers,
      variables: { representations: [{ __typename: bank.typename, id: account }] },
    });
    expect(result.data._entities).toEqual([{ transactions: null }]);
  });

  it('applies the widest window when several grants cover the account', async () => {
    const narrow = await allTransactions(bank, account, 100, { grants: [grantFor([account], 3)] });
    const both = await allTransactions(bank, account, 100, { grants: [grantFor([account], 3), grantFor([account], 6)] });
    expect(both.length).toBeGreaterThan(narrow.length);
    for (const node of both) expect(new Date(node.postedAt) >= windowStart(6)).toBe(true);
  });

  it('holds about 24 months of history when the grant has no window', async () => {
    const everything = await allTransactions(bank, account, 100, { grants: [grantFor([account])] });
    const oldest = new Date(everything.at(-1)!.postedAt);
    expect(oldest < windowStart(22)).toBe(true);
    expect(oldest >= windowStart(25)).toBe(true);
  });
});

describe.each(BANKS)('Bank $name: transaction pagination', (bank: BankCase) => {
  const [account] = bank.accounts;
  const grants = [grantFor([account])];
  const page = async (args: string) => {
    const result = await run(bank.build(), entitiesQuery(bank.typename, `transactions${args} { nodes { id } pageInfo { hasNextPage endCursor } }`), {
      grants,
      variables: { representations: [{ __typename: bank.typename, id: account }] },
    });
    return result;
  };

  it('walks every page newest first without gaps or repeats', async () => {
    const small = await allTransactions(bank, account, 7, { grants });
    const large = await allTransactions(bank, account, 100, { grants });
    expect(small.map((n) => n.id)).toEqual(large.map((n) => n.id));
    expect(new Set(small.map((n) => n.id)).size).toBe(small.length);
    const times = small.map((n) => new Date(n.postedAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('returns 20 items by default', async () => {
    const result = await page('');
    expect(result.data._entities[0].transactions.nodes).toHaveLength(20);
  });

  it('caps first at 100', async () => {
    const result = await page('(first: 1000)');
    expect(result.data._entities[0].transactions.nodes).toHaveLength(100);
    expect(result.data._entities[0].transactions.pageInfo.hasNextPage).toBe(true);
  });

  it('treats a negative first as 0', async () => {
    const result = await page('(first: -5)');
    expect(result.data._entities[0].transactions).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });

  it('rejects a cursor it did not issue with a clear error', async () => {
    const result = await page('(after: "bm90IGEgY3Vyc29y")');
    expect(result.data._entities[0].transactions).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.message).toMatch(/^Invalid cursor: "after" must be an endCursor returned by this connection/);
    expect(result.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe.each(BANKS)('Bank $name: subgraph contract', (bank: BankCase) => {
  const sdl = readRepoFile(`subgraphs/${bank.name}/typeDefs.graphql`);
  const document = parse(sdl);
  const contract = readRepoFile('schema/contract.graphql');
  const contractTypes = new Set(parse(contract).definitions.flatMap((d) => ('name' in d && d.name ? [d.name.value] : [])));

  it('starts with the bank contract copied verbatim', () => {
    expect(sdl.startsWith(contract)).toBe(true);
  });

  it('implements Account with exactly one entity type', () => {
    const implementations = document.definitions.filter(
      (d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.interfaces?.some((i) => i.name.value === 'Account'),
    );
    expect(implementations.map((d) => 'name' in d && d.name?.value)).toEqual([bank.typename]);
    expect((implementations[0] as any).directives.map((d: any) => d.name.value)).toContain('key');
  });

  it('keeps every field of its own types that needs consent nullable', () => {
    // Scoped to the bank's types: the contract's own value types are the contract's responsibility.
    const requirements = consentRequirements(document).filter((r) => !contractTypes.has(r.type));
    expect(requirements.length).toBeGreaterThan(6);
    expect(requirements.filter((r) => !r.nullable)).toEqual([]);
  });

  it('uses only scopes from the vocabulary', () => {
    const scopes = consentRequirements(document).flatMap((r) => r.scopes);
    expect(scopes.filter((scope) => !isScope(scope))).toEqual([]);
  });

  it('prefixes its own types with the bank name', () => {
    const prefix = bank.name[0]!.toUpperCase() + bank.name.slice(1);
    const own = document.definitions.flatMap((d) => ('name' in d && d.name && !contractTypes.has(d.name.value) ? [d.name.value] : []));
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((name) => !name.startsWith(prefix))).toEqual([]);
  });

  it('exposes no Query fields beyond the ones federation adds', () => {
    expect(Object.keys(bank.build().getQueryType()!.getFields()).sort()).toEqual(['_entities', '_service']);
  });

  it('serves its SDL, @consent included, through _service', async () => {
    const result = await run(bank.build(), '{ _service { sdl } }');
    const served = result.data._service.sdl as string;
    expect(served).toContain(`type ${bank.typename} implements Account`);
    expect(served).toContain('@composeDirective(name: "@consent")');
    expect(consentRequirements(parse(served))).toEqual(consentRequirements(document));
  });
});
