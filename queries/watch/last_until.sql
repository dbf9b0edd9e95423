-- watch/last_until: where the next `watch` run starts: the end of the hours the latest run judged.
-- grain: exactly one row (NULL before the first run).  parameters: none.
-- columns: last_until
SELECT max(until) AS last_until FROM watch_runs;
