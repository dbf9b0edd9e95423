-- metrics/notifications: the per-notification state behind every metric, for drill-down and tests.
-- grain: one row per notification (created or failed) in the window and filters, newest
--   first. parameters: the metric parameters of metrics/per_template.sql ($since, $until,
--   $as_of, $severities, $scopes, $template_search, $dedup_window_minutes, $stale_days,
--   $default_expiry_days).
-- expires_at is the effective expiry (NULL when none was chosen, including Wacht's
-- default); the is_* columns are the per-notification signals the metrics count.
-- columns: notification_id, template, recipient, scope, severity, created_at, failed, attempts, expires_at, read_at, archived_at, starred_at, clicked_at, delivered_at, is_duplicate, user_day_count, is_archived_unread, is_expired_unread, is_stale_unread, is_metadata_invalid, is_metadata_drift
SELECT notification_id, template, recipient, scope, severity, created_at, failed, attempts,
       expires_at, read_at, archived_at, starred_at, clicked_at, delivered_at, is_duplicate,
       user_day_count, is_archived_unread, is_expired_unread, is_stale_unread,
       is_metadata_invalid, is_metadata_drift
FROM tn_notification_facts({{ window }})
ORDER BY window_at DESC, notification_id;
