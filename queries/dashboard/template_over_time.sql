-- dashboard/template_over_time: one template's volume, duplicates and engagement per time bucket.
-- grain: one row per bucket.  parameters: metric parameters, $template, $unit ('hour'|'day'|'week').
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: bucket, sent, duplicates, read, archived, archived_unread, failed
SELECT
    date_trunc(CAST($unit AS VARCHAR), window_at) AS bucket,
    CAST(count_if(created) AS BIGINT) AS sent,
    CAST(count_if(is_duplicate) AS BIGINT) AS duplicates,
    CAST(count_if(is_read) AS BIGINT) AS read,
    CAST(count_if(is_archived) AS BIGINT) AS archived,
    CAST(count_if(is_archived_unread) AS BIGINT) AS archived_unread,
    CAST(count_if(failed) AS BIGINT) AS failed
FROM tn_facts_core({{ window }})
WHERE template = $template
GROUP BY ALL
ORDER BY bucket;
