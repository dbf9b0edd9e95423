-- dashboard/data_version: a cheap token that changes whenever a load commits (dashboard cache key).
-- grain: one row.  parameters: none.
-- columns: last_load_id, events
SELECT
    (SELECT coalesce(max(load_id), 0) FROM loads) AS last_load_id,
    (SELECT count(*) FROM events) AS events;
