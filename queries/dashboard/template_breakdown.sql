-- dashboard/template_breakdown: the severities and scopes one template was sent with.
-- grain: one row per (severity, scope).  parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: $since, $until (window on created_at, a failed notification by its
--   first send_failed; NULL = open), $as_of (NULL = latest event), $severities, $scopes
--   (empty = all; severity 'unset' = none given), $template_search ('' = all),
--   $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: severity, scope, notifications
SELECT severity, scope, count(*) AS notifications
FROM tn_facts_core({{ window }})
WHERE template = $template AND created
GROUP BY ALL
ORDER BY notifications DESC, severity, scope;
