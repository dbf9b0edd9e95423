-- state/full: build notification_state from all of `events` in one streaming statement:
-- the first load into a database, or a rebuild (a state that does not match the events).
-- grain: statements.  parameters: none.  columns: none
-- reads: tn_state (metrics/macros.sql, run on this connection first): with the stamp
-- cleared, tn_state computes the state from the events with the one definition every
-- metric reads; no copy of it is held in between (at 50M
-- notifications state/refresh.sql's three temp tables would each spill gigabytes).
DELETE FROM notification_state;
-- The stamp vouches for nothing until the end: tn_state reads the events.
UPDATE notification_state_stamp SET events = -1;

INSERT INTO notification_state BY NAME SELECT * FROM tn_state(NULL);

UPDATE notification_state_stamp
SET events = (SELECT count(*) FROM events),
    max_occurred_at = (SELECT max(occurred_at) FROM events),
    version = tn_state_layout(),
    ids_xor = (SELECT bit_xor(hash(event_id)) FROM events),
    ids_events = (SELECT count(*) FROM events);
