-- watch/cache_state: what the stored hourly counts (watch_hourly) cover, and the earliest event loaded since.
-- grain: at most one row.  parameters: none.
-- columns: settings, as_of, hist_from, complete_until, new_since
-- new_since: the earliest occurred_at among events of loads after the counts were stored
-- (NULL: none); the hours from shortly before it are counted again.
SELECT s.settings, s.as_of, s.hist_from, s.complete_until,
       (SELECT min(e.occurred_at) FROM events AS e WHERE e.load_id > s.max_load_id) AS new_since
FROM watch_hourly_stamp AS s;
