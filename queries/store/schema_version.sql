-- store/schema_version: the schema version this database was written with.
-- grain: one row.  parameters: none.  columns: version (VARCHAR, NULL before migration)
SELECT (SELECT value FROM meta WHERE key = 'schema_version') AS version;
