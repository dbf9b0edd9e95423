-- ingest/load_add_file: keep one normalised file's event count and the lines its reader could not
-- split (its events are already in `events`; ingest/load_norm_rejects.sql adds the lines that
-- fail the checks).
-- grain: statements.  parameters: $file, $file_index, $events_given.  columns: none
-- reads: stage_reader_rejects (ingest/stage_map.sql; empty for a typed Parquet file).
INSERT INTO load_files VALUES ($file, $file_index, $events_given);

INSERT INTO load_rejects
SELECT $file, $file_index, line, "column", reason, raw FROM stage_reader_rejects;
