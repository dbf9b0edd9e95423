-- metrics_with_total: template_metrics.sql and overall_metrics.sql from one pass over the
--   window (what the overview and the checklist show side by side).
-- grain: one row per template (is_total false, as template_metrics.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as overall_metrics.sql).
-- parameters: as template_metrics.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: is_total, template, sent, failed, recipients, max_per_user_day, duplicates, duplicate_rate, read_rate, archive_rate, archived_unread_rate, star_rate, cta_click_rate, expiry_coverage, expired_unread_rate, stale_unread_rate, failure_rate, retry_rate, max_attempts, severities, scopes, metadata_invalid_rate, metadata_drift_rate, delivery_rate, delivery_p50_s, delivery_p95_s
SELECT *
FROM tn_metrics(true, true, true, true, $since, $until, $as_of, $severities, $scopes, $template_search,
                $dedup_window_minutes, $stale_days, $default_expiry_days)
ORDER BY is_total, template;
