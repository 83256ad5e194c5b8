import { addMonths } from '../consent/store/calendar';
import { ConsentStoreError, wrapDriverError } from '../consent/store/ConsentStoreError';
import type { SqlClient } from '../consent/store/SqlClient';
import type { ConsentReason } from '../errors';
import { AUDIT_RETENTION_MONTHS, type AuditEntry, type AuditFilter, type AuditRecord, type AuditTrail } from './types';

// One INSERT per write whatever the number of records: the requests as one JSON parameter, expanded by
// the database under their own (camelCase) keys, through a prepared statement (on PGlite ~55% less CPU than
// one array parameter per column through the extended protocol, measured on an 18-row INSERT). One row per
// request, its decisions inside as they are sent (migration 006): on PGlite a w1 request's load cost
// ~0.6x the five rows per decision it wrote before (test/bench/auditRowCost.ts, README "Performance").
const INSERT_STATEMENT = 'consentgate_audit_insert_v4';
const insertFrom = (requests: string, where = '', table = 'consent_audit_request') => `INSERT INTO ${table} (at,
    request_id, user_id, operation_name, operation_hash, decisions)
  SELECT q.at, q."requestId", q."userId", q."operationName", q."operationHash", q.decisions
  FROM jsonb_to_recordset(${requests}) AS q(at timestamptz, "requestId" text, "userId" text, "operationName" text,
    "operationHash" text, decisions jsonb)${where}`;
const INSERT_SQL = insertFrom('$1::jsonb');
/** The write's INSERT into another table of consent_audit_request's columns (test/bench/auditRowCost.ts compares index sets). */
export const auditInsertSqlInto = (table: string) => insertFrom('$1::jsonb', '', table);

// A journal segment: {"journal", "segment", "requests"}. Its rows go in only if the same statement moves the
// journal's marker forward to this segment, so a segment loaded before (a crash between the load and the
// file's removal) inserts nothing the second time. jsonb, parsed once: each of the three keys read from a
// json parameter parsed the whole segment again (~0.25x of a w1 request's load on PGlite).
const LOAD_SEGMENT_STATEMENT = 'consentgate_audit_load_segment_v3';
const LOAD_SEGMENT_SQL = `WITH advanced AS (
    INSERT INTO consent_audit_journal AS j (journal, segment)
    VALUES ($1::jsonb->>'journal', ($1::jsonb->>'segment')::bigint)
    ON CONFLICT (journal) DO UPDATE SET segment = EXCLUDED.segment WHERE j.segment < EXCLUDED.segment
    RETURNING 1)
  ${insertFrom(`$1::jsonb->'requests'`, ' WHERE EXISTS (SELECT 1 FROM advanced)')}`;

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

// The trail is both tables read as one, newest first. consent_audit (before migration 006): one row per
// decision; rows from before migration 004 hold one coordinate, read as a list of one. consent_audit_request:
// a row per request, one entry per decision (AuditEntry's id). Each side is cut to the limit first (a request
// row matching the filter holds at least one matching decision), then the two together.
const querySql = (old: string[], request: string[], decision: string[], limit: string) => {
  const where = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');
  return `SELECT id, at, request_id, user_id, bank, grant_id, operation_name, operation_hash, coordinates, paths_counts,
    outcome, reason
  FROM ((SELECT id::text AS id, id AS seq, 0::bigint AS ord, at, request_id, user_id, bank, grant_id, operation_name,
        operation_hash, coalesce(fields, ARRAY[coordinate]) AS coordinates,
        coalesce(fields_paths, ARRAY[paths_count]) AS paths_counts, outcome, reason
      FROM consent_audit ${where(old)} ORDER BY at DESC, id DESC LIMIT ${limit})
    UNION ALL
    (SELECT r.id || '.' || d.ord, r.id, d.ord, r.at, r.request_id, r.user_id, d.bank, d."grantId", r.operation_name,
        r.operation_hash, d.coordinates, d."pathsCounts", d.outcome, d.reason
      FROM (SELECT * FROM consent_audit_request ${where(request)} ORDER BY at DESC, id DESC LIMIT ${limit}) AS r,
        ROWS FROM (jsonb_to_recordset(r.decisions) AS (bank text, "grantId" text, coordinates text[],
          "pathsCounts" int4[], outcome text, reason text))
          WITH ORDINALITY AS d(bank, "grantId", coordinates, "pathsCounts", outcome, reason, ord)
      ${where(decision)})) AS trail
  ORDER BY at DESC, seq DESC, ord DESC LIMIT ${limit}`;
};

