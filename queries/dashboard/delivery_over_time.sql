-- dashboard/delivery_over_time: sends, failures, retries and deliveries per time bucket.
-- grain: one row per bucket.  parameters: metric parameters, $unit ('hour'|'day'|'week').
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: bucket, sent, failed, retried, delivered, attempts
SELECT
    date_trunc(CAST($unit AS VARCHAR), window_at) AS bucket,
    CAST(count_if(created) AS BIGINT) AS sent,
    CAST(count_if(failed) AS BIGINT) AS failed,
    CAST(count_if(attempts > 1) AS BIGINT) AS retried,
    CAST(count_if(is_delivered) AS BIGINT) AS delivered,
    sum(attempts) AS attempts
FROM tn_facts_core({{ window }})
GROUP BY ALL
ORDER BY bucket;
