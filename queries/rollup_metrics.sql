-- rollup_metrics: the metrics of template_metrics.sql recomputed from daily roll-ups
--   (template_daily.sql rows, as `template-noise spark-rollups` writes them to Parquet).
-- grain: one row per template with a roll-up day in [$since, $until) (whole UTC days).
-- parameters: $rollups (a Parquet path or glob), $since, $until (NULL = open).
-- Same columns as template_metrics.sql; what roll-ups cannot give is NULL: recipients
-- (distinct over the window) and delivery_p50_s / delivery_p95_s (percentiles need the
-- notification-level data; delivery_mean_s is not part of the contract).
-- columns: template, sent, failed, recipients, max_per_user_day, duplicates, duplicate_rate, read_rate, archive_rate, archived_unread_rate, star_rate, cta_click_rate, expiry_coverage, expired_unread_rate, stale_unread_rate, failure_rate, retry_rate, max_attempts, severities, scopes, metadata_invalid_rate, metadata_drift_rate, delivery_rate, delivery_p50_s, delivery_p95_s
WITH days AS (
    SELECT * FROM read_parquet($rollups)
),
t AS (
    SELECT
        template,
        sum(sent) AS sent, sum(failed) AS failed, max(max_per_user_day) AS max_per_user_day,
        sum(duplicates) AS duplicates, sum(n_read) AS n_read, sum(n_archived) AS n_archived,
        sum(n_archived_unread) AS n_archived_unread, sum(n_starred) AS n_starred,
        sum(n_with_cta) AS n_with_cta, sum(n_cta_clicked) AS n_cta_clicked,
        sum(n_with_expiry) AS n_with_expiry, sum(n_expired) AS n_expired,
        sum(n_expired_unread) AS n_expired_unread, sum(n_stale_unread) AS n_stale_unread,
        sum(n_retried) AS n_retried, max(max_attempts) AS max_attempts,
        sum(n_metadata_invalid) AS n_metadata_invalid, sum(n_metadata_drift) AS n_metadata_drift,
        sum(n_delivered) AS n_delivered,
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
    CAST(sent AS BIGINT) AS sent,
    CAST(failed AS BIGINT) AS failed,
    CAST(NULL AS BIGINT) AS recipients,
    max_per_user_day,
    CAST(duplicates AS BIGINT) AS duplicates,
    duplicates / nullif(sent, 0)                      AS duplicate_rate,
    n_read / nullif(sent, 0)                          AS read_rate,
    n_archived / nullif(sent, 0)                      AS archive_rate,
    n_archived_unread / nullif(sent, 0)               AS archived_unread_rate,
    n_starred / nullif(sent, 0)                       AS star_rate,
    n_cta_clicked / nullif(n_with_cta, 0)             AS cta_click_rate,
    n_with_expiry / nullif(sent, 0)                   AS expiry_coverage,
    n_expired_unread / nullif(n_expired, 0)           AS expired_unread_rate,
    n_stale_unread / nullif(sent, 0)                  AS stale_unread_rate,
    failed / nullif(sent + failed, 0)                 AS failure_rate,
    n_retried / nullif(sent + failed, 0)              AS retry_rate,
    coalesce(max_attempts, 0)                         AS max_attempts,
    coalesce(severities, [])                          AS severities,
    coalesce(scopes, [])                              AS scopes,
    n_metadata_invalid / nullif(sent, 0)              AS metadata_invalid_rate,
    n_metadata_drift / nullif(sent, 0)                AS metadata_drift_rate,
    CASE WHEN any_delivered THEN n_delivered / nullif(sent, 0) END AS delivery_rate,
    CAST(NULL AS DOUBLE)                              AS delivery_p50_s,
    CAST(NULL AS DOUBLE)                              AS delivery_p95_s
FROM t, any_delivered
ORDER BY template;
