-- load_commit: add a load's events and rejects to the database, idempotently.
-- grain: one row per file of the load, in load order.  parameters: $load_id.
-- columns: file, events_loaded, events_already_present, rejected
-- An event already in the database (same event_id) is not added again, nor one that an
-- earlier line of the load already holds; nor is a reject of the same file, line and reason.
-- Runs inside the load's transaction.
-- event_ids the load holds more than once, with the first row holding each (usually none:
-- a grouping, far cheaper than numbering every row of the load in a window).
CREATE OR REPLACE TEMP TABLE load_repeats AS
SELECT event_id, min({'file_index': file_index, 'source_line': source_line}) AS first_row
FROM load_events
GROUP BY event_id
HAVING count(*) > 1;

-- The load's event_ids already stored: the stored ids probe the load's (a hash table of
-- the load, not of every stored event: what keeps an append's cost to the size of the day).
CREATE OR REPLACE TEMP TABLE load_present AS
SELECT DISTINCT e.event_id FROM events e SEMI JOIN load_events l ON l.event_id = e.event_id;

-- Straight into `events`, without an intermediate copy of the load.
INSERT INTO events BY NAME
SELECT * EXCLUDE (file_index) REPLACE ($load_id AS load_id) FROM load_events s
WHERE NOT EXISTS (
        SELECT 1 FROM load_repeats r
        WHERE r.event_id = s.event_id
          AND r.first_row <> {'file_index': s.file_index, 'source_line': s.source_line})
  AND NOT EXISTS (SELECT 1 FROM load_present p WHERE p.event_id = s.event_id);

INSERT INTO rejects
SELECT file, line, "column", reason, raw, $load_id FROM load_rejects f
WHERE NOT EXISTS (
    SELECT 1 FROM rejects r WHERE r.file = f.file AND r.line = f.line AND r.reason = f.reason
);

WITH loaded AS (
    -- A load names each file once, so source_file tells the file's events apart.
    SELECT source_file AS file, count(*) AS n FROM events WHERE load_id = $load_id GROUP BY ALL
),
given AS (SELECT file_index, count(*) AS n FROM load_events GROUP BY ALL),
rejected AS (SELECT file_index, count(*) AS n FROM load_rejects GROUP BY ALL)
SELECT f.file,
       coalesce(l.n, 0) AS events_loaded,
       coalesce(g.n, 0) - coalesce(l.n, 0) AS events_already_present,
       coalesce(r.n, 0) AS rejected
FROM load_files f
LEFT JOIN loaded l USING (file)
LEFT JOIN given g USING (file_index)
LEFT JOIN rejected r USING (file_index)
ORDER BY f.file_index;
