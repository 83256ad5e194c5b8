import type { BankAnswer, BankGrantBody } from '../../schema/bankRequests';
import { ConsentStoreError } from '../consent/store/ConsentStoreError';
import type { ConsentStore, Grant, GrantInput } from '../consent/types';

// The contract's fields (schema/bankRequests.ts); anything else in a body is a mistake, refused by name.
const FIELDS = ['id', 'user', 'scopes', 'accounts', 'expiresAt', 'historyMonths', 'oneTime'] as const satisfies readonly (keyof BankGrantBody)[];
const USAGE = 'body must be JSON: {"id": "...", "user": "...", "scopes": ["..."], "accounts": ["..."], "expiresAt"?: "ISO 8601", "historyMonths"?: 24, "oneTime"?: false}';

/**
 * POST /banks/:bank/grants (signature checked by bankRoutes.ts): the bank confirms a consent its customer
 * gave at the bank, the way open-banking consents are born (the platform cannot grant itself access). The
 * grant is the bank's own, checked against the consent model like any other (CONSENT.md, "A grant").
 * `id` is the bank's consent id and is required, so that a retry or a replay changes nothing: the same
 * grant again answers 200 with the record as it stands (a revoked one stays revoked); the same id with
 * anything else, or another bank's, 409. 201 created, 400 a body or grant the model refuses (the message
 * states the rule), 503 store unavailable. grantedAt is the store's clock.
 */
export async function grantForBank(store: ConsentStore, bank: string, input: unknown): Promise<BankAnswer> {
  const parsed = parseGrantBody(input, bank);
  if (typeof parsed === 'string') return { status: 400, body: { error: 'BAD_REQUEST', message: parsed } };
  try {
    return { status: 201, body: grantBody(await store.grant(parsed)) };
  } catch (error) {
    if (error instanceof ConsentStoreError && error.code === 'INVALID_INPUT') return { status: 400, body: { error: 'BAD_REQUEST', message: error.message } };
    if (!(error instanceof ConsentStoreError && error.code === 'ALREADY_EXISTS')) return storeUnavailable();
  }
  try {
    const existing = (await store.list({ userId: parsed.userId, bank })).find((g) => g.id === parsed.id);
    if (existing && sameGrant(existing, parsed)) return { status: 200, body: grantBody(existing) };
  } catch {
    return storeUnavailable();
  }
  // Another grant holds the id (maybe another bank's): say no more than that.
  return { status: 409, body: { error: 'ALREADY_EXISTS', message: `grant id '${parsed.id}' is already used by another grant; a bank's consent id names one grant` } };
}

function storeUnavailable(): BankAnswer {
  return { status: 503, body: { error: 'STORE_UNAVAILABLE', message: 'the consent store is unavailable; retry' } };
}

/** The body as a GrantInput at `bank`, or why it is not one (the model's own rules are the store's to check). */
function parseGrantBody(input: unknown, bank: string): GrantInput & { id: string } | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return USAGE;
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown.length > 0) return `unknown field(s) ${unknown.map((k) => `'${k}'`).join(', ')}; ${USAGE}`;
  const strings = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');
  if (typeof body.id !== 'string' || body.id === '') return `"id" (the bank's consent id) is required; ${USAGE}`;
  if (typeof body.user !== 'string' || body.user === '') return `"user" (the platform's user id) is required; ${USAGE}`;
  if (!strings(body.scopes) || !strings(body.accounts)) return `"scopes" and "accounts" must be arrays of strings; ${USAGE}`;
  let expiresAt: Date | undefined;
  if (body.expiresAt !== undefined) {
    expiresAt = new Date(String(body.expiresAt));
    if (typeof body.expiresAt !== 'string' || Number.isNaN(expiresAt.getTime())) return `"expiresAt" must be an ISO 8601 instant; received ${JSON.stringify(body.expiresAt)}`;
  }
  if (body.historyMonths !== undefined && body.historyMonths !== null && typeof body.historyMonths !== 'number') return `"historyMonths" must be a whole number of months or null; received ${JSON.stringify(body.historyMonths)}`;
  if (body.oneTime !== undefined && typeof body.oneTime !== 'boolean') return `"oneTime" must be true or false; received ${JSON.stringify(body.oneTime)}`;
  return {
    id: body.id, userId: body.user, bank, scopes: body.scopes as string[], accounts: body.accounts as string[],
    expiresAt, historyMonths: body.historyMonths as number | null | undefined, oneTime: body.oneTime as boolean | undefined,
  };
}

/** True when `existing` is the grant the body asks for (a retry): same user, scopes, accounts and terms. */
function sameGrant(existing: Grant, wanted: GrantInput): boolean {
  const set = (values: string[]) => [...new Set(values)].sort().join('\u0000');
  return existing.userId === wanted.userId && set(existing.scopes) === set(wanted.scopes) && set(existing.accounts) === set(wanted.accounts) &&
    (wanted.expiresAt === undefined || existing.expiresAt.getTime() === wanted.expiresAt.getTime()) &&
    existing.historyMonths === (wanted.historyMonths ?? null) && existing.oneTime === (wanted.oneTime ?? false);
}

function grantBody(grant: Grant): Record<string, unknown> {
  const { id, userId, bank, scopes, accounts, grantedAt, expiresAt, oneTime, historyMonths, status } = grant;
  return { id, user: userId, bank, scopes, accounts, grantedAt, expiresAt, oneTime, historyMonths, status };
}
