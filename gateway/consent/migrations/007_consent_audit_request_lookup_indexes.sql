-- Investigations by bank or grant through two small GIN indexes, one on each decision's bank and one on its
-- grant id, instead of migration 006's GIN over the whole decisions document. That one indexed every value
-- of every decision: a bank dashboard request's row holds 34 field coordinates and as many paths counts,
-- all of them index entries. On embedded PGlite, in the gateway's own CPU, a row's insert with these two
-- indexes costs 0.84x of one with 006's (median of 9 rounds; test/bench/auditRowCost.ts, README
-- "Performance"). Queries name the same expressions (gateway/audit/createSqlAuditTrail.ts), and keep
-- `decisions @> '[{"bank": ..., "grantId": ...}]'` as the exact condition: a bank and a grant in the same
-- decision.
DROP INDEX consent_audit_request_decisions_idx;
CREATE INDEX consent_audit_request_banks_idx ON consent_audit_request
  USING gin (jsonb_path_query_array(decisions, '$[*].bank') jsonb_path_ops);
CREATE INDEX consent_audit_request_grants_idx ON consent_audit_request
  USING gin (jsonb_path_query_array(decisions, '$[*].grantId') jsonb_path_ops);
