-- The audit trail from now on: one row per request, its decisions inside (a JSON array of {bank, grantId,
-- coordinates, pathsCounts, outcome, reason}, the same records consent_audit holds one per row). A bank
-- dashboard request wrote ~5 rows with five B-tree entries each (key and four indexes); it now writes one
-- row. On embedded PGlite the journal's load runs in the gateway's own process, and its cost grows with
-- rows and index entries (test/bench/auditRowCost.ts, README "Performance"). consent_audit keeps every row
-- written before, under the same trigger; ConsentGate reads both tables as one trail
-- (gateway/audit/createSqlAuditTrail.ts).
CREATE TABLE consent_audit_request (
  -- consent_audit's own sequence: one numbering across both tables, in the order records were written.
  id             bigint      PRIMARY KEY DEFAULT nextval('consent_audit_id_seq'),
  at             timestamptz NOT NULL,
  request_id     text        NOT NULL,
  user_id        text,
  operation_name text,
  -- sha256 (hex) of the GraphQL document as received.
  operation_hash text        NOT NULL,
  decisions      jsonb       NOT NULL,
  -- consent_audit's column rules, per decision: a bank, a grant id or null, an outcome known and a reason
  -- exactly when stripped, at least one field coordinate and a positive whole paths count for each.
  CONSTRAINT consent_audit_request_decisions_valid CHECK (
    jsonb_typeof(decisions) = 'array' AND jsonb_array_length(decisions) > 0
    AND NOT jsonb_path_exists(decisions, '$[*] ? (!(@.bank.type() == "string")
      || !(@.grantId == null || @.grantId.type() == "string")
      || !(@.outcome == "served" && @.reason == null || @.outcome == "stripped" && @.reason.type() == "string")
      || !(@.coordinates.type() == "array" && @.pathsCounts.type() == "array"
           && @.coordinates.size() > 0 && @.coordinates.size() == @.pathsCounts.size())
      || exists(@.coordinates[*] ? (!(@.type() == "string")))
      || exists(@.pathsCounts[*] ? (!(@.type() == "number") || @ < 1 || !(@.floor() == @))))'))
);

-- Queries and the retention prune go by time; investigations by user, grant or bank within a time range:
-- by user through the B-tree, by bank or grant through the containment index on the decisions
-- (decisions @> '[{"bank": "northwind"}]').
CREATE INDEX consent_audit_request_at_idx ON consent_audit_request (at);
CREATE INDEX consent_audit_request_user_at_idx ON consent_audit_request (user_id, at);
CREATE INDEX consent_audit_request_decisions_idx ON consent_audit_request USING gin (decisions jsonb_path_ops);

-- The same function as migration 002's, naming the table it refuses for.
CREATE OR REPLACE FUNCTION consent_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested: OLD does not exist for the statement-level TRUNCATE trigger.
  IF TG_OP = 'DELETE' AND current_setting('consentgate.audit_prune', true) = 'on' THEN
    IF OLD.at < now() - interval '3 years' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused (records are kept at least three years)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER consent_audit_request_no_update_delete
  BEFORE UPDATE OR DELETE ON consent_audit_request
  FOR EACH ROW EXECUTE FUNCTION consent_audit_append_only();

CREATE TRIGGER consent_audit_request_no_truncate
  BEFORE TRUNCATE ON consent_audit_request
  FOR EACH STATEMENT EXECUTE FUNCTION consent_audit_append_only();
