import { describe, expect, it } from 'vitest';
import { ASSERTION_HEADER, encodeAssertion } from '../../schema/assertion';
import { createSubgraphContext, perRequest } from '../../subgraphs/kit/context';
import { decodeCursor, encodeCursor } from '../../subgraphs/kit/cursor';
import { DateTimeScalar } from '../../subgraphs/kit/dateTimeScalar';
import { toMoney } from '../../subgraphs/kit/money';
import { clampFirst, compareNewestFirst, pageTransactions } from '../../subgraphs/kit/transactionPage';

const assertion = { user: 'alice', grants: [{ id: 'g1', scopes: ['accounts:basic'], accounts: ['a'], historyFrom: null }], links: [] };

describe('Kit: reading the consent assertion', () => {
  it.each([
    ['a Node header record', { [ASSERTION_HEADER]: encodeAssertion(assertion) }],
    ['a record with other casing', { 'X-ConsentGate-Assertion': encodeAssertion(assertion) }],
    ['a repeated header', { [ASSERTION_HEADER]: [encodeAssertion(assertion), 'ignored'] }],
    ['a Fetch Headers object', new Headers({ [ASSERTION_HEADER]: encodeAssertion(assertion) })],
  ])('reads the assertion from %s', (_label, headers) => {
    expect(createSubgraphContext(headers).assertion).toEqual(assertion);
  });

  it('yields no user and no grants when the header is missing', () => {
    expect(createSubgraphContext({}).assertion).toEqual({ user: '', grants: [], links: [] });
  });

  it('creates per-request state once per context object', () => {
    let created = 0;
    const stateOf = perRequest(() => ({ n: ++created }));
    const first = createSubgraphContext({});
    expect(stateOf(first)).toBe(stateOf(first));
    expect(stateOf(createSubgraphContext({}))).not.toBe(stateOf(first));
    expect(created).toBe(2);
  });
});

describe('Kit: money and dates', () => {
  it.each([
    [-4210, '-42.10'],
    [5, '0.05'],
    [-5, '-0.05'],
    [0, '0.00'],
    [123456789, '1234567.89'],
  ])('formats %i minor units as %s', (minor, amount) => {
    expect(toMoney(minor, 'USD')).toEqual({ amount, currency: 'USD' });
  });

  it('refuses a fractional amount of minor units', () => {
    expect(() => toMoney(1.5, 'USD')).toThrow('toMoney expects an integer number of minor units; received 1.5');
  });

  it('serialises DateTime in UTC to the second and rejects non-dates', () => {
    expect(DateTimeScalar.serialize(new Date('2026-11-24T08:00:00.000Z'))).toBe('2026-11-24T08:00:00Z');
    expect(DateTimeScalar.parseValue('2026-11-24T08:00:00Z')).toEqual(new Date('2026-11-24T08:00:00Z'));
    expect(() => DateTimeScalar.serialize('yesterday')).toThrow(/DateTime cannot represent/);
  });
});

describe('Kit: transaction pages', () => {
  const at = (day: number) => new Date(Date.UTC(2026, 0, day));
  // Two items share a timestamp so the id must break the tie.
  const items = [
    { id: 't1', postedAt: at(1) },
    { id: 't2', postedAt: at(2) },
    { id: 't3', postedAt: at(2) },
    { id: 't4', postedAt: at(3) },
  ].sort(compareNewestFirst);

  it('orders newest first with ties broken by id', () => {
    expect(items.map((i) => i.id)).toEqual(['t4', 't3', 't2', 't1']);
  });

  it('continues after a cursor, across a tie', () => {
    const first = pageTransactions(items, { first: 2 });
    expect(first.nodes.map((i) => i.id)).toEqual(['t4', 't3']);
    const second = pageTransactions(items, { first: 2, after: first.pageInfo.endCursor });
    expect(second).toEqual({ nodes: [items[2], items[3]], pageInfo: { hasNextPage: false, endCursor: encodeCursor(items[3]!) } });
  });

  it('continues correctly after a cursor whose item is no longer in the list', () => {
    const cursor = encodeCursor({ id: 't2x', postedAt: at(2) });
    expect(pageTransactions(items, { after: cursor }).nodes.map((i) => i.id)).toEqual(['t2', 't1']);
  });

  it.each([
    [null, 20],
    [undefined, 20],
    [-3, 0],
    [0, 0],
    [57, 57],
    [101, 100],
  ])('clamps first=%s to %i', (first, expected) => {
    expect(clampFirst(first)).toBe(expected);
  });

  it('round-trips a cursor and rejects one it did not issue', () => {
    const position = { id: 'nw-1', postedAt: at(5) };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    for (const bad of ['', 'abc', Buffer.from('["c1","not a date","x"]').toString('base64url'), Buffer.from('{"id":1}').toString('base64')]) {
      expect(() => decodeCursor(bad)).toThrow(/^Invalid cursor: "after" must be an endCursor returned by this connection; received /);
    }
  });
});
