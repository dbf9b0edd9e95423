-- overall_metrics: the metrics of SPEC.md over all notifications in the window together.
-- grain: exactly one row (counts 0 and rates NULL when the window is empty).
-- parameters: as template_metrics.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- max_per_user_day is the largest over templates (a flood is one template to one user).
-- columns: sent, failed, recipients, max_per_user_day, duplicates, duplicate_rate, read_rate, archive_rate, archived_unread_rate, star_rate, cta_click_rate, expiry_coverage, expired_unread_rate, stale_unread_rate, failure_rate, retry_rate, max_attempts, severities, scopes, metadata_invalid_rate, metadata_drift_rate, delivery_rate, delivery_p50_s, delivery_p95_s
SELECT * EXCLUDE (is_total, template)
FROM tn_metrics(false, true, true, true, $since, $until, $as_of, $severities, $scopes, $template_search,
                $dedup_window_minutes, $stale_days, $default_expiry_days);
