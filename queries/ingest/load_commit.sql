-- ingest/load_commit: add a load's rejects to the database and report the load per file.
-- grain: one row per file of the load, in load order.  parameters: $load_id.
-- columns: file, events_loaded, events_already_present, rejected
-- Runs inside the load's transaction, after ingest/normalize.sql added each file's events and
-- ingest/load_drop.sql (when needed) removed those already present: an event already in the
-- database (same event_id), or that an earlier line of the load holds. A reject is the line
-- of a file's content (content_hash, line): the same content loaded again, under any path or
-- name, adds no reject, and a changed file adds its own. A reject stored before rejects had
-- a content_hash (store/migrate_reject_keys.sql) still matches by file, line and reason.
INSERT INTO rejects (file, line, "column", reason, raw, load_id, content_hash)
SELECT f.file, f.line, f."column", f.reason, f.raw, $load_id, h.content_hash
FROM load_rejects f
LEFT JOIN load_file_hashes h USING (file_index)
WHERE NOT EXISTS (
    SELECT 1 FROM rejects r
    WHERE r.line = f.line
      AND (r.content_hash = h.content_hash
           OR (r.content_hash IS NULL AND r.file = f.file AND r.reason = f.reason))
)
-- The same content twice in one load (one file uploaded under two names): its first copy.
QUALIFY row_number() OVER (
    PARTITION BY coalesce(h.content_hash, f.file), f.line, f.reason ORDER BY f.file_index
) = 1;

WITH dropped AS (
    SELECT source_file AS file, count(*) AS n FROM load_dropped GROUP BY ALL
),
rejected AS (SELECT file_index, count(*) AS n FROM load_rejects GROUP BY ALL)
SELECT f.file,
       f.events_given - coalesce(d.n, 0) AS events_loaded,
       coalesce(d.n, 0) AS events_already_present,
       coalesce(r.n, 0) AS rejected
FROM load_files f
LEFT JOIN dropped d USING (file)
LEFT JOIN rejected r USING (file_index)
ORDER BY f.file_index;
