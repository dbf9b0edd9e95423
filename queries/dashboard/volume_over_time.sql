-- dashboard/volume_over_time: notifications per template per time bucket (Overview chart).
-- grain: one row per (bucket, template).  parameters: metric parameters, $unit ('hour'|'day'|'week').
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: $since, $until (window on created_at, a failed notification by its
--   first send_failed; NULL = open), $as_of (NULL = latest event), $severities, $scopes
--   (empty = all; severity 'unset' = none given), $template_search ('' = all),
--   $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: bucket, template, sent, failed
SELECT
    date_trunc(CAST($unit AS VARCHAR), window_at) AS bucket,
    template,
    CAST(count_if(created) AS BIGINT) AS sent,
    CAST(count_if(failed) AS BIGINT) AS failed
FROM tn_facts_core({{ window }})
GROUP BY ALL
ORDER BY bucket, template;
