-- checklist/realtime_reconnection: evidence for the `realtime_reconnection` checklist item.
-- grain: exactly one row.  parameters: $as_of (NULL = latest event), $default_expiry_days.
-- A reconnect is a user's stream_disconnected whose next stream event is a
-- stream_connected; the gap is [disconnected, connected). A user-scoped notification
-- created for that user inside a gap must have a `delivered` at or after the reconnect.
-- undelivered_examples: up to 10 "notification_id (template)" that were not redelivered.
-- columns: stream_events, users_streaming, disconnects, reconnects, users_reconnected, notifications_while_disconnected, delivered_after_reconnect, not_redelivered, undelivered_examples
WITH stream AS (
    SELECT user_id, occurred_at, event_type = 'stream_connected' AS is_connect
    FROM events
    WHERE event_type IN ('stream_connected', 'stream_disconnected')
      AND occurred_at <= tn_as_of($as_of)
),
ordered AS (
    -- At equal times the disconnect sorts first: a zero-length gap is still a reconnect.
    SELECT *,
           lead(is_connect) OVER w AS next_is_connect,
           lead(occurred_at) OVER w AS next_at
    FROM stream
    WINDOW w AS (PARTITION BY user_id ORDER BY occurred_at, is_connect)
),
gaps AS (
    SELECT user_id, occurred_at AS disconnected_at, next_at AS reconnected_at
    FROM ordered
    WHERE NOT is_connect AND next_is_connect
),
missed AS (
    SELECT n.notification_id, n.template, n.created_at, g.reconnected_at,
           coalesce(n.last_delivered_at >= g.reconnected_at, false) AS redelivered
    FROM gaps g
    JOIN tn_notifications($as_of, $default_expiry_days) n
      ON n.user_id = g.user_id
     AND n.created
     AND n.created_at >= g.disconnected_at AND n.created_at < g.reconnected_at
)
SELECT
    (SELECT count(*) FROM stream)                                  AS stream_events,
    (SELECT count(DISTINCT user_id) FROM stream)                   AS users_streaming,
    (SELECT count(*) FROM stream WHERE NOT is_connect)             AS disconnects,
    (SELECT count(*) FROM gaps)                                    AS reconnects,
    (SELECT count(DISTINCT user_id) FROM gaps)                     AS users_reconnected,
    count(*)                                                       AS notifications_while_disconnected,
    count(*) FILTER (redelivered)                                  AS delivered_after_reconnect,
    count(*) FILTER (NOT redelivered)                              AS not_redelivered,
    coalesce(list(notification_id || ' (' || template || ')' ORDER BY created_at, notification_id)
                 FILTER (NOT redelivered), [])[1:10]               AS undelivered_examples
FROM missed;
