-- checklist_metrics: metrics_with_total.sql without the total's recipients and delivery
--   percentiles (NULL there), which no checklist item reads and which cost most of the
--   total (a distinct count and a sort of every delivery over the window).
-- grain: one row per template (is_total false, as template_metrics.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as overall_metrics.sql).
-- parameters: as template_metrics.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: is_total, template, sent, failed, recipients, max_per_user_day, duplicates, duplicate_rate, read_rate, archive_rate, archived_unread_rate, star_rate, cta_click_rate, expiry_coverage, expired_unread_rate, stale_unread_rate, failure_rate, retry_rate, max_attempts, severities, scopes, metadata_invalid_rate, metadata_drift_rate, delivery_rate, delivery_p50_s, delivery_p95_s
SELECT *
FROM tn_metrics(true, true, false, true, $since, $until, $as_of, $severities, $scopes, $template_search,
                $dedup_window_minutes, $stale_days, $default_expiry_days)
ORDER BY is_total, template;
