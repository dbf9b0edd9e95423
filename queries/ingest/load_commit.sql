-- ingest/load_commit: add a load's rejects to the database and report the load per file.
-- grain: one row per file of the load, in load order.  parameters: $load_id.
-- columns: file, events_loaded, events_already_present, rejected
-- Runs inside the load's transaction, after ingest/normalize.sql added each file's events and
-- ingest/load_drop.sql (when needed) removed those already present: an event already in the
-- database (same event_id), or that an earlier line of the load holds. A reject of the
-- same file, line and reason is not added again.
INSERT INTO rejects
SELECT file, line, "column", reason, raw, $load_id FROM load_rejects f
WHERE NOT EXISTS (
    SELECT 1 FROM rejects r WHERE r.file = f.file AND r.line = f.line AND r.reason = f.reason
);

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
