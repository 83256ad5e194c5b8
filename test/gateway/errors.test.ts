import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { consentError, ErrorCode } from '../../gateway/errors';

const consent = { bank: 'northwind', scopes: ['balances:read'], reason: 'MISSING' as const, account: 'nw-alice-sav' };
const path = ['me', 'accounts', 2, 'balance'];

describe('Errors: a consent error is a GraphQLError like the constructor makes', () => {
  it('has the prototype, name, own enumerable fields and JSON of new GraphQLError with a path and extensions', () => {
    const made = consentError(consent, path);
    const constructed = new GraphQLError(made.message, { path, extensions: { code: ErrorCode.UNAUTHORIZED_FIELD_OR_TYPE, consent } });
    expect(made).toBeInstanceOf(GraphQLError);
    expect(made).toBeInstanceOf(Error);
    expect(made.name).toBe(constructed.name);
    expect(Object.keys(made).sort()).toEqual(Object.keys(constructed).sort());
    for (const key of ['message', 'path', 'locations', 'extensions', 'nodes', 'source', 'positions', 'originalError'] as const) {
      expect(made[key]).toEqual(constructed[key]);
    }
    expect(made.toJSON()).toEqual(constructed.toJSON());
    expect(JSON.stringify(made)).toBe(JSON.stringify(constructed));
    expect(String(made)).toBe(String(constructed));
  });

  it('says which scopes to ask for at which bank', () => {
    expect(consentError(consent, path).toJSON()).toEqual({
      message: 'Consent required: balances:read at northwind',
      path,
      extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', consent },
    });
  });
});
