-- inbox_flows: how often each inbox action (and its reverse) happened, for the
--   `inbox_flows` checklist item.
-- grain: exactly one row.  parameters: $as_of (NULL = latest occurred_at in the data).
-- Counts are events up to as_of; `notifications_*` count distinct notifications.
-- columns: notifications, read_events, unread_events, archived_events, unarchived_events, starred_events, unstarred_events, clicked_events, notifications_read, notifications_archived, notifications_starred
SELECT
    count(DISTINCT notification_id) FILTER (event_type = 'sent')       AS notifications,
    count(*) FILTER (event_type = 'read')                              AS read_events,
    count(*) FILTER (event_type = 'unread')                            AS unread_events,
    count(*) FILTER (event_type = 'archived')                          AS archived_events,
    count(*) FILTER (event_type = 'unarchived')                        AS unarchived_events,
    count(*) FILTER (event_type = 'starred')                           AS starred_events,
    count(*) FILTER (event_type = 'unstarred')                         AS unstarred_events,
    count(*) FILTER (event_type = 'clicked')                           AS clicked_events,
    count(DISTINCT notification_id) FILTER (event_type = 'read')       AS notifications_read,
    count(DISTINCT notification_id) FILTER (event_type = 'archived')   AS notifications_archived,
    count(DISTINCT notification_id) FILTER (event_type = 'starred')    AS notifications_starred
FROM events
WHERE occurred_at <= tn_as_of($as_of);
