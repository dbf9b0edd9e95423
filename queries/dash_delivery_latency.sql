-- dash_delivery_latency: seconds from created_at to the first delivered, per notification.
-- grain: one row per delivered notification.  parameters: metric parameters, $limit.
-- needs: queries/metric_macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: $since, $until (window on created_at, a failed notification by its
--   first send_failed; NULL = open), $as_of (NULL = latest event), $severities, $scopes
--   (empty = all; severity 'unset' = none given), $template_search ('' = all),
--   $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: template, latency_s
SELECT template, delivery_s AS latency_s
FROM tn_facts_core($since, $until, $as_of, $severities, $scopes, $template_search,
                   $dedup_window_minutes, $stale_days, $default_expiry_days)
WHERE is_delivered
ORDER BY created_at, notification_id
LIMIT $limit;
