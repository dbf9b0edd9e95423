-- dash_freshness: how fresh and how big the loaded data is (Data page headline).
-- grain: one row.  parameters: none.
-- columns: events, notifications, templates, first_event, latest_event, last_load_at, loads, rejects
SELECT
    (SELECT count(*) FROM events) AS events,
    (SELECT count(DISTINCT notification_id) FROM events WHERE notification_id IS NOT NULL)
        AS notifications,
    (SELECT count(DISTINCT template) FROM events WHERE event_type IN ('sent', 'send_failed'))
        AS templates,
    (SELECT min(occurred_at) FROM events) AS first_event,
    (SELECT max(occurred_at) FROM events) AS latest_event,
    (SELECT max(finished_at) FROM loads) AS last_load_at,
    (SELECT count(*) FROM loads) AS loads,
    (SELECT count(*) FROM rejects) AS rejects;
