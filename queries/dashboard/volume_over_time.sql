-- dashboard/volume_over_time: notifications per template per time bucket (Overview chart).
-- grain: one row per (bucket, template).  parameters: metric parameters, $unit ('hour'|'day'|'week').
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: bucket, template, sent, failed
SELECT
    date_trunc(CAST($unit AS VARCHAR), window_at) AS bucket,
    template,
    CAST(count_if(created) AS BIGINT) AS sent,
    CAST(count_if(failed) AS BIGINT) AS failed
FROM tn_facts_core({{ window }})
GROUP BY ALL
ORDER BY bucket, template;
