import type { Initiator } from '../types';
import type { ResolvedGrantInput } from './resolveGrantInput';

/**
 * Store-internal: inserts a grant as a finished record, with past use or revocation (demo seeding).
 * Keyed by a symbol so it stays off the public ConsentStore API; only stores made by
 * createConsentStore have it.
 */
export const INSERT_GRANT_RECORD = Symbol('consentgate.insertGrantRecord');

/** A grant with its whole history: what the seeder inserts. */
export interface GrantRecord extends ResolvedGrantInput {
  usedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: Initiator | null;
  revokeReason: string | null;
}

/** A store that can insert records; resolves false (and changes nothing) if the id exists. */
export interface GrantRecordInserter {
  [INSERT_GRANT_RECORD](record: GrantRecord): Promise<boolean>;
}

/** True when `store` was made by createConsentStore and accepts records. */
export function canInsertGrantRecords(store: object): store is GrantRecordInserter {
  return INSERT_GRANT_RECORD in store;
}
