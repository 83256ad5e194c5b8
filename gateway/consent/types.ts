import type { AuditTrail } from '../audit/types';

/** Who ended a grant (CONSENT.md, "A grant"). */
export type Initiator = 'customer' | 'bank' | 'platform';

/** Derived at read time from revokedAt, expiresAt and one-time use; never stored stale. */
export type GrantStatus = 'active' | 'expired' | 'revoked';

/** One customer, one bank, one decision. Expired and revoked grants are kept as records. */
export interface Grant {
  id: string;
  userId: string;
  /** The bank's subgraph name. */
  bank: string;
  /** Scopes as granted (implications are applied when deciding, not stored). */
  scopes: string[];
  /** Account ids covered; never "everything". */
  accounts: string[];
  grantedAt: Date;
  /** At most one year after grantedAt. */
  expiresAt: Date;
  /** Good for one retrieval: consumed by the first request that is served data under it. */
  oneTime: boolean;
  usedAt: Date | null;
  /** How far back dated data (transactions) may be read, in months. Null: no window. */
  historyMonths: number | null;
  status: GrantStatus;
  revokedAt: Date | null;
  revokedBy: Initiator | null;
  revokeReason: string | null;
}

export interface GrantInput {
  /** Default: a random UUID. */
  id?: string;
  userId: string;
  bank: string;
  scopes: string[];
  accounts: string[];
  /** Default: now. */
  grantedAt?: Date;
  /** Default: grantedAt + 1 year, which is also the maximum. */
  expiresAt?: Date;
  /** Default false. */
  oneTime?: boolean;
  /** Default null (no window). */
  historyMonths?: number | null;
}

export interface GrantFilter {
  userId?: string;
  bank?: string;
  status?: GrantStatus;
}

/** Restricts a revocation to the grants of one user and/or one bank. */
export interface GrantOwner {
  userId?: string;
  bank?: string;
}

/**
 * Where grants live: PGlite embedded by default, PostgreSQL when DATABASE_URL is set.
 * Methods fail only with a ConsentStoreError (store/ConsentStoreError.ts): a plain message, never SQL.
 */
export interface ConsentStore {
  /** Every grant of one user, all statuses, newest first. One query. */
  grantsForUser(userId: string): Promise<Grant[]>;
  /** Validates (known scopes, non-empty accounts, expiry within a year) and inserts. */
  grant(input: GrantInput): Promise<Grant>;
  /**
   * Marks a grant revoked; the row stays. Throws NOT_FOUND if unknown, or if `owner` is given and the grant
   * is not that user's / that bank's (the same error: a caller never learns others' grants exist);
   * ALREADY_REVOKED if revoked before.
   */
  revoke(id: string, by: Initiator, reason: string, owner?: GrantOwner): Promise<Grant>;
  /**
   * Consumes an active one-time grant; false if it can no longer be used (already used, e.g. by a
   * concurrent request, revoked or expired). Throws for an unknown id or a grant that is not one-time.
   */
  markUsed(id: string): Promise<boolean>;
  list(filter?: GrantFilter): Promise<Grant[]>;
  /** The append-only audit trail, in the same database. */
  readonly audit: AuditTrail;
  close(): Promise<void>;
}
