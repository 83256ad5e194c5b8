/**
 * What an audit record costs embedded PGlite, by table shape (issue 4's evidence for the audit trail's
 * shape; never part of `npm test`). One process, one PGlite in a temporary folder through the product's
 * client, schema and journal load, against the shapes before it, each in a table of its own. Every shape
 * gets the same records: those of a bank dashboard request (w1) as the gateway journals them, 5 decisions
 * over 3 banks with 34 field coordinates in all, one user, one time. 10 requests per statement, as the
 * journal's loads see them under load; shapes interleaved per round (WebAssembly tier-up makes the first
 * rounds slower: compare within a round).
 * Usage: node --import tsx test/bench/auditRowCost.ts [--rounds 5] [--statements 200]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { auditInsertSqlInto, auditRequestsJsonArray, createSqlAuditSegmentSink } from '../../gateway/audit/createSqlAuditTrail';
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

// A w1 request's decisions, as a bench run journaled them (fields served at two banks' accounts and
// transactions, two fields stripped).
const ACCOUNT_FIELDS = ['bank', 'displayName', 'type', 'maskedNumber'];
const TRANSACTION_FIELDS = ['TransactionConnection.nodes', 'Transaction.id', 'Transaction.amount', 'Transaction.postedAt', 'Transaction.status', 'Transaction.description', 'Transaction.merchant'];
const DECISIONS: Pick<AuditRecord, 'bank' | 'coordinates' | 'pathsCounts' | 'outcome' | 'reason'>[] = [
  { bank: 'northwind', outcome: 'served', reason: null,
    coordinates: [...ACCOUNT_FIELDS, 'balance', 'transactions'].map((f) => `NorthwindAccount.${f}`).concat(TRANSACTION_FIELDS, ['NorthwindAccount.interestRate', 'NorthwindAccount.overdraftLimit']),
    pathsCounts: [2, 2, 2, 2, 2, 2, 2, 40, 40, 40, 40, 40, 40, 2, 2] },
  { bank: 'contoso', outcome: 'served', reason: null, coordinates: [...ACCOUNT_FIELDS, 'balance'].map((f) => `ContosoCardAccount.${f}`), pathsCounts: [1, 1, 1, 1, 1] },
  { bank: 'fabrikam', outcome: 'served', reason: null,
    coordinates: [...ACCOUNT_FIELDS, 'transactions'].map((f) => `FabrikamAccount.${f}`).concat(TRANSACTION_FIELDS),
    pathsCounts: [1, 1, 1, 1, 1, 1, 20, 20, 20, 20, 20, 20] },
  { bank: 'contoso', outcome: 'stripped', reason: 'MISSING', coordinates: ['ContosoCardAccount.transactions'], pathsCounts: [1] },
  { bank: 'fabrikam', outcome: 'stripped', reason: 'MISSING', coordinates: ['FabrikamAccount.balance'], pathsCounts: [1] },
];
function requestRecords(): AuditRecord[] {
  const requestId = randomUUID();
  const at = new Date();
  const userId = `user-${requestId.charCodeAt(0) % 7}`;
  return DECISIONS.map((d) => ({
    ...d, at, requestId, userId, grantId: d.outcome === 'served' ? `grant-${d.bank}-${userId}` : null,
    operationName: 'Dashboard', operationHash: 'a'.repeat(64), coordinates: [...d.coordinates], pathsCounts: [...d.pathsCounts],
  }));
}

// The product's own client (its start parameters, its simple-protocol prepared statements) and schema.
const folder = mkdtempSync(join(tmpdir(), 'consentgate-audit-row-cost-'));
const client = await createPgliteClient(join(folder, 'pglite'), 'public');
try {
  await runMigrations(client, 'public', await loadMigrations());
  const sink = createSqlAuditSegmentSink(client);
  // consent_audit_request's columns and CHECK in two copies: its indexes today, and as migration 006 made them.
  await client.exec(`CREATE TABLE bench_indexes_007 (LIKE consent_audit_request INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    CREATE TABLE bench_indexes_006 (LIKE consent_audit_request INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
    CREATE INDEX ON bench_indexes_006 (at);
    CREATE INDEX ON bench_indexes_006 (user_id, at);
    CREATE INDEX ON bench_indexes_006 USING gin (decisions jsonb_path_ops);`);
  let segment = 0;
  const shapes: Shape[] = [
    {
      name: 'one row per request (the journal\'s own load, migrations 006 and 007)',
      load: (json) => sink.load('audit-row-cost', ++segment, json),
      encode: auditRequestsJsonArray,
    },
    {
      name: 'the same INSERT without the journal\'s marker, migration 007\'s indexes',
      load: (json) => client.writeJson('bench_indexes_007_v1', auditInsertSqlInto('bench_indexes_007'), json),
      encode: auditRequestsJsonArray,
    },
    {
      name: 'the same INSERT, migration 006\'s GIN over the whole decisions instead',
      load: (json) => client.writeJson('bench_indexes_006_v1', auditInsertSqlInto('bench_indexes_006'), json),
      encode: auditRequestsJsonArray,
    },
    {
      name: 'rows per decision in consent_audit (the journal\'s load before migration 006)',
      load: (json) => client.writeJson('bench_rows_per_decision_v1', `WITH advanced AS (
          INSERT INTO consent_audit_journal AS j (journal, segment)
          VALUES ($1::json->>'journal', ($1::json->>'segment')::bigint)
          ON CONFLICT (journal) DO UPDATE SET segment = EXCLUDED.segment WHERE j.segment < EXCLUDED.segment
          RETURNING 1)
        INSERT INTO consent_audit (at, request_id, user_id, bank, grant_id, operation_name, operation_hash, fields,
          fields_paths, outcome, reason)
        SELECT q.at, q."requestId", q."userId", d.bank, d."grantId", q."operationName", q."operationHash", d.coordinates,
          d."pathsCounts", d.outcome, d.reason
        FROM json_to_recordset($1::json->'requests') AS q(at timestamptz, "requestId" text, "userId" text,
            "operationName" text, "operationHash" text, decisions json),
          json_to_recordset(q.decisions) AS d(bank text, "grantId" text, coordinates text[], "pathsCounts" int4[],
            outcome text, reason text)
        WHERE EXISTS (SELECT 1 FROM advanced)`, `{"journal":"audit-row-cost-before","segment":${++segment},"requests":${json}}`),
      encode: auditRequestsJsonArray,
    },
    {
      name: 'the JSON passed in and validated only (no rows)',
      load: (json) => client.writeJson('bench_passed_v1', 'SELECT 1 WHERE $1::json IS NOT NULL', json),
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
  console.log(`PGlite CPU per w1 request's audit records (5 decisions, 34 coordinates), µs, rounds 1..${ROUNDS}; ${PER_STATEMENT} requests per statement`);
  for (const shape of shapes) {
    console.log(`  ${shape.name.padEnd(80)} ${perRequest.get(shape.name)!.map((v) => v.toFixed(0).padStart(4)).join(' ')}   (${bytes.get(shape.name)!.toFixed(0)} bytes of JSON per request)`);
  }
} finally {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
}
