import { readFileSync } from 'node:fs';
import {
  execute,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type TypeNode,
} from 'graphql';
import { encodeAssertion, type AccountLink, type AssertedGrant, type ConsentAssertion } from '../../schema/assertion';
import { SCOPES } from '../../schema/scopes';
import { getContosoDb } from '../../subgraphs/contoso/data';
import { buildContosoSchema } from '../../subgraphs/contoso/schema';
import { getFabrikamDb } from '../../subgraphs/fabrikam/data';
import { buildFabrikamSchema } from '../../subgraphs/fabrikam/schema';
import { createSubgraphContext, type SubgraphContext } from '../../subgraphs/kit/context';
import type { WindowedQuery } from '../../subgraphs/kit/transactionPage';
import { getNorthwindDb } from '../../subgraphs/northwind/data';
import { buildNorthwindSchema } from '../../subgraphs/northwind/schema';
import { addMonths } from '../../subgraphs/seed/calendar';

export const REPO = new URL('../../', import.meta.url);
export const readRepoFile = (path: string) => readFileSync(new URL(path, REPO), 'utf8');

/** What the shared bank tests need to know about one demo bank. */
export interface BankCase {
  name: string;
  typename: string;
  build: () => GraphQLSchema;
  /** Accounts the bank holds; the first has more than 100 transactions. */
  accounts: [string, string, string, ...string[]];
  /** The data layer the bank's loaders call (so tests can record batch calls). */
  db: () => {
    accountsByIds(ids: readonly string[]): Promise<unknown[]>;
    transactionsFor(queries: readonly WindowedQuery[]): Promise<unknown[][]>;
  };
}

export const BANKS: BankCase[] = [
  { name: 'northwind', typename: 'NorthwindAccount', build: buildNorthwindSchema, accounts: ['nw-alice-chk', 'nw-alice-sav', 'nw-bob-chk', 'nw-carol-chk'], db: getNorthwindDb },
  { name: 'contoso', typename: 'ContosoCardAccount', build: buildContosoSchema, accounts: ['cs-alice-card', 'cs-dave-card', 'cs-erin-card'], db: getContosoDb },
  { name: 'fabrikam', typename: 'FabrikamAccount', build: buildFabrikamSchema, accounts: ['fb-erin-sav', 'fb-alice-loan', 'fb-carol-loan', 'fb-frank-sav'], db: getFabrikamDb },
];

/** A grant covering `accounts` with every scope and a history window of `historyMonths` (null: none). */
export function grantFor(accounts: string[], historyMonths: number | null = null): AssertedGrant {
  return {
    id: `grant-${accounts.join('+')}-${historyMonths ?? 'all'}`,
    scopes: [...SCOPES],
    accounts,
    historyFrom: historyMonths === null ? null : windowStart(historyMonths).toISOString(),
  };
}

/** The start of a history window of `months` ending now. */
export function windowStart(months: number): Date {
  return addMonths(new Date(), -months);
}

export interface RunOptions {
  /** Default: an assertion for 'alice' with `grants`. */
  assertion?: ConsentAssertion;
  grants?: AssertedGrant[];
  links?: AccountLink[];
  /** Raw headers instead of an encoded assertion (e.g. none at all). */
  headers?: Record<string, string>;
  variables?: Record<string, unknown>;
}

/** The context a subgraph builds for a request carrying these options' assertion header. */
export function contextFor(options: RunOptions = {}): SubgraphContext {
  const assertion = options.assertion ?? { user: 'alice', grants: options.grants ?? [], links: options.links ?? [] };
  return createSubgraphContext(options.headers ?? { 'X-ConsentGate-Assertion': encodeAssertion(assertion) });
}

/** Validates and executes `source` against `schema` in process, as the subgraph's server would. */
export async function run(schema: GraphQLSchema, source: string, options: RunOptions = {}): Promise<ExecutionResult<any>> {
  const document = parse(source);
  const errors = validate(schema, document);
  if (errors.length > 0) throw new Error(`invalid test operation: ${errors.map((e) => e.message).join('; ')}`);
  return execute({ schema, document, contextValue: contextFor(options), variableValues: options.variables });
}

/** An `_entities` operation for `typename` selecting `selection`, with the ids as $representations. */
export function entitiesQuery(typename: string, selection: string): string {
  return `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${typename} { ${selection} } } }`;
}

/** Runs `_entities` for `ids` and returns the entities (null for unknown ids), failing on any error. */
export async function resolveEntities(bank: BankCase, ids: string[], selection: string, options: RunOptions = {}): Promise<any[]> {
  const result = await run(bank.build(), entitiesQuery(bank.typename, selection), {
    ...options,
    variables: { representations: ids.map((id) => ({ __typename: bank.typename, id })), ...options.variables },
  });
  if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.data._entities;
}

/** One field (or, with field undefined, one type) of an SDL and the consent it needs from every source. */
export interface ConsentRequirement {
  type: string;
  field: string;
  scopes: string[];
  nullable: boolean;
}

/**
 * Every field of the SDL's object types that needs consent, following CONSENT.md: @consent on the field,
 * its parent type, its return type, or the interface field it implements, added up.
 */
export function consentRequirements(document: DocumentNode): ConsentRequirement[] {
  const typeScopes = new Map<string, string[]>();
  const interfaceFieldScopes = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    typeScopes.set(definition.name.value, scopesOf(definition.directives));
    if (definition.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) {
        interfaceFieldScopes.set(`${definition.name.value}.${field.name.value}`, scopesOf(field.directives));
      }
    }
  }
  const requirements: ConsentRequirement[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const field of definition.fields ?? []) {
      const scopes = new Set([
        ...scopesOf(field.directives),
        ...(typeScopes.get(definition.name.value) ?? []),
        ...(typeScopes.get(namedType(field.type)) ?? []),
        ...(definition.interfaces ?? []).flatMap((i) => interfaceFieldScopes.get(`${i.name.value}.${field.name.value}`) ?? []),
      ]);
      if (scopes.size > 0) {
        requirements.push({ type: definition.name.value, field: field.name.value, scopes: [...scopes], nullable: field.type.kind !== Kind.NON_NULL_TYPE });
      }
    }
  }
  return requirements;
}

/** The scopes of the @consent directive in `directives`, if any. */
export function scopesOf(directives: readonly { name: { value: string }; arguments?: readonly any[] }[] | undefined): string[] {
  const consent = directives?.find((d) => d.name.value === 'consent');
  const scopes = consent?.arguments?.find((a) => a.name.value === 'scopes')?.value;
  return scopes?.kind === Kind.LIST ? scopes.values.map((v: { value: string }) => v.value) : [];
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** Every transaction of one account, walking pages of `pageSize`. */
export async function allTransactions(bank: BankCase, accountId: string, pageSize: number, options: RunOptions = {}): Promise<{ id: string; postedAt: string }[]> {
  const schema = bank.build();
  const query = entitiesQuery(bank.typename, 'transactions(first: $first, after: $after) { nodes { id postedAt } pageInfo { hasNextPage endCursor } }')
    .replace('query ($representations: [_Any!]!)', 'query ($representations: [_Any!]!, $first: Int, $after: String)');
  const nodes: { id: string; postedAt: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const result = await run(schema, query, {
      ...options,
      variables: { representations: [{ __typename: bank.typename, id: accountId }], first: pageSize, after },
    });
    if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
    const page = result.data._entities[0].transactions;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}
