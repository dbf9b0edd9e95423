-- ingest/load_drop: remove from the open load the events it must not add: those an earlier load
-- stored (load_present) and every row of a repeated event_id but the one that keeps it
-- (load_repeats); kept in load_dropped first, for ingest/load_commit.sql's report per file.
-- grain: statements.  parameters: $load_id.  columns: none
-- Run only when load_present or load_repeats holds a row (usually neither does).
CREATE OR REPLACE TEMP TABLE load_dropped AS
SELECT e.rowid AS row_id, e.source_file
FROM events e
LEFT JOIN load_repeats r ON r.event_id = e.event_id
WHERE e.load_id = $load_id
  AND (e.event_id IN (SELECT event_id FROM load_present)
       OR (r.event_id IS NOT NULL AND r.keep <> {'file': e.source_file, 'line': e.source_line}));

DELETE FROM events WHERE rowid IN (SELECT row_id FROM load_dropped);
