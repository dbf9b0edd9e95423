-- dash_template_recipients: who receives one template most.
-- grain: one row per recipient.  parameters: metric parameters, $template, $limit.
-- needs: queries/metric_macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: $since, $until (window on created_at, a failed notification by its
--   first send_failed; NULL = open), $as_of (NULL = latest event), $severities, $scopes
--   (empty = all; severity 'unset' = none given), $template_search ('' = all),
--   $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: recipient, sent, duplicates, read, archived_unread, max_per_day, last_sent
-- user_day_count as tn_notification_facts counts it (per template, recipient key and UTC
-- day over the window), computed here for this one template only.
WITH f AS (
    SELECT recipient, created_at, is_duplicate, is_read, is_archived_unread,
           count(*) OVER (PARTITION BY tr_key, date_trunc('day', created_at)) AS user_day_count
    FROM tn_facts_core($since, $until, $as_of, $severities, $scopes, $template_search,
                       $dedup_window_minutes, $stale_days, $default_expiry_days)
    WHERE template = $template AND created
)
SELECT
    recipient,
    count(*) AS sent,
    count(*) FILTER (is_duplicate) AS duplicates,
    count(*) FILTER (is_read) AS read,
    count(*) FILTER (is_archived_unread) AS archived_unread,
    max(user_day_count) AS max_per_day,
    max(created_at) AS last_sent
FROM f
GROUP BY recipient
ORDER BY sent DESC, recipient
LIMIT $limit;
