-- dashboard/loads: the history of ingest runs, newest first.
-- grain: one row per load.  parameters: none.
-- columns: load_id, started_at, finished_at, files, events_loaded, events_already_present, rejected
SELECT
    load_id,
    started_at,
    finished_at,
    array_to_string(files, ', ') AS files,
    events_loaded,
    events_already_present,
    rejected
FROM loads
ORDER BY load_id DESC;
