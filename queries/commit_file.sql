-- commit_file: add one file's staged events and rejects to the database, idempotently.
-- grain: one row (the file's counts).  parameters: $file, $load_id.
-- reads: staged_events, norm, stage_reader_rejects.
-- columns: events_seen, events_loaded, events_already_present, rejected
-- An event already in the database (same event_id) is not added again; neither is a reject
-- of the same file, line and reason.
CREATE OR REPLACE TEMP TABLE new_events AS
SELECT * FROM (
    SELECT * FROM staged_events
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY source_line) = 1
) AS s
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id);

INSERT INTO events BY NAME SELECT * FROM new_events;

CREATE OR REPLACE TEMP TABLE file_rejects AS
SELECT $file AS file, line, reject_column AS "column", reject_reason AS reason, raw, $load_id AS load_id
FROM norm WHERE reject_reason IS NOT NULL
UNION ALL
SELECT $file, line, "column", reason, raw, $load_id FROM stage_reader_rejects;

INSERT INTO rejects
SELECT * FROM file_rejects f
WHERE NOT EXISTS (
    SELECT 1 FROM rejects r WHERE r.file = f.file AND r.line = f.line AND r.reason = f.reason
);

SELECT (SELECT count(*) FROM staged_events)                                   AS events_seen,
       (SELECT count(*) FROM new_events)                                      AS events_loaded,
       (SELECT count(*) FROM staged_events) - (SELECT count(*) FROM new_events) AS events_already_present,
       (SELECT count(*) FROM file_rejects)                                    AS rejected;
