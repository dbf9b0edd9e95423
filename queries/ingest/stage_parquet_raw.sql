-- ingest/stage_parquet_raw: the row text of each rejected row of a typed Parquet file, for `rejects`.
-- grain: statement (updates load_rejects).  parameters: $file_index.  columns: none
-- reads: stage_rows (ingest/stage_parquet_typed.sql). Only rejected rows are turned into JSON
-- text; a file without rejects costs nothing here.
UPDATE load_rejects SET raw = left(json_merge_patch(to_json(r), '{"__tn_line": null}')::VARCHAR, 1000)
FROM stage_rows AS r
WHERE load_rejects.file_index = $file_index AND load_rejects.raw IS NULL
  AND r.__tn_line = load_rejects.line;