interface AuditRow {
  id: string; at: Date; request_id: string; user_id: string | null; bank: string; grant_id: string | null;
  operation_name: string | null; operation_hash: string; coordinates: string[]; paths_counts: number[];
  outcome: 'served' | 'stripped'; reason: string | null;
}

const DEFAULT_LIMIT = 1000;

/**
 * The expressions migration 007 indexes (GIN, one per key): every decision's bank, every decision's grant
 * id, as a JSON array per request row. A query names them exactly as the indexes do, or PostgreSQL cannot
 * use them.
 */
export const DECISION_LOOKUPS = {
  bank: `jsonb_path_query_array(decisions, '$[*].bank')`,
  grantId: `jsonb_path_query_array(decisions, '$[*].grantId')`,
} as const;

/** The audit trail in the consent store's database: tables consent_audit_request and consent_audit (migrations 006, 002). */
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
      const limit = filter.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1) {
        throw new ConsentStoreError('INVALID_INPUT', `limit must be a whole number of at least 1; received ${limit}`);
      }
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      // Clauses on what a record shares with its request, then on the decision itself.
      const shared: string[] = [];
      if (filter.userId !== undefined) shared.push(`user_id = ${param(filter.userId)}`);
      if (filter.since !== undefined) shared.push(`at >= ${param(filter.since)}`);
      if (filter.until !== undefined) shared.push(`at < ${param(filter.until)}`);
      const old = [...shared];
      const request = [...shared];
      const decision: string[] = [];
      const wanted: { bank?: string; grantId?: string } = {};
      // The decision's own fields: a column of consent_audit, a key of a request row's decision.
      for (const [key, column] of [['bank', 'bank'], ['grantId', 'grant_id']] as const) {
        const value = filter[key];
        if (value === undefined) continue;
        const p = param(value);
        old.push(`${column} = ${p}`);
        decision.push(`d."${key}" = ${p}`);
        wanted[key] = value;
      }
      if (decision.length) {
        // The request rows holding a decision with this bank and this grant, found through the lookup
        // indexes on the decisions' banks and grant ids (migration 007); with both, `@>` keeps the rows where
        // one decision has both.
        for (const [key, expression] of Object.entries(DECISION_LOOKUPS) as [keyof typeof DECISION_LOOKUPS, string][]) {
          if (wanted[key] !== undefined) request.push(`${expression} @> ${param(JSON.stringify([wanted[key]]))}::jsonb`);
        }
        if (decision.length > 1) request.push(`decisions @> ${param(JSON.stringify([wanted]))}::jsonb`);
      }
      try {
        return (await client.query<AuditRow>(querySql(old, request, decision, param(limit)), params)).map(toEntry);
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
          // Counted in records: a request row holds one per decision.
          const [row] = await tx.query<{ n: number }>(`WITH
              old AS (DELETE FROM consent_audit WHERE at < $1 RETURNING 1),
              request AS (DELETE FROM consent_audit_request WHERE at < $1 RETURNING jsonb_array_length(decisions) AS n)
            SELECT ((SELECT count(*) FROM old) + coalesce((SELECT sum(n) FROM request), 0))::int4 AS n`, [cutoff]);
          return row?.n ?? 0;
        });
      } catch (error) {
        throw wrapDriverError(error, 'prune the audit trail');
      }
    },
  };
}

/** Where the audit journal (journalAuditTrail.ts) loads its segments: consent_audit_request, the marker (migrations 006, 005). */
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
