-- ingest/stage_parquet: the rows of one Parquet file as JSON objects (nested values stay nested).
-- grain: one row per Parquet row.  parameters: $path.
-- output: temp table stage(line BIGINT, doc VARCHAR); line = 1-based row number.
CREATE OR REPLACE TEMP TABLE stage AS
SELECT file_row_number + 1 AS line, to_json(r)::VARCHAR AS doc
FROM read_parquet($path, file_row_number = true) AS r;
