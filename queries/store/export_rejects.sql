-- store/export_rejects: write the rejects table to Parquet beside an events export.
-- grain: statement (one Parquet file, one row per rejected input line).
-- parameters: $path.  columns: none
COPY (SELECT * FROM rejects ORDER BY file, line) TO $path (FORMAT parquet);
