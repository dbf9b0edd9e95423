-- ingest/load_finish: record a load's totals.
-- grain: statement.  parameters: $load_id, $events_loaded, $events_already_present, $rejected.
UPDATE loads
SET finished_at = now() AT TIME ZONE 'UTC', events_loaded = $events_loaded,
    events_already_present = $events_already_present, rejected = $rejected
WHERE load_id = $load_id;
