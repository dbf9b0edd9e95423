-- checklist/metrics: metrics/with_total.sql without the total's recipients and delivery
--   percentiles (NULL there), which no checklist item reads and which cost most of the
--   total (a distinct count and a sort of every delivery over the window).
-- grain: one row per template (is_total false, as metrics/per_template.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as metrics/overall.sql).
-- parameters: as metrics/per_template.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: is_total, template, {{ metric names }}
SELECT *
FROM tn_metrics(p_templates := true, p_total := true, p_total_distinct := false,
                p_quantiles := true, {{ window }})
ORDER BY is_total, template;
