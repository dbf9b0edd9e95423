-- ingest/stage_parquet_typed: the fields of a Parquet file whose known columns have the canonical
-- types (ingest/stage_parquet_check.sql found none that differ), read as they are: no JSON round
-- trip, timestamps and numbers stay typed. Same fields as ingest/stage_fields_json.sql.
-- grain: one row per Parquet row.  parameters: $path.  columns: see ingest/normalize.sql
-- reads: tn_parquet_canonical.  output: temp views stage_rows, stage_fields (the file is
-- read where they are read, never copied: a 50M-notification file does not fit in memory).
-- line = 1-based row number; raw is filled for rejected rows only (ingest/stage_parquet_raw.sql).
-- A missing column reads as NULL: the union by name with the (empty) canonical table.
-- A view cannot take a parameter; it reads the path from a session variable.
SET VARIABLE tn_stage_path = $path;

CREATE OR REPLACE TEMP VIEW stage_rows AS
SELECT __tn_line, event_type, occurred_at, created_at, event_id, notification_id, id, user_id,
       organization_id, workspace_id, template, title, body, severity, action_url,
       action_label, expires_hours, expires_in_hours, expires_at, dedup_key, attempt, error,
       connection_id, read_at, archived_at, starred_at, clicked_at, is_read, is_archived,
       is_starred, metadata, ctas
FROM (
    SELECT * FROM tn_parquet_canonical
    UNION ALL BY NAME
    SELECT file_row_number + 1 AS __tn_line, * EXCLUDE (file_row_number)
    FROM read_parquet(getvariable('tn_stage_path'), file_row_number = true)
);

CREATE OR REPLACE TEMP VIEW stage_fields AS
SELECT __tn_line AS line, NULL::VARCHAR AS raw, true AS is_object, true AS is_json,
       NULL::VARCHAR AS duplicate_key,
       lower(tn_text(event_type))                   AS event_type,
       NULL::VARCHAR AS occurred_at_s, NULL::VARCHAR AS created_at_s,
       tn_text(event_id)                            AS event_id,
       coalesce(tn_text(notification_id),
                CASE WHEN tn_text(event_type) IS NULL THEN tn_text(id) END)
                                                    AS notification_id,
       tn_text(user_id)                             AS user_id,
       tn_text(organization_id)                     AS organization_id,
       tn_text(workspace_id)                        AS workspace_id,
       tn_text(template)                            AS template_s,
       title, body,
       lower(tn_text(severity))                     AS severity,
       tn_json_text(ctas)                           AS ctas_j,
       tn_text(action_url)                          AS action_url,
       tn_text(action_label)                        AS action_label,
       tn_json_text(metadata)                       AS metadata,
       NULL::VARCHAR AS expires_hours_s, NULL::VARCHAR AS expires_in_hours_s,
       NULL::VARCHAR AS expires_at_s,
       tn_text(dedup_key)                           AS dedup_key,
       NULL::VARCHAR AS attempt_s,
       tn_text(error)                               AS error,
       tn_text(connection_id)                       AS connection_id,
       NULL::VARCHAR AS read_at_s, NULL::VARCHAR AS archived_at_s,
       NULL::VARCHAR AS starred_at_s, NULL::VARCHAR AS clicked_at_s,
       NULL::VARCHAR AS is_read_s, NULL::VARCHAR AS is_archived_s, NULL::VARCHAR AS is_starred_s,
       CAST(occurred_at AS TIMESTAMP) AS occurred_at_t, CAST(created_at AS TIMESTAMP) AS created_at_t,
       CAST(expires_at AS TIMESTAMP) AS expires_at_t, CAST(read_at AS TIMESTAMP) AS read_at_t,
       CAST(archived_at AS TIMESTAMP) AS archived_at_t,
       CAST(starred_at AS TIMESTAMP) AS starred_at_t,
       CAST(clicked_at AS TIMESTAMP) AS clicked_at_t,
       CAST(expires_hours AS DOUBLE) AS expires_hours_t,
       CAST(expires_in_hours AS DOUBLE) AS expires_in_hours_t,
       CAST(attempt AS BIGINT) AS attempt_t,
       is_read AS is_read_t, is_archived AS is_archived_t, is_starred AS is_starred_t
FROM stage_rows;
