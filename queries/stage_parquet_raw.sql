-- stage_parquet_raw: the row text of each rejected row of a typed Parquet file, for `rejects`.
-- grain: statement (updates norm).  parameters: none.  columns: none
-- reads: stage_rows (stage_parquet_typed.sql), norm (normalize.sql). Only rejected rows
-- are turned into JSON text; a file without rejects costs nothing here.
UPDATE norm SET raw = left(json_merge_patch(to_json(r), '{"__tn_line": null}')::VARCHAR, 1000)
FROM stage_rows AS r
WHERE norm.reject_reason IS NOT NULL AND norm.raw IS NULL AND r.__tn_line = norm.line;
