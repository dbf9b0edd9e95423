-- dashboard/templates: the templates the filters select, busiest first (template picker).
-- grain: one row per template.  parameters: metric parameters.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: template, sent, failed
SELECT template, CAST(count_if(created) AS BIGINT) AS sent, CAST(count_if(failed) AS BIGINT) AS failed
FROM tn_facts_core({{ window }})
GROUP BY template
ORDER BY sent DESC, template;
