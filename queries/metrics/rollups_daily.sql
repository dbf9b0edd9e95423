-- metrics/rollups_daily: per template and UTC day, the counts and rates a chart of days needs,
--   from daily roll-ups (metrics/daily.sql rows, as `template-noise spark-rollups` writes them).
-- grain: one row per (day, template) with a roll-up row in [$since, $until) (whole UTC days).
-- parameters: $rollups (a Parquet path or glob), $since, $until (NULL = open).
-- The rates are the catalogue's over that one day (metrics/from_rollups.sql's, per day);
-- bucket is the day as a timestamp (midnight UTC), as dashboard/volume_over_time.sql's is.
-- columns: bucket, template, sent, failed, duplicates, duplicate_rate, read_rate
WITH days AS (
    SELECT * FROM read_parquet($rollups)
),
t AS (
    SELECT
        day,
        template,
        {{ merged counters }},
        list_sort(list_distinct(flatten(list(severities)))) AS severities,
        list_sort(list_distinct(flatten(list(scopes)))) AS scopes
    FROM days
    WHERE day >= coalesce(CAST(CAST($since AS TIMESTAMP) AS DATE), DATE '0001-01-01')
      AND day < coalesce(CAST(CAST($until AS TIMESTAMP) AS DATE), DATE '9999-12-31')
    GROUP BY day, template
),
any_delivered AS (
    SELECT coalesce(sum(n_delivered), 0) > 0 AS any_delivered FROM days
),
per_day AS (
    SELECT
        day,
        template,
        {{ metrics }}
    FROM (
        SELECT *,
               {{ non-additive metrics as NULL }}
        FROM t, any_delivered
    ) AS m
)
SELECT CAST(day AS TIMESTAMP) AS bucket, template, sent, failed, duplicates, duplicate_rate,
       read_rate
FROM per_day
ORDER BY bucket, template;
