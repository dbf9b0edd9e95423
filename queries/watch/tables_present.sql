-- watch/tables_present: whether the database holds the watch tables (schema version 5 on).
-- grain: exactly one row.  parameters: none.  A read-only snapshot of an older file has none.
-- columns: present
SELECT count(*) > 0 AS present
FROM duckdb_tables()
WHERE table_name = 'watch_alerts' AND NOT temporary AND database_name = current_database();
