import type { ConsentStore, GrantInput, Initiator } from '../types';
import { addDays, addMonths, oneYearAfter } from './calendar';
import { ConsentStoreError } from './ConsentStoreError';
import { canInsertGrantRecords, INSERT_GRANT_RECORD } from './grantRecord';
import { resolveGrantInput } from './resolveGrantInput';

/** The demo's platform users; the demo banks hold accounts for them under fixed ids. */
export const DEMO_USERS = [
  { id: 'alice', description: 'Northwind checking in full (24 months), savings name only, Contoso card' },
  { id: 'bob', description: 'one Northwind grant that expired a month ago' },
  { id: 'carol', description: 'revoked Northwind grant, active Fabrikam loan grant (12 months)' },
  { id: 'dave', description: 'no grants at all' },
] as const satisfies readonly { id: string; description: string }[];

interface DemoGrant extends GrantInput {
  id: string;
  revoked?: { at: Date; by: Initiator; reason: string };
}

/** The demo grants, dated relative to `now`. */
export function buildDemoGrants(now: Date): DemoGrant[] {
  const thirtyDaysAgo = addDays(now, -30);
  const thirteenMonthsAgo = addMonths(now, -13);
  return [
    { id: 'g-alice-northwind-checking', userId: 'alice', bank: 'northwind',
      scopes: ['accounts:basic', 'balances:read', 'transactions:detail'], accounts: ['nw-alice-chk'],
      historyMonths: 24, grantedAt: thirtyDaysAgo, expiresAt: oneYearAfter(thirtyDaysAgo) },
    // The savings account is visible, but neither its balance nor its transactions.
    { id: 'g-alice-northwind-savings', userId: 'alice', bank: 'northwind',
      scopes: ['accounts:basic'], accounts: ['nw-alice-sav'], grantedAt: thirtyDaysAgo },
    { id: 'g-alice-contoso', userId: 'alice', bank: 'contoso',
      scopes: ['accounts:basic', 'balances:read'], accounts: ['cs-alice-card'], grantedAt: thirtyDaysAgo },
    // Granted 13 months ago for the maximum year: expired a month ago.
    { id: 'g-bob-northwind', userId: 'bob', bank: 'northwind',
      scopes: ['accounts:basic', 'balances:read', 'transactions:basic'], accounts: ['nw-bob-chk'],
      grantedAt: thirteenMonthsAgo, expiresAt: oneYearAfter(thirteenMonthsAgo) },
    { id: 'g-carol-northwind', userId: 'carol', bank: 'northwind',
      scopes: ['accounts:basic', 'balances:read', 'transactions:detail'], accounts: ['nw-carol-chk'],
      grantedAt: addDays(now, -90),
      revoked: { at: addDays(now, -2), by: 'customer', reason: 'customer withdrew consent in the app' } },
    { id: 'g-carol-fabrikam', userId: 'carol', bank: 'fabrikam',
      scopes: ['accounts:basic', 'balances:read', 'payments:scheduled'], accounts: ['fb-carol-loan'],
      historyMonths: 12, grantedAt: addDays(now, -14) },
  ];
}

/**
 * Inserts the demo grants that are not there yet (matched by their fixed ids), so it is safe to run
 * on every demo start. Needs a store made by createConsentStore: revoked grants are inserted as records.
 */
export async function seedDemoGrants(
  store: ConsentStore,
  now: Date = new Date(),
): Promise<{ inserted: string[]; existing: string[] }> {
  if (!canInsertGrantRecords(store)) {
    throw new ConsentStoreError('INVALID_INPUT',
      'seedDemoGrants needs a store made by createConsentStore; received another ConsentStore');
  }
  const inserted: string[] = [];
  const existing: string[] = [];
  for (const { revoked, ...input } of buildDemoGrants(now)) {
    const record = {
      ...resolveGrantInput(input, now),
      usedAt: null,
      revokedAt: revoked?.at ?? null,
      revokedBy: revoked?.by ?? null,
      revokeReason: revoked?.reason ?? null,
    };
    (await store[INSERT_GRANT_RECORD](record) ? inserted : existing).push(input.id);
  }
  return { inserted, existing };
}
