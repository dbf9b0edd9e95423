-- ingest/load_present_stored: as ingest/load_present.sql, when the stored events are the smaller side
-- (a first load, or one larger than the database): a hash table of the stored ids, probed
-- by the load's.
-- grain: statements; the last returns one row.  parameters: $load_id.  columns: present
CREATE OR REPLACE TEMP TABLE load_present AS
SELECT DISTINCT l.event_id
FROM events l
SEMI JOIN (SELECT event_id FROM events WHERE load_id <> $load_id) e ON e.event_id = l.event_id
WHERE l.load_id = $load_id;

SELECT count(*) AS present FROM load_present;
