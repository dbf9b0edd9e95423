-- store/snapshot_attached: whether the instance holds a read-only snapshot attached as 'tn'
-- (db.connect(path, read_only=True)); a new cursor starts in the in-memory default catalog
-- and must then USE it. Run on the cursor itself, never on a connection other threads share.
-- A database file opened for writing that happens to be called tn.duckdb is not one: its
-- catalog is 'tn' too, but writable, and there is no in-memory catalog beside it.
-- grain: one row.  parameters: none.  columns: attached
SELECT count(*) > 0 AS attached
FROM duckdb_databases()
WHERE database_name = 'tn' AND readonly
  AND EXISTS (SELECT 1 FROM duckdb_databases() WHERE database_name = 'memory');
