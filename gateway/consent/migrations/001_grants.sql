-- Grants: one customer, one bank, one decision (shared/CONSENT.md, "A grant").
-- Rows are never deleted: expired and revoked grants are records (CFPB 1033 keeps records >= 3 years).
-- Status (active / expired / revoked) is not stored; the store derives it at read time.
CREATE TABLE grants (
  id             text        PRIMARY KEY,
  user_id        text        NOT NULL,
  bank           text        NOT NULL,
  scopes         text[]      NOT NULL,
  accounts       text[]      NOT NULL,
  granted_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  one_time       boolean     NOT NULL DEFAULT false,
  used_at        timestamptz,
  history_months integer,
  revoked_at     timestamptz,
  revoked_by     text,
  revoke_reason  text,
  CONSTRAINT grants_user_id_not_empty CHECK (user_id <> ''),
  CONSTRAINT grants_bank_not_empty CHECK (bank <> ''),
  CONSTRAINT grants_scopes_not_empty CHECK (cardinality(scopes) > 0),
  -- A grant names its accounts; it never covers "everything".
  CONSTRAINT grants_accounts_not_empty CHECK (cardinality(accounts) > 0),
  CONSTRAINT grants_expires_after_granted CHECK (expires_at > granted_at),
  -- Time-bound, at most one year (CFPB 1033 re-authorisation), with no slack. Computed in UTC so the
  -- rule does not depend on the session's TimeZone (29 February + 1 year = 28 February).
  CONSTRAINT grants_expires_within_one_year
    CHECK (expires_at <= (granted_at AT TIME ZONE 'UTC' + interval '1 year') AT TIME ZONE 'UTC'),
  CONSTRAINT grants_history_months_range
    CHECK (history_months IS NULL OR history_months BETWEEN 1 AND 120),
  CONSTRAINT grants_revoked_by_known CHECK (revoked_by IN ('customer', 'bank', 'platform')),
  -- A revocation always records when and by whom.
  CONSTRAINT grants_revocation_complete CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
  CONSTRAINT grants_used_only_if_one_time CHECK (used_at IS NULL OR one_time)
);

-- Every request reads one user's grants (ConsentStore.grantsForUser).
CREATE INDEX grants_user_id_idx ON grants (user_id);
