-- watch/delivery_done: the outcome of one delivery's attempts in this run.
-- grain: statements.  parameters: $alert_id, $event, $channel, $target, $status
--   ('sent'|'failed'), $attempts (made in this run), $error (NULL when sent), $now.
-- columns: none
UPDATE watch_deliveries
SET status = $status,
    attempts = attempts + CAST($attempts AS INTEGER),
    last_error = $error,
    updated_at = CAST($now AS TIMESTAMP)
WHERE alert_id = $alert_id AND event = $event AND channel = $channel AND target = $target;
