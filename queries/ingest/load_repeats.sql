-- ingest/load_repeats: the event_ids the open load added more than once (usually none), with the
-- row that keeps each: the first file of the load, then the first line, holding it.
-- grain: statements; the last returns one row.  parameters: $load_id.  columns: repeats
-- Candidates come from grouping 64-bit hashes of the ids (142M events under a 4 GB cap:
-- 12.6 s and no spill, where grouping the strings spilled 4 GB); only the rows of a
-- candidate hash are grouped by their exact id, so a hash collision costs nothing.
CREATE OR REPLACE TEMP TABLE load_repeats AS
WITH candidates AS (
    SELECT hash(event_id) AS h FROM events WHERE load_id = $load_id
    GROUP BY ALL HAVING count(*) > 1
)
SELECT e.event_id,
       arg_min({'file': e.source_file, 'line': e.source_line},
               {'file_index': f.file_index, 'line': e.source_line}) AS keep
FROM events e
JOIN load_files f ON f.file = e.source_file
WHERE e.load_id = $load_id AND hash(e.event_id) IN (SELECT h FROM candidates)
GROUP BY e.event_id
HAVING count(*) > 1;

SELECT count(*) AS repeats FROM load_repeats;
