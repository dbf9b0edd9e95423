-- ingest/stage_fields_json: the fields of every staged JSON document (JSON Lines, CSV records and
-- Parquet rows of other than the canonical types), as text, for ingest/normalize.sql.
-- grain: one row per non-blank staged line.  parameters: none.  columns: see ingest/normalize.sql
-- reads: temp table stage(line, doc).  output: temp view stage_fields.
CREATE OR REPLACE TEMP VIEW stage_fields AS
WITH parsed AS (
    SELECT line, doc,
           -- CASE, not AND: DuckDB evaluates both sides and the cast fails on bad JSON.
           coalesce(CASE WHEN json_valid(doc) THEN json_type(doc) = 'OBJECT' END, false) AS is_object,
           json_valid(doc) AS is_json
    FROM stage
    WHERE doc IS NOT NULL AND trim(doc) <> ''
),
f AS (
    -- One parse per line: json_transform pulls every field the tool reads at once
    -- (json_extract per field re-parses the document each time: 25x slower).
    SELECT line, left(doc, 1000) AS raw, is_object, is_json,
           CASE WHEN is_object THEN json_keys(CASE WHEN is_object THEN doc END) END AS keys,
           CASE WHEN is_object THEN json_transform(CASE WHEN is_object THEN doc END,
               '{"event_type": "VARCHAR", "occurred_at": "VARCHAR", "created_at": "VARCHAR", "event_id":'
        || '"VARCHAR", "notification_id": "VARCHAR", "id": "VARCHAR", "user_id": "VARCHAR",'
        || '"organization_id": "VARCHAR", "workspace_id": "VARCHAR", "template": "VARCHAR", "title":'
        || '"VARCHAR", "body": "VARCHAR", "severity": "VARCHAR", "action_url": "VARCHAR",'
        || '"action_label": "VARCHAR", "expires_hours": "VARCHAR", "expires_in_hours": "VARCHAR",'
        || '"expires_at": "VARCHAR", "dedup_key": "VARCHAR", "attempt": "VARCHAR", "error":'
        || '"VARCHAR", "connection_id": "VARCHAR", "read_at": "VARCHAR", "archived_at": "VARCHAR",'
        || '"starred_at": "VARCHAR", "clicked_at": "VARCHAR", "is_read": "VARCHAR", "is_archived":'
        || '"VARCHAR", "is_starred": "VARCHAR", "metadata": "JSON", "ctas": "JSON"}') END AS r
    FROM parsed
),
fields AS (
    SELECT line, raw, is_object, is_json,
           -- A key given twice is ambiguous (parsers disagree on which wins): reject the line.
           list_filter(keys, lambda k, i: list_position(keys, k) < i)[1] AS duplicate_key,
           lower(tn_text(r.event_type))                 AS event_type,
           tn_text(r.occurred_at)                       AS occurred_at_s,
           tn_text(r.created_at)                        AS created_at_s,
           tn_text(r.event_id)                          AS event_id,
           coalesce(tn_text(r.notification_id),
                    CASE WHEN tn_text(r.event_type) IS NULL THEN tn_text(r.id) END)
                                                        AS notification_id,
           tn_text(r.user_id)                           AS user_id,
           tn_text(r.organization_id)                   AS organization_id,
           tn_text(r.workspace_id)                      AS workspace_id,
           tn_text(r.template)                          AS template_s,
           r.title                                      AS title,
           r.body                                       AS body,
           lower(tn_text(r.severity))                   AS severity,
           tn_json_value(r.ctas)                        AS ctas_j,
           tn_text(r.action_url)                        AS action_url,
           tn_text(r.action_label)                      AS action_label,
           tn_json_value(r.metadata)                    AS metadata,
           tn_text(r.expires_hours)                     AS expires_hours_s,
           tn_text(r.expires_in_hours)                  AS expires_in_hours_s,
           tn_text(r.expires_at)                        AS expires_at_s,
           tn_text(r.dedup_key)                         AS dedup_key,
           tn_text(r.attempt)                           AS attempt_s,
           tn_text(r.error)                             AS error,
           tn_text(r.connection_id)                     AS connection_id,
           tn_text(r.read_at)                           AS read_at_s,
           tn_text(r.archived_at)                       AS archived_at_s,
           tn_text(r.starred_at)                        AS starred_at_s,
           tn_text(r.clicked_at)                        AS clicked_at_s,
           tn_text(r.is_read)                           AS is_read_s,
           tn_text(r.is_archived)                       AS is_archived_s,
           tn_text(r.is_starred)                        AS is_starred_s,
           -- Values a typed source gives already typed (ingest/stage_parquet_typed.sql): none here.
           NULL::TIMESTAMP AS occurred_at_t, NULL::TIMESTAMP AS created_at_t,
           NULL::TIMESTAMP AS expires_at_t, NULL::TIMESTAMP AS read_at_t,
           NULL::TIMESTAMP AS archived_at_t, NULL::TIMESTAMP AS starred_at_t,
           NULL::TIMESTAMP AS clicked_at_t, NULL::DOUBLE AS expires_hours_t,
           NULL::DOUBLE AS expires_in_hours_t, NULL::BIGINT AS attempt_t,
           NULL::BOOLEAN AS is_read_t, NULL::BOOLEAN AS is_archived_t,
           NULL::BOOLEAN AS is_starred_t
    FROM f
)
SELECT * FROM fields;
