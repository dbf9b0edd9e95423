-- state/mode: how to bring notification_state up to date with the open load: incrementally
-- (state/refresh.sql) when the state matched the events before this load and holds rows,
-- else from scratch (state/full.sql).
-- grain: one row.  parameters: $load_id.  columns: incremental
SELECT coalesce((SELECT max(events) FROM notification_state_stamp WHERE version = tn_state_layout())
                + (SELECT count(*) FROM events WHERE load_id = $load_id)
                = (SELECT count(*) FROM events), false)
       AND EXISTS (SELECT 1 FROM notification_state) AS incremental;
