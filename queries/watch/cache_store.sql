-- watch/cache_store: keeps this run's hourly counts for the next one (watch_hourly and its stamp).
-- grain: statements.  parameters: $settings, $as_of, $hist_from, $complete_until.
-- columns: none
-- needs: watch/judge.sql run on the same cursor (the temp table watch_hourly_now).
-- Only hours before $complete_until are kept: their reads within the horizon have happened.
DELETE FROM watch_hourly;
INSERT INTO watch_hourly
SELECT template, hour, sent, failed, dups, reads
FROM watch_hourly_now
WHERE hour < CAST($complete_until AS TIMESTAMP);
DELETE FROM watch_hourly_stamp;
INSERT INTO watch_hourly_stamp (max_load_id, settings, as_of, hist_from, complete_until)
SELECT coalesce(max(load_id), 0), $settings, CAST($as_of AS TIMESTAMP),
       CAST($hist_from AS TIMESTAMP), CAST($complete_until AS TIMESTAMP)
FROM loads;
