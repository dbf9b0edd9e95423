-- checklist/items_metrics: what the checklist's items read (dashboard/checklist.py):
--   checklist/metrics.sql without any delivery percentile (NULL in every row: no item
--   reads one, and they are a sort of every delivery of the window, 0.17 of 1.06 s at 10M).
-- grain: one row per template (is_total false, as metrics/per_template.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as metrics/overall.sql).
-- parameters: as metrics/per_template.sql: $since, $until, $as_of, $severities, $scopes,
--   $template_search, $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: is_total, template, {{ metric names }}
SELECT *
FROM tn_metrics(p_templates := true, p_total := true, p_total_distinct := false,
                p_quantiles := false, {{ window }})
ORDER BY is_total, template;
