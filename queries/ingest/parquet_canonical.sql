-- ingest/parquet_canonical: the columns a notification log may hold, with the types the typed
-- Parquet path reads without a JSON round trip (see ingest/stage_parquet_check.sql).
-- grain: statements.  parameters: none.  columns: none
-- output: empty temp table tn_parquet_canonical, one column per field of SPEC.md "Input".
CREATE OR REPLACE TEMP TABLE tn_parquet_canonical (
    event_type VARCHAR, occurred_at TIMESTAMP, created_at TIMESTAMP, event_id VARCHAR,
    notification_id VARCHAR, id VARCHAR, user_id VARCHAR, organization_id VARCHAR,
    workspace_id VARCHAR, template VARCHAR, title VARCHAR, body VARCHAR, severity VARCHAR,
    action_url VARCHAR, action_label VARCHAR, expires_hours DOUBLE, expires_in_hours DOUBLE,
    expires_at TIMESTAMP, dedup_key VARCHAR, attempt BIGINT, error VARCHAR,
    connection_id VARCHAR, read_at TIMESTAMP, archived_at TIMESTAMP, starred_at TIMESTAMP,
    clicked_at TIMESTAMP, is_read BOOLEAN, is_archived BOOLEAN, is_starred BOOLEAN,
    metadata VARCHAR, ctas VARCHAR
);
