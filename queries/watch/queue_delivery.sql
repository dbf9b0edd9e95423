-- watch/queue_delivery: one delivery to make (an alert opened or resolved, to one target), once.
-- grain: statements.  parameters: $alert_id, $event ('opened'|'resolved'), $channel
--   ('wacht'|'webhook'), $target (a Wacht user id or the webhook's environment variable), $now.
-- columns: none
-- The key (alert, event, channel, target) is the dedup key: a rerun queues nothing twice.
INSERT INTO watch_deliveries (alert_id, event, channel, target, status, attempts, updated_at)
VALUES ($alert_id, $event, $channel, $target, 'pending', 0, CAST($now AS TIMESTAMP))
ON CONFLICT DO NOTHING;
