import { randomUUID } from 'node:crypto';
import { SCOPES, isScope } from '../../../schema/scopes';
import type { GrantInput } from '../types';
import { oneYearAfter } from './calendar';
import { ConsentStoreError } from './ConsentStoreError';

/** A GrantInput after validation, with every default applied: what gets inserted. */
export interface ResolvedGrantInput {
  id: string;
  userId: string;
  bank: string;
  scopes: string[];
  accounts: string[];
  grantedAt: Date;
  expiresAt: Date;
  oneTime: boolean;
  historyMonths: number | null;
}

/** The longest transaction history window a grant may allow, in months (ten years). */
export const MAX_HISTORY_MONTHS = 120;

/**
 * Checks a grant against the consent model (CONSENT.md, "A grant") before any SQL runs, and applies
 * defaults (id: random UUID, grantedAt: `now`, expiresAt: grantedAt + 1 year). Throws an INVALID_INPUT
 * ConsentStoreError that states the rule and the value received. Duplicate scopes/accounts are dropped.
 */
export function resolveGrantInput(input: GrantInput, now: Date): ResolvedGrantInput {
  const id = input.id ?? randomUUID();
  assertNonEmptyString('id', id);
  assertNonEmptyString('userId', input.userId);
  assertNonEmptyString('bank', input.bank);

  const scopes = unique(input.scopes);
  if (scopes.length === 0) invalid('a grant needs at least one scope; received []');
  for (const scope of scopes) {
    if (!isScope(scope)) invalid(`unknown scope '${scope}'; known scopes: ${SCOPES.join(', ')}`);
  }

  // CONSENT.md: a grant lists the accounts it covers, "never everything by default".
  const accounts = unique(input.accounts);
  if (accounts.length === 0) {
    invalid('a grant needs at least one account id (it never covers every account); received []');
  }
  for (const account of accounts) assertNonEmptyString('account id', account);

  const grantedAt = input.grantedAt ?? now;
  assertValidDate('grantedAt', grantedAt);
  const latest = oneYearAfter(grantedAt);
  const expiresAt = input.expiresAt ?? latest;
  assertValidDate('expiresAt', expiresAt);
  if (expiresAt.getTime() <= grantedAt.getTime()) {
    invalid(
      `expiresAt must be after grantedAt (${grantedAt.toISOString()}); ` +
        `received ${expiresAt.toISOString()}`,
    );
  }
  // Time-bound consent, at most one year (CFPB 1033 re-authorisation); no slack.
  if (expiresAt.getTime() > latest.getTime()) {
    invalid(
      `expiresAt must be at most one year after grantedAt (${grantedAt.toISOString()}), ` +
        `so no later than ${latest.toISOString()}; received ${expiresAt.toISOString()}`,
    );
  }

  const historyMonths = input.historyMonths ?? null;
  if (
    historyMonths !== null &&
    (!Number.isInteger(historyMonths) || historyMonths < 1 || historyMonths > MAX_HISTORY_MONTHS)
  ) {
    invalid(
      `historyMonths must be a whole number from 1 to ${MAX_HISTORY_MONTHS}, or null for no window; ` +
        `received ${historyMonths}`,
    );
  }

  const oneTime = input.oneTime ?? false;
  if (typeof oneTime !== 'boolean') invalid(`oneTime must be true or false; received ${String(oneTime)}`);

  const { userId, bank } = input;
  return { id, userId, bank, scopes, accounts, grantedAt, expiresAt, oneTime, historyMonths };
}

function unique(values: readonly string[] | undefined): string[] {
  return [...new Set(values ?? [])];
}

function assertNonEmptyString(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    invalid(`${what} must be a non-empty string; received ${quote(value)}`);
  }
}

function assertValidDate(what: string, value: unknown): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    invalid(`${what} must be a valid Date; received ${String(value)}`);
  }
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

function invalid(message: string): never {
  throw new ConsentStoreError('INVALID_INPUT', message);
}
