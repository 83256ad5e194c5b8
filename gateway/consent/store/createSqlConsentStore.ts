import DataLoader from 'dataloader';
import { createSqlAuditTrail } from '../../audit/createSqlAuditTrail';
import type { ConsentStore, Grant, GrantFilter, GrantInput, GrantOwner, GrantStatus, Initiator } from '../types';
import { ConsentStoreError, driverErrorCode, wrapDriverError } from './ConsentStoreError';
import { INSERT_GRANT_RECORD, type GrantRecord, type GrantRecordInserter } from './grantRecord';
import { GRANT_COLUMNS, GRANTS_WITH_STATUS, toGrant, type GrantRow } from './grantRows';
import { resolveGrantInput } from './resolveGrantInput';
import type { SqlClient } from './SqlClient';

const INITIATORS: readonly Initiator[] = ['customer', 'bank', 'platform'];
const STATUSES: readonly GrantStatus[] = ['active', 'expired', 'revoked'];

const INSERT_SQL = `INSERT INTO grants (id, user_id, bank, scopes, accounts, granted_at, expires_at,
    one_time, history_months, used_at, revoked_at, revoked_by, revoke_reason)
  VALUES ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`;

/**
 * The ConsentStore over a migrated database. `now` is the clock for defaults, revocation, use and
 * status. Every failure is a ConsentStoreError; a driver error only ever appears as its `cause`.
 */
