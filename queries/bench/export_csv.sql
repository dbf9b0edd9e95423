-- bench/export_csv: write the generated events to $path, ordered by time.
-- grain: statement.  parameters: $path.  columns: none
COPY (SELECT * FROM bench_events ORDER BY occurred_at, event_id) TO $path (FORMAT csv, HEADER);
