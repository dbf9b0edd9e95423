-- checklist/inbox_flows: how often each inbox action (and its reverse) happened, for the
--   `inbox_flows` checklist item.
-- grain: exactly one row.  parameters: $as_of (NULL = latest occurred_at in the data).
-- Counts are events up to as_of; `notifications_*` count distinct notifications, read from
-- the per-notification state (tn_state: earliest sent/read/archived/starred at or before
-- as_of) instead of a distinct count over every event.
-- columns: notifications, read_events, unread_events, archived_events, unarchived_events, starred_events, unstarred_events, clicked_events, notifications_read, notifications_archived, notifications_starred
WITH ev AS (
    SELECT
        CAST(count_if(event_type = 'read') AS BIGINT)       AS read_events,
        CAST(count_if(event_type = 'unread') AS BIGINT)     AS unread_events,
        CAST(count_if(event_type = 'archived') AS BIGINT)   AS archived_events,
        CAST(count_if(event_type = 'unarchived') AS BIGINT) AS unarchived_events,
        CAST(count_if(event_type = 'starred') AS BIGINT)    AS starred_events,
        CAST(count_if(event_type = 'unstarred') AS BIGINT)  AS unstarred_events,
        CAST(count_if(event_type = 'clicked') AS BIGINT)    AS clicked_events
    FROM events
    -- No `event_type IN (...)` here: at scale that list became a join over every event,
    -- costing more than the counts themselves.
    WHERE occurred_at <= tn_as_of($as_of)
),
n AS (
    SELECT
        count(created_at)  AS notifications,
        count(read_at)     AS notifications_read,
        count(archived_at) AS notifications_archived,
        count(starred_at)  AS notifications_starred
    FROM tn_state($as_of)
)
SELECT
    n.notifications, ev.read_events, ev.unread_events, ev.archived_events,
    ev.unarchived_events, ev.starred_events, ev.unstarred_events, ev.clicked_events,
    n.notifications_read, n.notifications_archived, n.notifications_starred
FROM ev, n;
