-- dashboard/template_recipients: who receives one template most.
-- grain: one row per recipient.  parameters: metric parameters, $template, $limit.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: recipient, sent, duplicates, read, archived_unread, max_per_day, last_sent
-- max_per_day as tn_notification_facts counts user_day_count (per template, recipient and
-- UTC day over the window), for this one template only: counted per (recipient, day) and
-- then per recipient, two groupings instead of a window over the template's notifications.
WITH per_day AS (
    SELECT recipient,
           count(*) AS n,
           count(*) FILTER (is_duplicate) AS duplicates,
           count(*) FILTER (is_read) AS read,
           count(*) FILTER (is_archived_unread) AS archived_unread,
           max(created_at) AS last_sent
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
    GROUP BY recipient, date_trunc('day', created_at)
)
SELECT
    recipient,
    CAST(sum(n) AS BIGINT) AS sent,
    CAST(sum(duplicates) AS BIGINT) AS duplicates,
    CAST(sum(read) AS BIGINT) AS read,
    CAST(sum(archived_unread) AS BIGINT) AS archived_unread,
    max(n) AS max_per_day,
    max(last_sent) AS last_sent
FROM per_day
GROUP BY recipient
ORDER BY sent DESC, recipient
LIMIT $limit;
