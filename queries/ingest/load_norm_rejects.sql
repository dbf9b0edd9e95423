-- ingest/load_norm_rejects: keep the lines of one normalised file that cannot be used.
-- grain: statement (inserts into load_rejects).  parameters: $file, $file_index.
-- columns: none
-- reads: norm (ingest/normalize.sql), read a second time: for a typed Parquet file whose rows all
-- became events (ingest/stage_parquet_lines.sql) ingest.py does not run this.
INSERT INTO load_rejects
SELECT $file, $file_index, line, reject_column, reject_reason, raw
FROM norm WHERE reject_reason IS NOT NULL;
