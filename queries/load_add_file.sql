-- load_add_file: keep one normalised file's events and rejects for the load's commit.
-- grain: statements.  parameters: $file, $file_index.  columns: none
-- reads: staged_events, norm, stage_reader_rejects (see normalize.sql, stage_map.sql).
INSERT INTO load_files VALUES ($file, $file_index);

CREATE TEMP TABLE IF NOT EXISTS load_events AS SELECT * FROM staged_events LIMIT 0;

INSERT INTO load_events SELECT * FROM staged_events;

INSERT INTO load_rejects
SELECT $file, $file_index, line, reject_column, reject_reason, raw
FROM norm WHERE reject_reason IS NOT NULL
UNION ALL
SELECT $file, $file_index, line, "column", reason, raw FROM stage_reader_rejects;
