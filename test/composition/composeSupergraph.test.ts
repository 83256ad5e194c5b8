import { describe, expect, it } from 'vitest';
import { composeSupergraph, type CompositionInput } from '../../gateway/composition/composeSupergraph';
import { buildConsentModel } from '../../gateway/supergraph/consentModel';
import { readSupergraph } from '../../gateway/supergraph/readSupergraph';

const LINKS = /* GraphQL */ `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@composeDirective"])
    @link(url: "https://specs.consentgate.dev/consent/v1.0", import: ["@consent"])
    @composeDirective(name: "@consent")
  directive @consent(scopes: [String!]!, dateField: String) on FIELD_DEFINITION | OBJECT | INTERFACE
`;

/** A minimal bank: one account type; `extra` is added to the account type, `more` to the SDL. */
function bank(name: string, typeName: string, extra = '', more = '', links = LINKS): CompositionInput {
  const sdl = /* GraphQL */ `
    ${links}
    interface Account { id: ID! displayName: String @consent(scopes: ["accounts:basic"]) }
    type ${typeName} implements Account @key(fields: "id") {
      id: ID!
      displayName: String @consent(scopes: ["accounts:basic"])
      ${extra}
    }
    ${more}
  `;
  return { name, url: `http://${name}/graphql`, sdl };
}

const platform: CompositionInput = { name: 'platform', url: 'http://platform/graphql', sdl: 'type Query { me: ID }' };

function errorsOf(...inputs: CompositionInput[]): string[] {
  const result = composeSupergraph(inputs);
  return result.ok ? [] : result.errors;
}

describe('Composition: consent checks', () => {
  it('composes banks and generates the platform stubs for their account types', () => {
    const result = composeSupergraph([platform, bank('northwind', 'NorthwindAccount'), bank('contoso', 'ContosoCardAccount')]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.platformSdl).toContain('type NorthwindAccount implements Account @key(fields: "id")');
    expect(result.platformSdl).toContain('type ContosoCardAccount implements Account @key(fields: "id")');
    const model = buildConsentModel(readSupergraph(result.supergraphSdl));
    expect(model.accountTypeOfBank.get('contoso')).toBe('ContosoCardAccount');
    expect(model.requirements.get('NorthwindAccount.displayName')?.scopes).toEqual(['accounts:basic']);
  });

  it('fails when a bank uses @consent without linking the spec', () => {
    const noLink = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
      directive @consent(scopes: [String!]!, dateField: String) on FIELD_DEFINITION | OBJECT | INTERFACE`;
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', '', '', noLink))).toEqual([
      `subgraph 'northwind' uses @consent but does not @link the consent spec; add extend schema @link(url: "https://specs.consentgate.dev/consent/v1.0", import: ["@consent"]) @composeDirective(name: "@consent")`,
    ]);
  });

  it('fails when a bank links the spec but does not @composeDirective it', () => {
    const noCompose = `extend schema
        @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
        @link(url: "https://specs.consentgate.dev/consent/v1.0", import: ["@consent"])
      directive @consent(scopes: [String!]!, dateField: String) on FIELD_DEFINITION | OBJECT | INTERFACE`;
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', '', '', noCompose))).toEqual([
      `subgraph 'northwind' uses @consent but does not @composeDirective it; add @composeDirective(name: "@consent") to its schema extension`,
    ]);
  });

  it('fails when the spec URL carries no version', () => {
    const unversioned = LINKS.replace('consent/v1.0', 'consent');
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', '', '', unversioned))[0]).toMatch(
      /^subgraph 'northwind' links the consent spec as https:\/\/specs.consentgate.dev\/consent; the URL must end in a version vMAJOR.MINOR/,
    );
  });

  it('fails on a scope outside the vocabulary', () => {
    const errors = errorsOf(platform, bank('northwind', 'NorthwindAccount', 'iban: String @consent(scopes: ["accounts:iban"])'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^subgraph 'northwind': unknown scope 'accounts:iban' in @consent on NorthwindAccount.iban; known scopes: accounts:basic, /);
  });

  it('fails on a guarded field that is non-nullable', () => {
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', 'balance: String! @consent(scopes: ["balances:read"])'))).toEqual([
      `subgraph 'northwind': NorthwindAccount.balance needs consent (balances:read) but is non-nullable (String!); a stripped field becomes null, which would null its parent: make it nullable`,
    ]);
  });

  it('counts type-level consent when checking nullability', () => {
    const more = 'type NorthwindStatement @consent(scopes: ["statements:read"]) { id: ID! } type NorthwindBook { latest: NorthwindStatement! }';
    const errors = errorsOf(platform, bank('northwind', 'NorthwindAccount', 'book: NorthwindBook', more));
    expect(errors.some((e) => e.includes('NorthwindStatement.id needs consent (statements:read) but is non-nullable (ID!)'))).toBe(true);
  });

  it('fails when a bank has two account entity types', () => {
    const more = 'type NorthwindSavings implements Account @key(fields: "id") { id: ID! displayName: String @consent(scopes: ["accounts:basic"]) }';
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', '', more))[0]).toMatch(
      /^subgraph 'northwind' declares 2 entity types implementing Account \(NorthwindAccount, NorthwindSavings\); the bank contract requires exactly one/,
    );
  });

  it('fails when dateField names no field of the type', () => {
    const more = 'type NorthwindTx @consent(scopes: ["transactions:basic"], dateField: "when") { id: ID }';
    expect(errorsOf(platform, bank('northwind', 'NorthwindAccount', 'tx: NorthwindTx', more))).toContain(
      `subgraph 'northwind': @consent on NorthwindTx names dateField 'when', which is not a field of NorthwindTx`,
    );
  });

  it('reports SDL that does not parse with the subgraph name', () => {
    expect(errorsOf(platform, { name: 'contoso', url: 'http://contoso', sdl: 'type Query {' })[0]).toMatch(/^subgraph 'contoso': SDL does not parse: Syntax Error/);
  });

  it('reports composer errors', () => {
    const clash = bank('contoso', 'ContosoCardAccount', '', 'type Money @shareable { amount: Int }');
    const other = bank('northwind', 'NorthwindAccount', '', 'type Money @shareable { amount: String }');
    const errors = errorsOf(platform, clash, other);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.startsWith('composition: '))).toBe(true);
  });
});

describe('Composition: non-null guarded fields under a guarded parent', () => {
  const more = /* GraphQL */ `
    type NorthwindTx @consent(scopes: ["transactions:basic"]) { id: ID }
    type NorthwindTxPage { nodes: [NorthwindTx!]! }
  `;

  it('accepts a non-null list of guarded items when every field reaching it needs the same scopes', () => {
    const result = composeSupergraph([platform, bank('northwind', 'NorthwindAccount', 'txs: NorthwindTxPage @consent(scopes: ["transactions:basic"])', more)]);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('rejects it when a field reaching it needs less', () => {
    const errors = errorsOf(platform, bank('northwind', 'NorthwindAccount', 'txs: NorthwindTxPage @consent(scopes: ["accounts:basic"])', more));
    expect(errors.some((e) => e.includes('NorthwindTxPage.nodes needs consent (transactions:basic) but is non-nullable'))).toBe(true);
  });
});
