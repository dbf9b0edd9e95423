-- store/schema_version_set: record the schema version after a migration.
-- grain: statement.  parameters: $version.  columns: none
INSERT OR REPLACE INTO meta VALUES ('schema_version', $version);
