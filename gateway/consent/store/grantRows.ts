import type { Grant, GrantStatus, Initiator } from '../types';

/** A grants row as both drivers return it (timestamptz as Date, text[] as string[]). */
export interface GrantRow {
  id: string;
  user_id: string;
  bank: string;
  scopes: string[];
  accounts: string[];
  granted_at: Date;
  expires_at: Date;
  one_time: boolean;
  used_at: Date | null;
  history_months: number | null;
  revoked_at: Date | null;
  revoked_by: Initiator | null;
  revoke_reason: string | null;
  status: GrantStatus;
}

/**
 * The status rule, in one place (CONSENT.md, "A grant"): revoked if revoked_at is set; expired if
 * expires_at has passed or a one-time grant was used; otherwise active. `$1` is the store clock's now,
 * so status is derived at read time and never stored stale.
 */
const STATUS_SQL = `CASE
    WHEN revoked_at IS NOT NULL THEN 'revoked'
    WHEN expires_at <= $1::timestamptz OR (one_time AND used_at IS NOT NULL) THEN 'expired'
    ELSE 'active'
  END`;

/** The select list / RETURNING list that yields a GrantRow; the statement's $1 must be now. */
export const GRANT_COLUMNS = `id, user_id, bank, scopes, accounts, granted_at, expires_at, one_time,
  used_at, history_months, revoked_at, revoked_by, revoke_reason, ${STATUS_SQL} AS status`;

/** Grants with their derived status, as a relation to filter on; the statement's $1 must be now. */
export const GRANTS_WITH_STATUS = `(SELECT ${GRANT_COLUMNS} FROM grants) AS g`;

/** Maps a row to the public Grant shape. */
export function toGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    userId: row.user_id,
    bank: row.bank,
    scopes: row.scopes,
    accounts: row.accounts,
    grantedAt: row.granted_at,
    expiresAt: row.expires_at,
    oneTime: row.one_time,
    usedAt: row.used_at,
    historyMonths: row.history_months,
    status: row.status,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
    revokeReason: row.revoke_reason,
  };
}
