import { addMonths } from '../consent/store/calendar';
import { ConsentStoreError, wrapDriverError } from '../consent/store/ConsentStoreError';
import type { SqlClient } from '../consent/store/SqlClient';
import type { ConsentReason } from '../errors';
import { AUDIT_RETENTION_MONTHS, type AuditEntry, type AuditFilter, type AuditRecord, type AuditTrail } from './types';

// One INSERT per write whatever the number of rows: the records as one JSON parameter, expanded by the
// database under their own (camelCase) keys, through a prepared statement. Measured on PGlite, an 18-row
// INSERT cost ~55% less CPU than with one array parameter per column through the extended protocol, and
// there is nothing to map per row on our side. The JSON is nested per request (auditRequestsJson): what
// every row of a request shares (time, ids, user, operation) is sent once, not once per row; on PGlite
// that made loading a w1 request's five rows 0.6-0.9x as costly (test/bench/auditRowCost.ts, README).
const INSERT_STATEMENT = 'consentgate_audit_insert_v3';
const insertFrom = (requests: string, where = '') => `INSERT INTO consent_audit (at, request_id, user_id, bank,
    grant_id, operation_name, operation_hash, fields, fields_paths, outcome, reason)
  SELECT q.at, q."requestId", q."userId", d.bank, d."grantId", q."operationName", q."operationHash", d.coordinates,
    d."pathsCounts", d.outcome, d.reason
  FROM json_to_recordset(${requests}) AS q(at timestamptz, "requestId" text, "userId" text, "operationName" text,
      "operationHash" text, decisions json),
    json_to_recordset(q.decisions) AS d(bank text, "grantId" text, coordinates text[], "pathsCounts" int4[],
      outcome text, reason text)${where}`;
const INSERT_SQL = insertFrom('$1::json');

// A journal segment: {"journal", "segment", "requests"}. Its rows go in only if the same statement moves the
// journal's marker forward to this segment, so a segment loaded before (a crash between the load and the
// file's removal) inserts nothing the second time.
const LOAD_SEGMENT_STATEMENT = 'consentgate_audit_load_segment_v2';
const LOAD_SEGMENT_SQL = `WITH advanced AS (
    INSERT INTO consent_audit_journal AS j (journal, segment)
    VALUES ($1::json->>'journal', ($1::json->>'segment')::bigint)
    ON CONFLICT (journal) DO UPDATE SET segment = EXCLUDED.segment WHERE j.segment < EXCLUDED.segment
    RETURNING 1)
  ${insertFrom(`$1::json->'requests'`, ' WHERE EXISTS (SELECT 1 FROM advanced)')}`;

/** What the rows of one request share, sent once, and its decisions (the rest of each row). */
type AuditRequest = Pick<AuditRecord, 'at' | 'requestId' | 'userId' | 'operationName' | 'operationHash'> & {
  decisions: Pick<AuditRecord, 'bank' | 'grantId' | 'coordinates' | 'pathsCounts' | 'outcome' | 'reason'>[];
};

/**
 * The records as the insert takes them: one JSON object per request (a run of records sharing time,
 * request, user and operation), its decisions inside. Returns each request's JSON text, in order; a
 * JSON array of them is what INSERT_SQL and a journal segment load.
 */
export function auditRequestsJson(records: readonly AuditRecord[]): string[] {
  const requests: AuditRequest[] = [];
  let last: AuditRequest | undefined;
  for (const r of records) {
    if (!last || last.requestId !== r.requestId || last.at.getTime() !== r.at.getTime() || last.userId !== r.userId
      || last.operationName !== r.operationName || last.operationHash !== r.operationHash) {
      last = { at: r.at, requestId: r.requestId, userId: r.userId, operationName: r.operationName, operationHash: r.operationHash, decisions: [] };
      requests.push(last);
    }
    last.decisions.push({ bank: r.bank, grantId: r.grantId, coordinates: r.coordinates, pathsCounts: r.pathsCounts, outcome: r.outcome, reason: r.reason });
  }
  return requests.map((request) => JSON.stringify(request));
}

/** The JSON array INSERT_SQL and a journal segment load: auditRequestsJson's texts, joined. */
export const auditRequestsJsonArray = (records: readonly AuditRecord[]): string => `[${auditRequestsJson(records).join(',')}]`;

// Rows from before migration 004 hold one coordinate each: read as a list of one.
const COLUMNS = `id::text AS id, at, request_id, user_id, bank, grant_id, operation_name, operation_hash,
  coalesce(fields, ARRAY[coordinate]) AS coordinates, coalesce(fields_paths, ARRAY[paths_count]) AS paths_counts,
  outcome, reason`;

