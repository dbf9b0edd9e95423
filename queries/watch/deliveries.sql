-- watch/deliveries: every delivery of every alert and how it went (the Alerts page).
-- grain: one row per (alert, event, channel, target).  parameters: none.
-- columns: alert_id, event, channel, target, status, attempts, last_error, updated_at
SELECT alert_id, event, channel, target, status, attempts, last_error, updated_at
FROM watch_deliveries
ORDER BY updated_at DESC, alert_id, event, channel, target;
