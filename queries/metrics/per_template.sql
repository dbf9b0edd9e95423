-- metrics/per_template: every metric of SPEC.md "Metrics", per template.
-- grain: one row per template with a created or failed notification in the window
--        [$since, $until) (by created_at; a failed one by its first send_failed) and filters.
-- parameters: $since, $until (NULL = open), $as_of (NULL = latest occurred_at in the data),
--   $severities, $scopes (empty list = all; severity 'unset' = none given), $template_search
--   (case-insensitive substring, '' = all), $dedup_window_minutes, $stale_days,
--   $default_expiry_days.
-- Rates are fractions in [0, 1], NULL when their denominator is 0 (see metrics/macros.sql).
-- `failed` (count) is reported beside failure_rate so rate flags can require a volume.
-- Choices where SPEC is silent: cta_click_rate counts clicks on notifications that have a
-- CTA (so it stays in [0, 1]); attempts = sent + send_failed events, or the highest logged
-- `attempt` number when that is larger; a failed send naming no template is '(unknown)';
-- events after as_of are ignored (the state "as of" that instant).
-- columns: template, {{ metric names }}
SELECT * EXCLUDE (is_total)
FROM tn_metrics(p_templates := true, p_total := false, p_total_distinct := false,
                p_quantiles := true, {{ window }})
ORDER BY template;
