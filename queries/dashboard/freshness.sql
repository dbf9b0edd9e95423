-- dashboard/freshness: how fresh and how big the loaded data is (Data page headline).
-- grain: one row.  parameters: none.
-- `notifications` (distinct notification_ids named by any event) is the row count of
-- notification_state (state/schema.sql: one row per such id) while the state answers for
-- all events (tn_state_fresh, metrics/macros.sql: run those macros on the cursor first),
-- else a distinct count over every event (a database the ingest has not yet brought up to
-- date); the gate skips the branch not taken before any row is read.
-- columns: events, notifications, templates, first_event, latest_event, last_load_at, loads, rejects
WITH stamp AS (
    SELECT tn_state_fresh(NULL) AS fresh
)
SELECT
    (SELECT count(*) FROM events) AS events,
    (SELECT max(n) FROM (
        SELECT count(*) AS n FROM notification_state WHERE (SELECT fresh FROM stamp)
        UNION ALL
        SELECT count(DISTINCT notification_id) AS n FROM events
        WHERE NOT (SELECT fresh FROM stamp) AND notification_id IS NOT NULL
    ))  AS notifications,
    (SELECT count(DISTINCT template) FROM events WHERE event_type IN ('sent', 'send_failed'))
        AS templates,
    (SELECT min(occurred_at) FROM events) AS first_event,
    (SELECT max(occurred_at) FROM events) AS latest_event,
    (SELECT max(finished_at) FROM loads) AS last_load_at,
    (SELECT count(*) FROM loads) AS loads,
    (SELECT count(*) FROM rejects) AS rejects;
