-- store/export_events: write the events table to Parquet, for the Spark engine (docs/spark.md).
-- grain: statement (one Parquet file, one row per event, the columns of `events`).
-- parameters: $path.  columns: none
-- Ordered by time so that row groups prune well on occurred_at.
COPY (SELECT * FROM events ORDER BY occurred_at, event_id) TO $path (FORMAT parquet);