interface AuditRow {
  id: string; at: Date; request_id: string; user_id: string | null; bank: string; grant_id: string | null;
  operation_name: string | null; operation_hash: string; coordinates: string[]; paths_counts: number[];
  outcome: 'served' | 'stripped'; reason: string | null;
}

const DEFAULT_LIMIT = 1000;

/** The audit trail in the consent store's database (table consent_audit, migration 002). */
export function createSqlAuditTrail(client: SqlClient, now: () => Date, isClosed: () => boolean): AuditTrail {
  const guard = () => {
    if (isClosed()) throw new ConsentStoreError('STORE_FAILURE', 'consent store is closed');
  };
  return {
    async write(records) {
      guard();
      if (records.length === 0) return;
      try {
        await client.writeJson(INSERT_STATEMENT, INSERT_SQL, auditRequestsJsonArray(records));
      } catch (error) {
        throw wrapDriverError(error, `write ${records.length} audit record(s)`);
      }
    },

    async query(filter: AuditFilter = {}) {
      guard();
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: (p: string) => string, value: unknown) => {
        params.push(value);
        where.push(clause(`$${params.length}`));
      };
      if (filter.userId !== undefined) add((p) => `user_id = ${p}`, filter.userId);
      if (filter.bank !== undefined) add((p) => `bank = ${p}`, filter.bank);
      if (filter.grantId !== undefined) add((p) => `grant_id = ${p}`, filter.grantId);
      if (filter.since !== undefined) add((p) => `at >= ${p}`, filter.since);
      if (filter.until !== undefined) add((p) => `at < ${p}`, filter.until);
      const limit = filter.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1) {
        throw new ConsentStoreError('INVALID_INPUT', `limit must be a whole number of at least 1; received ${limit}`);
      }
      params.push(limit);
      const sql = `SELECT ${COLUMNS} FROM consent_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC LIMIT $${params.length}`;
      try {
        return (await client.query<AuditRow>(sql, params)).map(toEntry);
      } catch (error) {
        throw wrapDriverError(error, 'query the audit trail');
      }
    },

    async prune() {
      guard();
      const cutoff = addMonths(now(), -AUDIT_RETENTION_MONTHS);
      try {
        return await client.transaction(async (tx) => {
          // The trigger lets a DELETE through only with this transaction-local flag, and only for rows
          // older than three years by the database's own clock: a wrong store clock cannot prune more.
          await tx.query(`SELECT set_config('consentgate.audit_prune', 'on', true)`);
          const [row] = await tx.query<{ n: number }>(
            `WITH pruned AS (DELETE FROM consent_audit WHERE at < $1 RETURNING 1) SELECT count(*)::int4 AS n FROM pruned`,
            [cutoff]);
          return row?.n ?? 0;
        });
      } catch (error) {
        throw wrapDriverError(error, 'prune the audit trail');
      }
    },
  };
}

/** Where the audit journal (journalAuditTrail.ts) loads its segments: consent_audit and its marker (migration 005). */
export interface AuditSegmentSink {
  /** The last segment of `journal` already loaded; 0 when none. */
  loadedUpTo(journal: string): Promise<number>;
  /**
   * Loads one segment, `requests` being the JSON text of an array of requests' records as
   * auditRequestsJsonArray makes them, in one statement with the journal's marker; a segment at or below the
   * marker inserts nothing.
   */
  load(journal: string, segment: number, requests: string): Promise<void>;
}

export function createSqlAuditSegmentSink(client: SqlClient): AuditSegmentSink {
  return {
    async loadedUpTo(journal) {
      try {
        const [row] = await client.query<{ segment: string }>('SELECT segment::text AS segment FROM consent_audit_journal WHERE journal = $1', [journal]);
        return row ? Number(row.segment) : 0;
      } catch (error) {
        throw wrapDriverError(error, `read where audit journal '${journal}' was loaded up to`);
      }
    },
    async load(journal, segment, requests) {
      try {
        await client.writeJson(LOAD_SEGMENT_STATEMENT, LOAD_SEGMENT_SQL, `{"journal":${JSON.stringify(journal)},"segment":${segment},"requests":${requests}}`);
      } catch (error) {
        throw wrapDriverError(error, `load segment ${segment} of audit journal '${journal}'`);
      }
    },
  };
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id, at: row.at, requestId: row.request_id, userId: row.user_id, bank: row.bank, grantId: row.grant_id,
    operationName: row.operation_name, operationHash: row.operation_hash, coordinates: row.coordinates,
    pathsCounts: row.paths_counts, outcome: row.outcome, reason: row.reason as ConsentReason | null,
  };
}
