-- Audit rows per decision instead of per field: from now on one row per request, bank, grant and outcome
-- (with its reason) lists the field coordinates it covered (fields) and how many response paths each
-- (fields_paths, same order). A bank dashboard request wrote 38 rows and now writes ~5: on embedded
-- PGlite the INSERT runs in the gateway's own process, and its cost grew with the rows, not the bytes.
-- Rows written before keep their single coordinate and paths_count; every row has exactly one shape.
-- Adding nullable columns rewrites no row, so the append-only trigger has nothing to refuse.
ALTER TABLE consent_audit
  ADD COLUMN fields text[],
  ADD COLUMN fields_paths int4[],
  ALTER COLUMN coordinate DROP NOT NULL,
  ALTER COLUMN paths_count DROP NOT NULL;

ALTER TABLE consent_audit ADD CONSTRAINT consent_audit_one_shape CHECK (
  (coordinate IS NOT NULL AND paths_count IS NOT NULL AND fields IS NULL AND fields_paths IS NULL)
  OR (coordinate IS NULL AND paths_count IS NULL AND cardinality(fields) > 0
      AND cardinality(fields) = cardinality(fields_paths) AND 0 < ALL (fields_paths)));
