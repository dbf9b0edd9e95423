-- dashboard/template_breakdown: the severities and scopes one template was sent with.
-- grain: one row per (severity, scope).  parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: severity, scope, notifications
SELECT severity, scope, count(*) AS notifications
FROM tn_facts_core({{ window }})
WHERE template = $template AND created
GROUP BY ALL
ORDER BY notifications DESC, severity, scope;
