-- watch/drop_temp: drops the temp tables of one watch run (watch/judge.sql, watch/apply.sql).
-- grain: statements.  parameters: none.  columns: none
DROP TABLE IF EXISTS watch_hits;
DROP TABLE IF EXISTS watch_changes;
DROP TABLE IF EXISTS watch_hourly_now;
