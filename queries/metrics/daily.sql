-- metrics/daily: per-template daily roll-ups, the additive counts behind the metrics.
-- grain: one row per template per UTC day of window_at (created_at; for a failed send, its
--        first send_failed) with a notification in the window and filters.
-- parameters: the metric parameters of metrics/per_template.sql ($since, $until, $as_of,
--   $severities, $scopes, $template_search, $dedup_window_minutes, $stale_days,
--   $default_expiry_days).
-- Written by `template-noise spark-rollups` (Spark) and read back by `metrics --rollups`.
-- Summing a column over days gives the metric's numerator or denominator over those days
-- (max_attempts and max_per_user_day: the max; severities and scopes: the union). Not
-- additive, so not here: recipients (distinct over the whole window) and the delivery
-- percentiles (delivery_s_sum / n_delivered gives the mean). Computed as of `as_of`:
-- is_duplicate may look before the day; n_expired*, n_stale_unread depend on as_of;
-- n_metadata_drift compares with the template's most common key set over the whole window.
-- columns: day, template, sent, failed, duplicates, n_read, n_archived, n_archived_unread, n_starred, n_with_cta, n_cta_clicked, n_with_expiry, n_expired, n_expired_unread, n_stale_unread, n_retried, max_attempts, max_per_user_day, n_metadata_invalid, n_metadata_drift, n_delivered, delivery_s_sum, severities, scopes, as_of
SELECT
    CAST(window_at AS DATE)                 AS day,
    template,
    {{ counters }},
    coalesce(sum(delivery_s) FILTER (is_delivered), 0) AS delivery_s_sum,
    coalesce(list_sort(list(DISTINCT severity) FILTER (created)), []) AS severities,
    coalesce(list_sort(list(DISTINCT scope) FILTER (created)), [])    AS scopes,
    max(as_of)                              AS as_of
FROM tn_notification_facts({{ window }})
GROUP BY CAST(window_at AS DATE), template
ORDER BY day, template;
