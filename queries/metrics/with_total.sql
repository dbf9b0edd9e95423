-- metrics/with_total: metrics/per_template.sql and metrics/overall.sql from one pass over the
--   window (what the overview and the checklist show side by side).
-- grain: one row per template (is_total false, as metrics/per_template.sql) and then exactly
--   one row over all of them (is_total true, template NULL; as metrics/overall.sql).
-- parameters: the metric window, and what a caller may leave out because it costs most:
--   $total_distinct (false: the total's recipients and percentiles are NULL: a distinct
--   count and a sort over the whole window), $quantiles (false: no percentile in any row).
-- columns: is_total, template, {{ metric names }}
SELECT *
FROM tn_metrics(p_templates := true, p_total := true, p_total_distinct := $total_distinct,
                p_quantiles := $quantiles, {{ window }})
ORDER BY is_total, template;
