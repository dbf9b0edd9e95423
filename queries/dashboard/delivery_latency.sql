-- dashboard/delivery_latency: seconds from created_at to the first delivered, per notification.
-- grain: one row per delivered notification.  parameters: metric parameters, $limit.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: template, latency_s
-- The first $limit delivered notifications by created_at. A LIMIT this large would sort
-- every delivered notification; instead the minute in which the $limit-th was created is
-- found from per-minute counts, and only the notifications up to its end are sorted.
WITH per_minute AS (
    SELECT date_trunc('minute', created_at) AS minute, count(*) AS n
    FROM tn_facts_core({{ window }})
    WHERE is_delivered
    GROUP BY ALL
),
cutoff AS (
    SELECT min(minute) + INTERVAL 1 MINUTE AS before
    FROM (SELECT minute, sum(n) OVER (ORDER BY minute) AS running FROM per_minute) AS r
    WHERE running >= $limit
)
SELECT template, delivery_s AS latency_s
FROM tn_facts_core({{ window }})
WHERE is_delivered
  AND created_at < coalesce((SELECT before FROM cutoff), 'infinity'::TIMESTAMP)
ORDER BY created_at, notification_id
LIMIT $limit;
