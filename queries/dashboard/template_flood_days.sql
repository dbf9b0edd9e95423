-- dashboard/template_flood_days: the recipient-days behind one template's flooding: who got the most of it on one UTC day.
-- grain: one row per (recipient, UTC day), the $limit busiest.  parameters: metric parameters, $template, $limit.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: recipient, day, notifications, duplicates, read, first_sent, last_sent
-- Counted as max_per_user_day counts (created notifications of the template to one
-- recipient on one UTC day, in the window), so the first row's count is that metric.
SELECT
    recipient,
    CAST(date_trunc('day', created_at) AS DATE) AS day,
    count(*) AS notifications,
    count(*) FILTER (is_duplicate) AS duplicates,
    count(*) FILTER (is_read) AS read,
    min(created_at) AS first_sent,
    max(created_at) AS last_sent
FROM tn_facts_core({{ window }})
WHERE template = $template AND created
GROUP BY recipient, date_trunc('day', created_at)
ORDER BY notifications DESC, day DESC, recipient
LIMIT $limit;
