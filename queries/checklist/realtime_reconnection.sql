-- checklist/realtime_reconnection: evidence for the `realtime_reconnection` checklist item.
-- grain: exactly one row.  parameters: $as_of (NULL = latest event), $default_expiry_days.
-- A reconnect and the notifications it lost are those of tn_stream_outages and
-- tn_outage_notifications (metrics/macros.sql): a user's stream_disconnected whose next
-- stream event is a stream_connected; the gap is [disconnected, connected). A user-scoped
-- notification created for that user inside a gap must have a `delivered` at or after the
-- reconnect.
-- undelivered_examples: up to 10 "notification_id (template)" that were not redelivered.
-- columns: stream_events, users_streaming, disconnects, reconnects, users_reconnected, notifications_while_disconnected, delivered_after_reconnect, not_redelivered, undelivered_examples
WITH stream AS (
    SELECT user_id, event_type = 'stream_connected' AS is_connect
    FROM events
    WHERE event_type IN ('stream_connected', 'stream_disconnected')
      AND occurred_at <= tn_as_of($as_of)
),
gaps AS (
    SELECT user_id FROM tn_stream_outages($as_of) WHERE reconnected_at IS NOT NULL
),
missed AS (
    SELECT notification_id, template, created_at, redelivered
    FROM tn_outage_notifications($as_of, $default_expiry_days)
    WHERE reconnected_at IS NOT NULL
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
