-- ingest/load_sizes: how many events the open load added to `events` (repeats included, before
-- ingest/load_commit.sql), and how many earlier loads hold; load_present*.sql picks its hash
-- table side from them.
-- grain: one row.  parameters: $load_id.  columns: load_events, stored_events
SELECT count(*) FILTER (load_id = $load_id)  AS load_events,
       count(*) FILTER (load_id <> $load_id) AS stored_events
FROM events;
