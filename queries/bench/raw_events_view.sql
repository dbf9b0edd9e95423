-- bench/raw_events_view: a lower bound for `metrics` end to end, not a product path.
-- grain: statements.  parameters: $dir: a directory holding log.parquet (a log written by
-- benchmarks/generate.py). A view cannot take a bound parameter, and every cursor reads it:
-- the directory becomes the instance's file_search_path, which cursors share.
-- columns: none
-- Replaces the `events` table with a view straight on the generated Parquet file: no line is
-- validated, normalised, hashed into an event id, checked for repeats or stored. The
-- generated log has a template and a dedup_key on every `sent` row, no CTA, no explicit
-- expires_at and no organisation or workspace recipient, so the columns the generator never
-- fills are constants here. The state and the metrics then run as in the product
-- (state/full.sql, metrics/macros.sql): what they cost is what no amount of work on the
-- ingest can take away.
SET GLOBAL file_search_path = $dir;
DROP TABLE events;
CREATE VIEW events AS
SELECT event_id, event_type, occurred_at, notification_id, user_id,
       NULL::VARCHAR AS organization_id, NULL::VARCHAR AS workspace_id, template,
       'column' AS template_source, title, body, severity, NULL::JSON AS ctas,
       CASE WHEN event_type IN ('sent', 'send_failed') THEN 0 END AS cta_count,
       CAST(metadata AS JSON) AS metadata,
       CASE WHEN event_type = 'sent' THEN hash('dedup_key', dedup_key) END AS fingerprint,
       CAST(expires_hours AS DOUBLE) AS expires_hours, NULL::TIMESTAMP AS expires_at, dedup_key,
       attempt, NULL::VARCHAR AS error, connection_id, false AS used_expires_in_hours,
       false AS cta_url_alias, false AS action_url_with_ctas,
       'log.parquet' AS source_file, 0::BIGINT AS source_line, 1 AS load_id
FROM read_parquet('log.parquet');
