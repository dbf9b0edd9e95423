-- dashboard/stream_outages: each realtime disconnect, when the user came back, and whether the
-- notifications created meanwhile were delivered after the reconnect.
-- grain: one row per stream_disconnected.  parameters: $since, $until (occurred_at window,
-- NULL = open), $limit.
-- columns: user_id, disconnected_at, reconnected_at, offline_s, created_while_offline, delivered_after_reconnect
WITH s AS (
    SELECT
        user_id,
        occurred_at,
        event_type,
        lead(occurred_at) OVER w AS next_at,
        lead(event_type) OVER w AS next_type
    FROM events
    WHERE event_type IN ('stream_connected', 'stream_disconnected')
    WINDOW w AS (PARTITION BY user_id ORDER BY occurred_at, event_id)
),
outage AS (
    SELECT
        user_id,
        occurred_at AS disconnected_at,
        CASE WHEN next_type = 'stream_connected' THEN next_at END AS reconnected_at
    FROM s
    WHERE event_type = 'stream_disconnected'
      AND (CAST($since AS TIMESTAMP) IS NULL OR occurred_at >= CAST($since AS TIMESTAMP))
      AND (CAST($until AS TIMESTAMP) IS NULL OR occurred_at < CAST($until AS TIMESTAMP))
),
created AS (
    -- Only users who had an outage (none: the events are not read at all).
    SELECT notification_id, user_id, min(occurred_at) AS created_at
    FROM events
    WHERE event_type = 'sent' AND user_id IS NOT NULL
      AND user_id IN (SELECT user_id FROM outage)
    GROUP BY notification_id, user_id
),
delivered AS (
    SELECT notification_id, occurred_at FROM events WHERE event_type = 'delivered'
)
SELECT
    o.user_id,
    o.disconnected_at,
    o.reconnected_at,
    date_diff('microsecond', o.disconnected_at, o.reconnected_at) / 1e6 AS offline_s,
    count(DISTINCT c.notification_id) AS created_while_offline,
    count(DISTINCT c.notification_id) FILTER (
        WHERE o.reconnected_at IS NOT NULL AND EXISTS (
            SELECT 1 FROM delivered AS d
            WHERE d.notification_id = c.notification_id AND d.occurred_at >= o.reconnected_at
        )
    ) AS delivered_after_reconnect
FROM outage AS o
LEFT JOIN created AS c
    ON c.user_id = o.user_id
   AND c.created_at >= o.disconnected_at
   AND (o.reconnected_at IS NULL OR c.created_at < o.reconnected_at)
GROUP BY ALL
ORDER BY o.disconnected_at DESC, o.user_id
LIMIT $limit;
