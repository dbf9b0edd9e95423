-- ingest/fingerprints_pending: how many sent events of one file of the open load still lack a
-- fingerprint: those whose metadata is not a flat object (ingest/normalize.sql hashes the flat
-- ones per row); ingest.py then runs ingest/fingerprint_nested.sql, and only then.
-- grain: one row.  parameters: $load_id, $file.  columns: pending
SELECT count(*) AS pending
FROM events
WHERE load_id = $load_id AND source_file = $file AND event_type = 'sent' AND fingerprint IS NULL;
