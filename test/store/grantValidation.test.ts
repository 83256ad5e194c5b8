import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCOPES } from '../../schema/scopes';
import { INSERT_GRANT_RECORD, type GrantRecord } from '../../gateway/consent/store/grantRecord';
import type { ConsentStore, GrantInput } from '../../gateway/consent/types';
import { createClock, describeEachBackend, expectStoreError, OPEN_TIMEOUT } from './backends';

const clock = createClock('2026-03-10T12:00:00.000Z');
const VALID: GrantInput = {
  userId: 'val-user', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['nw-1'],
};

// Each row: what is wrong with the input, the change, the exact message.
const INVALID: [string, Partial<GrantInput>, string][] = [
  ['an unknown scope', { scopes: ['accounts:basic', 'foo:bar'] },
    `unknown scope 'foo:bar'; known scopes: ${SCOPES.join(', ')}`],
  ['no scopes', { scopes: [] }, 'a grant needs at least one scope; received []'],
  ['no accounts', { accounts: [] },
    'a grant needs at least one account id (it never covers every account); received []'],
  ['an empty account id', { accounts: ['nw-1', ''] }, "account id must be a non-empty string; received ''"],
  ['an empty user', { userId: '' }, "userId must be a non-empty string; received ''"],
  ['a blank bank', { bank: '  ' }, "bank must be a non-empty string; received '  '"],
  ['an empty id', { id: '' }, "id must be a non-empty string; received ''"],
  ['expiry a millisecond past one year', { expiresAt: new Date('2027-03-10T12:00:00.001Z') },
    'expiresAt must be at most one year after grantedAt (2026-03-10T12:00:00.000Z), so no later than ' +
      '2027-03-10T12:00:00.000Z; received 2027-03-10T12:00:00.001Z'],
  ['expiry equal to grantedAt', { expiresAt: new Date('2026-03-10T12:00:00.000Z') },
    'expiresAt must be after grantedAt (2026-03-10T12:00:00.000Z); received 2026-03-10T12:00:00.000Z'],
  ['expiry before grantedAt', { grantedAt: new Date('2026-01-01'), expiresAt: new Date('2025-12-31') },
    'expiresAt must be after grantedAt (2026-01-01T00:00:00.000Z); received 2025-12-31T00:00:00.000Z'],
  ['an invalid date', { expiresAt: new Date('nope') }, 'expiresAt must be a valid Date; received Invalid Date'],
  ['history of 0 months', { historyMonths: 0 },
    'historyMonths must be a whole number from 1 to 120, or null for no window; received 0'],
  ['history of 121 months', { historyMonths: 121 },
    'historyMonths must be a whole number from 1 to 120, or null for no window; received 121'],
  ['history of 1.5 months', { historyMonths: 1.5 },
    'historyMonths must be a whole number from 1 to 120, or null for no window; received 1.5'],
];

const RECORD: GrantRecord = {
  id: 'db-rule', userId: 'db-user', bank: 'northwind', scopes: ['accounts:basic'], accounts: ['nw-1'],
  grantedAt: new Date('2028-02-29T23:30:00.000Z'), expiresAt: new Date('2029-02-28T23:30:00.000Z'),
  oneTime: false, historyMonths: null, usedAt: null, revokedAt: null, revokedBy: null, revokeReason: null,
};

// Each row: the change that slips past validation (records are inserted unchecked), the table's rule.
const TABLE_RULES: [string, Partial<GrantRecord>][] = [
  ['grants_expires_within_one_year', { expiresAt: new Date('2029-03-01T00:00:00.000Z') }],
  ['grants_expires_after_granted', { expiresAt: RECORD.grantedAt }],
  ['grants_accounts_not_empty', { accounts: [] }],
  ['grants_scopes_not_empty', { scopes: [] }],
  ['grants_history_months_range', { historyMonths: 121 }],
  ['grants_user_id_not_empty', { userId: '' }],
  ['grants_revocation_complete', { revokedAt: new Date('2028-03-01'), revokedBy: null }],
  ['grants_used_only_if_one_time', { usedAt: new Date('2028-03-01') }],
];

