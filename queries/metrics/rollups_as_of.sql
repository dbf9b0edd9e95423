-- metrics/rollups_as_of: the instant a set of daily roll-ups was computed as of.
-- grain: exactly one row.  parameters: $rollups (a Parquet path or glob).
-- columns: as_of, days, templates
SELECT max(as_of) AS as_of, count(DISTINCT day) AS days, count(DISTINCT template) AS templates
FROM read_parquet($rollups);
