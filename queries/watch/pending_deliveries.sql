-- watch/pending_deliveries: every delivery not yet made (new or failed before), with its alert.
-- grain: one row per (alert, event, channel, target) whose status is not 'sent', oldest first.
-- parameters: none.
-- columns: alert_id, event, channel, target, attempts, template, kind, status, started_at, resolved_at, observed, expected, evidence
SELECT d.alert_id, d.event, d.channel, d.target, d.attempts,
       a.template, a.kind, a.status, a.started_at, a.resolved_at, a.observed, a.expected,
       a.evidence
FROM watch_deliveries AS d
JOIN watch_alerts AS a USING (alert_id)
WHERE d.status <> 'sent'
ORDER BY a.started_at, d.alert_id, d.event, d.channel, d.target;