describeEachBackend('Store grant(): input is checked before it reaches the database', (backend) => {
  let store: ConsentStore;
  beforeAll(async () => { store = await backend.open({ now: clock.now }); }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it.each(INVALID)('rejects %s with a message stating the rule and the value', async (_, change, message) => {
    await expectStoreError(store.grant({ ...VALID, ...change }), 'INVALID_INPUT', message);
    expect(await store.grantsForUser(change.userId ?? VALID.userId)).toEqual([]);
  });

  it('accepts an expiry of exactly one year, the default', async () => {
    const grant = await store.grant({ ...VALID, id: 'val-default' });
    expect(grant.grantedAt).toEqual(new Date('2026-03-10T12:00:00.000Z'));
    expect(grant.expiresAt).toEqual(new Date('2027-03-10T12:00:00.000Z'));
    const explicit = await store.grant({ ...VALID, id: 'val-explicit', expiresAt: grant.expiresAt });
    expect(explicit.expiresAt).toEqual(grant.expiresAt);
  });

  it('agrees with the database that 29 February plus one year is 28 February', async () => {
    const grantedAt = new Date('2028-02-29T23:30:00.000Z');
    const grant = await store.grant({ ...VALID, id: 'val-leap', grantedAt });
    expect(grant.expiresAt).toEqual(new Date('2029-02-28T23:30:00.000Z'));
    await expectStoreError(
      store.grant({ ...VALID, id: 'val-leap-late', grantedAt, expiresAt: new Date('2029-03-01T00:00:00.000Z') }),
      'INVALID_INPUT',
      'expiresAt must be at most one year after grantedAt (2028-02-29T23:30:00.000Z), so no later than ' +
        '2029-02-28T23:30:00.000Z; received 2029-03-01T00:00:00.000Z');
  });

  it('returns the stored grant with Dates, arrays and defaults, dropping duplicate scopes', async () => {
    const grant = await store.grant({
      ...VALID, id: 'val-shape', scopes: ['balances:read', 'balances:read'], accounts: ['x', 'y'],
      historyMonths: 24, oneTime: true,
    });
    expect(grant).toEqual({
      id: 'val-shape', userId: 'val-user', bank: 'northwind', scopes: ['balances:read'], accounts: ['x', 'y'],
      grantedAt: new Date('2026-03-10T12:00:00.000Z'), expiresAt: new Date('2027-03-10T12:00:00.000Z'),
      oneTime: true, usedAt: null, historyMonths: 24, status: 'active',
      revokedAt: null, revokedBy: null, revokeReason: null,
    });
  });

  it('gives a grant without an id a random UUID', async () => {
    const grant = await store.grant({ ...VALID, userId: 'val-uuid' });
    expect(grant.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses to reuse an id, without SQL in the message', async () => {
    await store.grant({ ...VALID, id: 'val-dup' });
    await expectStoreError(store.grant({ ...VALID, id: 'val-dup' }), 'ALREADY_EXISTS',
      "grant 'val-dup' already exists; grant ids are never reused");
  });
});

describeEachBackend('Store grants table: CHECK constraints hold the same rules', (backend) => {
  let store: ConsentStore & { [INSERT_GRANT_RECORD](record: GrantRecord): Promise<boolean> };
  beforeAll(async () => { store = (await backend.open({ now: clock.now })) as typeof store; }, OPEN_TIMEOUT);
  afterAll(() => store?.close());

  it.each(TABLE_RULES)('rejects a row that breaks %s', async (rule, change) => {
    await expectStoreError(store[INSERT_GRANT_RECORD]({ ...RECORD, ...change }), 'INVALID_INPUT',
      `grant 'db-rule' breaks the grants table rule ${rule}`);
  });

  it('accepts an expiry of exactly one calendar year in UTC', async () => {
    expect(await store[INSERT_GRANT_RECORD](RECORD)).toBe(true);
  });
});
