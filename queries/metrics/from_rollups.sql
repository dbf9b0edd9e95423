-- metrics/from_rollups: the metrics of metrics/per_template.sql recomputed from daily roll-ups
--   (metrics/daily.sql rows, as `template-noise spark-rollups` writes them to Parquet).
-- grain: one row per template with a roll-up day in [$since, $until) (whole UTC days).
-- parameters: $rollups (a Parquet path or glob), $since, $until (NULL = open).
-- Same columns as metrics/per_template.sql; what roll-ups cannot give is NULL: the
-- catalogue's metrics marked additive = false (a distinct count over the window,
-- percentiles: they need the notification-level data).
-- columns: template, {{ metric names }}
WITH days AS (
    SELECT * FROM read_parquet($rollups)
),
t AS (
    SELECT
        template,
        {{ merged counters }},
        list_sort(list_distinct(flatten(list(severities)))) AS severities,
        list_sort(list_distinct(flatten(list(scopes)))) AS scopes
    FROM days
    WHERE day >= coalesce(CAST(CAST($since AS TIMESTAMP) AS DATE), DATE '0001-01-01')
      AND day < coalesce(CAST(CAST($until AS TIMESTAMP) AS DATE), DATE '9999-12-31')
    GROUP BY template
),
any_delivered AS (
    SELECT coalesce(sum(n_delivered), 0) > 0 AS any_delivered FROM days
)
SELECT
    template,
    {{ metrics }}
FROM (
    SELECT *,
           {{ non-additive metrics as NULL }}
    FROM t, any_delivered
) AS m
ORDER BY template;
