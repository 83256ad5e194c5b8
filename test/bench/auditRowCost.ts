/**
 * What an audit record costs embedded PGlite, by table shape (issue 4's evidence for the audit trail's
 * next shape; never part of `npm test`). One process, one PGlite in a temporary folder through the
 * product's client, schema and journal load (today's shape: a row per decision, the JSON nested per
 * request); every shape gets the same records (a w1 request: 5 decisions over 3 banks, one user, one
 * time), 10 requests per statement as the journal's loads see them under load, shapes interleaved per
 * round (WebAssembly tier-up makes the first rounds slower: compare within a round).
 * Usage: node --import tsx test/bench/auditRowCost.ts [--rounds 5] [--statements 200]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditRequestsJsonArray, createSqlAuditSegmentSink } from '../../gateway/audit/createSqlAuditTrail';
import type { AuditRecord } from '../../gateway/audit/types';
import { createPgliteClient } from '../../gateway/consent/store/createPgliteClient';
import { loadMigrations, runMigrations } from '../../gateway/consent/store/runMigrations';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, statements: { type: 'string', default: '200' } } });
const ROUNDS = Number(args.rounds);
const STATEMENTS = Number(args.statements);
const PER_STATEMENT = 10;

interface Shape {
  name: string;
  /** Loads one statement's JSON the way this shape would. */
  load(json: string): Promise<void>;
  /** From the journal's records to this shape's JSON text. */
  encode(records: AuditRecord[]): string;
}

const byRequest = (records: AuditRecord[]) => {
  const requests = new Map<string, Omit<AuditRecord, 'bank' | 'grantId' | 'coordinates' | 'pathsCounts' | 'outcome' | 'reason'> & { banks: string[]; grantIds: string[]; decisions: object[] }>();
  for (const r of records) {
    let q = requests.get(r.requestId);
    if (!q) requests.set(r.requestId, (q = { at: r.at, requestId: r.requestId, userId: r.userId, operationName: r.operationName, operationHash: r.operationHash, banks: [], grantIds: [], decisions: [] }));
    if (!q.banks.includes(r.bank)) q.banks.push(r.bank);
    if (r.grantId && !q.grantIds.includes(r.grantId)) q.grantIds.push(r.grantId);
    q.decisions.push({ bank: r.bank, grantId: r.grantId, coordinates: r.coordinates, pathsCounts: r.pathsCounts, outcome: r.outcome, reason: r.reason });
  }
  return [...requests.values()];
};

const BANKS = ['northwind', 'contoso', 'fabrikam'];
function requestRecords(): AuditRecord[] {
  const requestId = randomUUID();
  const at = new Date();
  const userId = `user-${requestId.charCodeAt(0) % 7}`;
  return [0, 1, 2, 3, 4].map((i) => ({
    at, requestId, userId, bank: BANKS[i % 3]!, grantId: i % 2 ? `grant-${BANKS[i % 3]}` : null,
    operationName: 'Dashboard', operationHash: 'a'.repeat(64),
    coordinates: ['NorthwindAccount.balance', 'NorthwindTransaction.amount', 'NorthwindTransaction.counterparty'],
    pathsCounts: [1, 20, 20], outcome: i % 2 ? 'served' : 'stripped', reason: i % 2 ? null : 'MISSING',
  }));
}

// The product's own client (its start parameters, its simple-protocol prepared statements) and schema.
const folder = mkdtempSync(join(tmpdir(), 'consentgate-audit-row-cost-'));
const client = await createPgliteClient(join(folder, 'pglite'), 'public');
try {
  await runMigrations(client, 'public', await loadMigrations());
  // The candidate shape: one row per request, its decisions inside, the queries by bank and grant through GIN.
  await client.exec(`CREATE TABLE per_request (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL,
      request_id text NOT NULL, user_id text, operation_name text, operation_hash text NOT NULL,
      banks text[] NOT NULL, grant_ids text[] NOT NULL, decisions jsonb NOT NULL);
    CREATE INDEX ON per_request (at); CREATE INDEX ON per_request (user_id, at);
    CREATE INDEX ON per_request USING gin (grant_ids); CREATE INDEX ON per_request USING gin (banks);`);
  const sink = createSqlAuditSegmentSink(client);
  let segment = 0;
  const shapes: Shape[] = [
    {
      name: 'rows per decision, sent nested per request (the journal\'s own load)',
      load: (json) => sink.load('audit-row-cost', ++segment, json),
      encode: auditRequestsJsonArray,
    },
    {
      name: 'one row per request (decisions jsonb, GIN on banks and grants)',
      load: (json) => client.writeJson('bench_per_request_v1', `INSERT INTO per_request (at, request_id, user_id, operation_name, operation_hash, banks, grant_ids, decisions)
        SELECT at, "requestId", "userId", "operationName", "operationHash", banks, "grantIds", decisions
        FROM json_to_recordset($1) AS r(at timestamptz, "requestId" text, "userId" text, "operationName" text, "operationHash" text,
          banks text[], "grantIds" text[], decisions jsonb)`, json),
      encode: (records) => JSON.stringify(byRequest(records)),
    },
    {
      name: 'the JSON passed in and validated only (no rows)',
      load: (json) => client.writeJson('bench_passed_v1', 'SELECT 1 WHERE $1 IS NOT NULL', json),
      encode: auditRequestsJsonArray,
    },
  ];
  const perRequest = new Map<string, number[]>();
  const bytes = new Map<string, number>();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const shape of shapes) {
      const statements = Array.from({ length: STATEMENTS }, () => shape.encode(Array.from({ length: PER_STATEMENT }, requestRecords).flat()));
      bytes.set(shape.name, statements[0]!.length / PER_STATEMENT);
      const before = process.cpuUsage();
      for (const json of statements) await shape.load(json);
      const used = process.cpuUsage(before);
      perRequest.set(shape.name, [...(perRequest.get(shape.name) ?? []), (used.user + used.system) / (STATEMENTS * PER_STATEMENT)]);
    }
  }
  console.log(`PGlite CPU per w1 request's audit records (5 decisions), µs, rounds 1..${ROUNDS}; ${PER_STATEMENT} requests per statement`);
  for (const shape of shapes) {
    console.log(`  ${shape.name.padEnd(66)} ${perRequest.get(shape.name)!.map((v) => v.toFixed(0).padStart(4)).join(' ')}   (${bytes.get(shape.name)!.toFixed(0)} bytes of JSON per request)`);
  }
} finally {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
}
