-- The audit trail (shared/CONSENT.md, "Records"): one row per request, guarded field coordinate, bank,
-- grant and outcome, with how many paths it covered. Append-only: UPDATE and TRUNCATE are always refused,
-- and DELETE is refused unless it is the retention prune (consentgate.audit_prune = 'on' for the
-- transaction) AND the row is more than three years old by the database's clock (CFPB 1033 keeps
-- records at least three years). A plain trigger, so it holds on PGlite and PostgreSQL alike and for
-- every client, not only ConsentGate's own code.
CREATE TABLE consent_audit (
  id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL,
  request_id     text        NOT NULL,
  user_id        text,
  bank           text        NOT NULL,
  grant_id       text,
  operation_name text,
  -- sha256 (hex) of the GraphQL document as received: which operation, without storing its text.
  operation_hash text        NOT NULL,
  -- Schema coordinate of the guarded field, e.g. NorthwindAccount.balance.
  coordinate     text        NOT NULL,
  paths_count    integer     NOT NULL,
  outcome        text        NOT NULL,
  reason         text,
  CONSTRAINT consent_audit_outcome_known CHECK (outcome IN ('served', 'stripped')),
  CONSTRAINT consent_audit_reason_iff_stripped CHECK ((outcome = 'stripped') = (reason IS NOT NULL)),
  CONSTRAINT consent_audit_paths_count_positive CHECK (paths_count > 0)
);

-- Queries and the retention prune go by time; investigations by user, grant or bank within a time range.
CREATE INDEX consent_audit_at_idx ON consent_audit (at);
CREATE INDEX consent_audit_user_at_idx ON consent_audit (user_id, at);
CREATE INDEX consent_audit_grant_at_idx ON consent_audit (grant_id, at);
CREATE INDEX consent_audit_bank_at_idx ON consent_audit (bank, at);

CREATE FUNCTION consent_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested: OLD does not exist for the statement-level TRUNCATE trigger.
  IF TG_OP = 'DELETE' AND current_setting('consentgate.audit_prune', true) = 'on' THEN
    IF OLD.at < now() - interval '3 years' THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'consent_audit is append-only: % refused (records are kept at least three years)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER consent_audit_no_update_delete
  BEFORE UPDATE OR DELETE ON consent_audit
  FOR EACH ROW EXECUTE FUNCTION consent_audit_append_only();

CREATE TRIGGER consent_audit_no_truncate
  BEFORE TRUNCATE ON consent_audit
  FOR EACH STATEMENT EXECUTE FUNCTION consent_audit_append_only();
