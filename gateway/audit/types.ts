import type { ConsentReason } from '../errors';

/** served: the consent rule allowed the field; stripped: it was nulled with a consent error. */
export type AuditOutcome = 'served' | 'stripped';

/**
 * One record of the audit trail: the decisions of one request at one bank, under one grant, with one outcome
 * (and reason), listing the guarded fields they covered and how many paths each (CONSENT.md, "Records").
 * Stored since migration 006 with the other records of its request, in one row.
 */
export interface AuditRecord {
  at: Date;
  /** Random per request: groups the rows of one response. */
  requestId: string;
  /** Null for an anonymous request. */
  userId: string | null;
  bank: string;
  /** The grant that served the field, or the lapsed grant behind a REVOKED / EXPIRED strip; else null. */
  grantId: string | null;
  operationName: string | null;
  /** sha256 (hex) of the GraphQL document text. */
  operationHash: string;
  /** Schema coordinates of the fields, e.g. NorthwindAccount.balance; at least one. */
  coordinates: string[];
  /** How many response paths (list items, aliases) of each coordinate, in the same order; each at least 1. */
  pathsCounts: number[];
  outcome: AuditOutcome;
  /** Null when served. */
  reason: ConsentReason | null;
}

/**
 * A stored record, with its id: the row's sequence number, then (for records stored with their request,
 * migration 006) the record's place in the row, e.g. 42.3.
 */
export interface AuditEntry extends AuditRecord {
  id: string;
}

export interface AuditFilter {
  userId?: string;
  bank?: string;
  grantId?: string;
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  /** Default 1000. Newest records first. */
  limit?: number;
}

/** Records are kept at least this long (CFPB 1033: at least three years). */
export const AUDIT_RETENTION_MONTHS = 36;

/**
 * The append-only audit trail. Fails only with a ConsentStoreError. Nothing here updates a record;
 * prune deletes only records older than three years, which the table's trigger enforces as well.
 */
export interface AuditTrail {
  /** Inserts all `records` in one statement (nothing when empty); durable when it resolves. */
  write(records: readonly AuditRecord[]): Promise<void>;
  query(filter?: AuditFilter): Promise<AuditEntry[]>;
  /** Deletes records older than three years before the store clock's now; resolves to how many. */
  prune(): Promise<number>;
}
