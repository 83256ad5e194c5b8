-- Every change to a grant (new, revoked, one-time use) notifies channel consentgate_grants with
-- '<schema>:<user id>', inside the writing transaction: PostgreSQL delivers it on COMMIT and never for a
-- rolled-back write. Gateway instances that cache grants LISTEN and drop that user's cached grants.
-- A trigger rather than a NOTIFY in the store's code, so writes from any client (CLI, bank endpoint,
-- another gateway, an operator's SQL) invalidate too.
CREATE FUNCTION grants_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('consentgate_grants', TG_TABLE_SCHEMA || ':' || COALESCE(NEW.user_id, OLD.user_id));
  RETURN NULL;
END;
$$;

CREATE TRIGGER grants_notify_change
  AFTER INSERT OR UPDATE OR DELETE ON grants
  FOR EACH ROW EXECUTE FUNCTION grants_notify_change();
