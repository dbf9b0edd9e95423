-- metrics/overall: the metrics of SPEC.md over all notifications in the window together.
-- grain: exactly one row (counts 0 and rates NULL when the window is empty).
-- parameters: as metrics/per_template.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- max_per_user_day is the largest over templates (a flood is one template to one user).
-- columns: {{ metric names }}
SELECT * EXCLUDE (is_total, template)
FROM tn_metrics(p_templates := false, p_total := true, p_total_distinct := true,
                p_quantiles := true, {{ window }});
