-- store/macros_shared: whether the instance shares the metric macros (queries.share_metric_macros,
-- on a read-only snapshot), so that a cursor need not define its own.
-- grain: one row.  parameters: none.  columns: shared
SELECT count(*) > 0 AS shared
FROM duckdb_tables()
WHERE database_name = 'memory' AND schema_name = 'main' AND table_name = 'tn_macros_shared';
