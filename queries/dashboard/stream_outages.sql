-- dashboard/stream_outages: each realtime disconnect, when the user came back, and what the notifications created meanwhile became; a reconnect that lost one first.
-- grain: one row per stream_disconnected in the window.  parameters: $since, $until
-- (disconnected_at window, NULL = open), $as_of, $severities, $scopes, $template_search,
-- $default_expiry_days, $limit.
-- Reconnects and lost notifications are tn_stream_outages / tn_outage_notifications
-- (metrics/macros.sql), as for the `realtime_reconnection` checklist item. The severity, scope
-- and template filters pick the notifications counted; with any of them set, only the
-- disconnects during which a matching notification was created are listed.
-- lost: created while disconnected and not delivered at or after the reconnect;
-- lost_notifications: those, as "notification_id (template)", oldest first (as `check` names them).
-- columns: user_id, disconnected_at, reconnected_at, offline_s, created_while_offline, delivered_after_reconnect, lost, lost_notifications
WITH outage AS (
    SELECT user_id, disconnected_at, reconnected_at
    FROM tn_stream_outages($as_of)
    WHERE disconnected_at >= coalesce(CAST($since AS TIMESTAMP), '-infinity'::TIMESTAMP)
      AND disconnected_at < coalesce(CAST($until AS TIMESTAMP), 'infinity'::TIMESTAMP)
),
created AS (
    SELECT user_id, disconnected_at, notification_id, template, created_at, redelivered,
           reconnected_at IS NOT NULL AND NOT redelivered AS is_lost
    FROM tn_outage_notifications($as_of, $default_expiry_days)
    WHERE (len(CAST($severities AS VARCHAR[])) = 0
           OR list_contains(CAST($severities AS VARCHAR[]), severity))
      AND (len(CAST($scopes AS VARCHAR[])) = 0
           OR list_contains(CAST($scopes AS VARCHAR[]), scope))
      AND (coalesce($template_search, '') = ''
           OR contains(lower(template), lower($template_search)))
)
SELECT
    o.user_id,
    o.disconnected_at,
    o.reconnected_at,
    date_diff('microsecond', o.disconnected_at, o.reconnected_at) / 1e6 AS offline_s,
    count(DISTINCT c.notification_id)                          AS created_while_offline,
    count(DISTINCT c.notification_id) FILTER (c.redelivered)   AS delivered_after_reconnect,
    count(DISTINCT c.notification_id) FILTER (c.is_lost)       AS lost,
    coalesce(list(c.notification_id || ' (' || c.template || ')'
                  ORDER BY c.created_at, c.notification_id) FILTER (c.is_lost), [])
                                                               AS lost_notifications
FROM outage AS o
LEFT JOIN created AS c
    ON c.user_id = o.user_id AND c.disconnected_at = o.disconnected_at
GROUP BY o.user_id, o.disconnected_at, o.reconnected_at
HAVING (len(CAST($severities AS VARCHAR[])) = 0 AND len(CAST($scopes AS VARCHAR[])) = 0
        AND coalesce($template_search, '') = '')
    OR count(c.notification_id) > 0
ORDER BY lost DESC, o.disconnected_at DESC, o.user_id
LIMIT $limit;
