-- watch/alerts: every stored alert, open ones first, newest first (the Alerts page, the report).
-- grain: one row per alert (incident).  parameters: none.
-- columns: alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at, observed, expected, evidence
SELECT alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at,
       observed, expected, evidence
FROM watch_alerts
ORDER BY status = 'open' DESC, started_at DESC, template, kind;
