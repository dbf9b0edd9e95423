-- metrics/rollups_as_of: the instant a set of daily roll-ups was computed as of, and its days.
-- grain: exactly one row.  parameters: $rollups (a Parquet path or glob).
-- columns: as_of, days, templates, first_day, last_day
SELECT max(as_of) AS as_of, count(DISTINCT day) AS days, count(DISTINCT template) AS templates,
       min(day) AS first_day, max(day) AS last_day
FROM read_parquet($rollups);
