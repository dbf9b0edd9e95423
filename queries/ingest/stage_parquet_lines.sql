-- ingest/stage_parquet_lines: how many rows a typed Parquet file has, and how many of them have no
-- event type (a snapshot row, or a row to reject).
-- grain: one row.  parameters: none.  columns: lines BIGINT, without_event_type BIGINT
-- reads: stage_fields (ingest/stage_parquet_typed.sql): only the event type column is read.
-- A row with an event type becomes one event or one reject, so when every row has one and
-- the file gave as many events as rows, no row was rejected (ingest.py then skips the
-- second reading of `norm` that collects rejects).
SELECT count(*) AS lines, count(*) FILTER (WHERE event_type IS NULL) AS without_event_type
FROM stage_fields;
