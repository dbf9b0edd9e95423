-- ingest/load_begin: open a load and return its id.
-- grain: one row.  parameters: $files.  columns: load_id
INSERT INTO loads (load_id, started_at, files)
SELECT coalesce(max(load_id), 0) + 1, now() AT TIME ZONE 'UTC', $files FROM loads
RETURNING load_id;
