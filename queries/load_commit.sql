-- load_commit: add a load's events and rejects to the database, idempotently.
-- grain: one row per file of the load, in load order.  parameters: $load_id.
-- columns: file, events_loaded, events_already_present, rejected
-- An event already in the database (same event_id) is not added again, nor one that an
-- earlier line of the load already holds; nor is a reject of the same file, line and reason.
-- Runs inside the load's transaction.
CREATE OR REPLACE TEMP TABLE new_events AS
SELECT * FROM (
    SELECT * FROM load_events
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY file_index, source_line) = 1
) AS s
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id);

INSERT INTO events BY NAME
SELECT * EXCLUDE (file_index) REPLACE ($load_id AS load_id) FROM new_events;

INSERT INTO rejects
SELECT file, line, "column", reason, raw, $load_id FROM load_rejects f
WHERE NOT EXISTS (
    SELECT 1 FROM rejects r WHERE r.file = f.file AND r.line = f.line AND r.reason = f.reason
);

SELECT f.file,
       (SELECT count(*) FROM new_events n WHERE n.file_index = f.file_index) AS events_loaded,
       (SELECT count(*) FROM load_events e WHERE e.file_index = f.file_index)
         - (SELECT count(*) FROM new_events n WHERE n.file_index = f.file_index)
                                                                            AS events_already_present,
       (SELECT count(*) FROM load_rejects r WHERE r.file_index = f.file_index) AS rejected
FROM load_files f
ORDER BY f.file_index;
