-- ingest/load_present: the open load's event_ids that an earlier load already stored, when the
-- load is the smaller side: a hash table of the load's ids, probed by the stored ids (an
-- appended day costs the size of the day, not of the database).
-- grain: statements; the last returns one row.  parameters: $load_id.  columns: present
CREATE OR REPLACE TEMP TABLE load_present AS
SELECT DISTINCT e.event_id
FROM events e
SEMI JOIN (SELECT event_id FROM events WHERE load_id = $load_id) l ON l.event_id = e.event_id
WHERE e.load_id <> $load_id;

SELECT count(*) AS present FROM load_present;
