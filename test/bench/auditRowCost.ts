/**
 * What an audit record costs embedded PGlite, by table shape (issue 4's evidence for the audit trail's
 * shape; never part of `npm test`). One process, one PGlite in a temporary folder through the product's
 * client, schema and journal load (since migration 006: a row per request, its decisions inside), against
 * the shape before it (a row per decision in consent_audit, the JSON nested per request, its own SQL);
 * every shape gets the same records (a w1 request: 5 decisions over 3 banks, one user, one
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
  const sink = createSqlAuditSegmentSink(client);
  let segment = 0;
  const shapes: Shape[] = [
    {
      name: 'one row per request (the journal\'s own load, migration 006)',
      load: (json) => sink.load('audit-row-cost', ++segment, json),
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
  console.log(`PGlite CPU per w1 request's audit records (5 decisions), µs, rounds 1..${ROUNDS}; ${PER_STATEMENT} requests per statement`);
  for (const shape of shapes) {
    console.log(`  ${shape.name.padEnd(80)} ${perRequest.get(shape.name)!.map((v) => v.toFixed(0).padStart(4)).join(' ')}   (${bytes.get(shape.name)!.toFixed(0)} bytes of JSON per request)`);
  }
} finally {
  await client.close();
  rmSync(folder, { recursive: true, force: true });
}
