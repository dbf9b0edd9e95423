-- load_add_file: keep one normalised file's rejects and event count for the load's commit
-- (its events are already in `events`).
-- grain: statements.  parameters: $file, $file_index, $events_given.  columns: none
-- reads: norm, stage_reader_rejects (see normalize.sql, stage_map.sql).
INSERT INTO load_files VALUES ($file, $file_index, $events_given);

INSERT INTO load_rejects
SELECT $file, $file_index, line, reject_column, reject_reason, raw
FROM norm WHERE reject_reason IS NOT NULL
UNION ALL
SELECT $file, $file_index, line, "column", reason, raw FROM stage_reader_rejects;
