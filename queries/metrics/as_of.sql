-- metrics/as_of: the analysis instant and how much data it stands on.
-- grain: exactly one row.  parameters: $as_of (NULL = the latest occurred_at in the data).
-- `notifications` counts every notification with a `sent` in the data (from the
-- per-notification state, tn_state over all events, rather than a distinct count).
-- columns: as_of, first_event_at, last_event_at, events, notifications
SELECT
    tn_as_of($as_of)                                 AS as_of,
    min(occurred_at)                                 AS first_event_at,
    max(occurred_at)                                 AS last_event_at,
    count(*)                                         AS events,
    (SELECT count(created_at) FROM tn_state(NULL))   AS notifications
FROM events;
