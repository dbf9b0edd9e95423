-- dashboard/stream_over_time: realtime stream connects, disconnects and reconnects per time bucket.
-- grain: one row per bucket.  parameters: $since, $until (occurred_at window, NULL = open),
-- $unit ('hour'|'day'|'week').
-- columns: bucket, connects, disconnects, reconnects
-- A reconnect is a stream_connected whose previous stream event for the user was a disconnect.
WITH s AS (
    SELECT
        occurred_at,
        event_type,
        lag(event_type) OVER (PARTITION BY user_id ORDER BY occurred_at, event_id) AS previous
    FROM events
    WHERE event_type IN ('stream_connected', 'stream_disconnected')
)
SELECT
    date_trunc(CAST($unit AS VARCHAR), occurred_at) AS bucket,
    count(*) FILTER (WHERE event_type = 'stream_connected') AS connects,
    count(*) FILTER (WHERE event_type = 'stream_disconnected') AS disconnects,
    count(*) FILTER (
        WHERE event_type = 'stream_connected' AND previous = 'stream_disconnected'
    ) AS reconnects
FROM s
WHERE (CAST($since AS TIMESTAMP) IS NULL OR occurred_at >= CAST($since AS TIMESTAMP))
  AND (CAST($until AS TIMESTAMP) IS NULL OR occurred_at < CAST($until AS TIMESTAMP))
GROUP BY ALL
ORDER BY bucket;