export function createSqlConsentStore(
  client: SqlClient,
  now: () => Date,
): ConsentStore & GrantRecordInserter {
  let closing: Promise<void> | undefined;

  /** Runs one statement whose $1 is now; a driver error becomes `explain`'s error or "could not <doing>". */
  async function run(
    doing: string,
    sql: string,
    params: unknown[],
    explain?: (error: unknown) => ConsentStoreError | undefined,
  ): Promise<GrantRow[]> {
    if (closing) throw new ConsentStoreError('STORE_FAILURE', 'consent store is closed');
    try {
      return await client.query<GrantRow>(sql, [now(), ...params]);
    } catch (error) {
      throw explain?.(error) ?? wrapDriverError(error, doing);
    }
  }

  async function insert(r: GrantRecord, onConflict: string): Promise<GrantRow[]> {
    const params = [r.id, r.userId, r.bank, r.scopes, r.accounts, r.grantedAt, r.expiresAt,
      r.oneTime, r.historyMonths, r.usedAt, r.revokedAt, r.revokedBy, r.revokeReason];
    const sql = `${INSERT_SQL} ${onConflict} RETURNING ${GRANT_COLUMNS}`;
    return run(`record grant '${r.id}'`, sql, params, (error) => {
      switch (driverErrorCode(error)) {
        case '23505':
          return new ConsentStoreError('ALREADY_EXISTS',
            `grant '${r.id}' already exists; grant ids are never reused`, { cause: error });
        case '23514': {
          // Validation mirrors every CHECK, so this means the two drifted apart: name the rule.
          const rule = (error as { constraint?: string }).constraint ?? 'a CHECK constraint';
          return new ConsentStoreError('INVALID_INPUT',
            `grant '${r.id}' breaks the grants table rule ${rule}`, { cause: error });
        }
        default:
          return undefined;
      }
    });
  }

  /** After a write matched no row: the row as it is, or NOT_FOUND. */
  async function current(id: string, doing: string): Promise<GrantRow> {
    const [row] = await run(doing, `SELECT ${GRANT_COLUMNS} FROM grants WHERE id = $2`, [id]);
    if (!row) throw new ConsentStoreError('NOT_FOUND', `grant '${id}' does not exist`);
    return row;
  }

  async function list(filter: GrantFilter = {}): Promise<Grant[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const match = (column: string, value: unknown) => {
      params.push(value);
      where.push(`${column} = $${params.length + 1}`);
    };
    if (filter.userId !== undefined) match('user_id', filter.userId);
    if (filter.bank !== undefined) match('bank', filter.bank);
    if (filter.status !== undefined) {
      if (!STATUSES.includes(filter.status)) {
        throw new ConsentStoreError('INVALID_INPUT',
          `status must be one of ${STATUSES.join(', ')}; received '${filter.status}'`);
      }
      match('status', filter.status);
    }
    return (await listRows(where, params)).map(toGrant);
  }

  /** Grants rows matching every clause of `where` (its parameters from $2), newest first. */
  function listRows(where: string[], params: unknown[]): Promise<GrantRow[]> {
    return run('list grants', `SELECT * FROM ${GRANTS_WITH_STATUS}
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY granted_at DESC, id`, params);
  }

  // The grants reads of requests that arrive in the same turn of the event loop go to the database as one
  // statement. Each read still starts after its request arrived, so a revocation committed before then
  // applies (README "Across instances"); each request gets its own user's rows as objects of its own; a
  // failed statement fails every read in it.
  // A batch of one user is list's own statement (`user_id = $2`): PostgreSQL plans `= ANY($2)` for a list,
  // which cost it ~1.8x the CPU for one user (test/bench/preparedGrantsRead.ts).
  const grantsByUser = new DataLoader<string, Grant[]>(async (userIds) => {
    const users = [...new Set(userIds)];
    const rows = users.length === 1 ? await listRows(['user_id = $2'], users) : await listRows(['user_id = ANY($2)'], [users]);
    const byUser = new Map<string, GrantRow[]>();
    for (const row of rows) {
      const own = byUser.get(row.user_id);
      if (own) own.push(row);
      else byUser.set(row.user_id, [row]);
    }
    return userIds.map((userId) => (byUser.get(userId) ?? []).map(toGrant));
  }, { cache: false, batchScheduleFn: (send) => setImmediate(send) });

  return {
    grantsForUser: (userId) => grantsByUser.load(userId),
    list,

    async grant(input: GrantInput): Promise<Grant> {
      const resolved = resolveGrantInput(input, now());
      const [row] = await insert(
        { ...resolved, usedAt: null, revokedAt: null, revokedBy: null, revokeReason: null }, '');
      return toGrant(row!);
    },

    async revoke(id: string, by: Initiator, reason: string, owner: GrantOwner = {}): Promise<Grant> {
      if (!INITIATORS.includes(by)) {
        throw new ConsentStoreError('INVALID_INPUT',
          `a grant is revoked by one of ${INITIATORS.join(', ')}; received '${by}'`);
      }
      const doing = `revoke grant '${id}'`;
      // One statement: of two concurrent revocations exactly one matches `revoked_at IS NULL`.
      // Owner filters are part of the WHERE clause, so checking and revoking are one atomic statement.
      const [row] = await run(doing,
        `UPDATE grants SET revoked_at = $1, revoked_by = $3, revoke_reason = $4
          WHERE id = $2 AND revoked_at IS NULL
            AND ($5::text IS NULL OR user_id = $5) AND ($6::text IS NULL OR bank = $6)
          RETURNING ${GRANT_COLUMNS}`,
        [id, by, typeof reason === 'string' && reason.trim() !== '' ? reason : null,
          owner.userId ?? null, owner.bank ?? null]);
      if (row) return toGrant(row);
      const { revoked_at, revoked_by, user_id, bank } = await current(id, doing);
      if ((owner.userId !== undefined && user_id !== owner.userId) || (owner.bank !== undefined && bank !== owner.bank)) {
        throw new ConsentStoreError('NOT_FOUND', `grant '${id}' does not exist`);
      }
      throw new ConsentStoreError('ALREADY_REVOKED',
        `grant '${id}' is already revoked (at ${revoked_at!.toISOString()} by ${revoked_by})`);
    },

    async markUsed(id: string): Promise<boolean> {
      const doing = `mark grant '${id}' used`;
      // Concurrent requests race on `used_at IS NULL`; PostgreSQL re-checks the condition once it holds
      // the row lock, so exactly one wins. A revoked or expired grant can no longer be used.
      const [row] = await run(doing,
        `UPDATE grants SET used_at = $1
          WHERE id = $2 AND one_time AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
          RETURNING ${GRANT_COLUMNS}`,
        [id]);
      if (row) return true;
      if (!(await current(id, doing)).one_time) {
        throw new ConsentStoreError('INVALID_INPUT',
          `grant '${id}' is not one-time; markUsed consumes one-time grants only`);
      }
      return false;
    },

    audit: createSqlAuditTrail(client, now, () => closing !== undefined),

    async [INSERT_GRANT_RECORD](record: GrantRecord): Promise<boolean> {
      return (await insert(record, 'ON CONFLICT (id) DO NOTHING')).length === 1;
    },

    close() {
      closing ??= client.close().catch((error: unknown) => {
        throw wrapDriverError(error, 'close its database connection');
      });
      return closing;
    },
  };
}
