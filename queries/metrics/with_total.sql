-- metrics/with_total: metrics/per_template.sql and metrics/overall.sql from one pass over the
--   window (what the overview and the checklist show side by side).
-- grain: one row per template (is_total false, as metrics/per_template.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as metrics/overall.sql).
-- parameters: as metrics/per_template.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: is_total, template, {{ metric names }}
SELECT *
FROM tn_metrics(p_templates := true, p_total := true, p_total_distinct := true,
                p_quantiles := true, {{ window }})
ORDER BY is_total, template;
