-- store/latest_event: when the newest event happened (the data's age is now minus this).
-- grain: exactly one row.  parameters: none.
-- columns: latest_event
SELECT max(occurred_at) AS latest_event FROM events;
