-- The embedded store's audit journal (gateway/audit/journalAuditTrail.ts): records are appended to a local
-- file before the response leaves, then loaded into consent_audit one segment (file) at a time. This table
-- holds the last segment loaded per journal, moved in the same statement that inserts the segment's rows,
-- so a segment is loaded exactly once whatever the process goes through between the two.
CREATE TABLE consent_audit_journal (
  journal text   PRIMARY KEY,
  segment bigint NOT NULL,
  CONSTRAINT consent_audit_journal_segment_positive CHECK (segment > 0)
);
