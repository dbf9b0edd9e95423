-- normalize: turn the staged rows of one file into canonical events and per-line rejects.
-- grain: norm = one row per non-blank staged line (event row or snapshot row), with
--        reject_column/reject_reason set when the line cannot be used;
--        staged_events = one row per event (a snapshot row yields sent + engagement events).
-- parameters: $file (as given by the user), $file_index (its position in the load),
--             $redact_key (NULL: keep user ids and bodies; else user ids become keyed
--             hashes and bodies are dropped, after the fingerprint was taken from them).
-- reads: temp table stage(line, doc).  Columns of staged_events = columns of events.
CREATE OR REPLACE TEMP TABLE norm AS
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
           tn_text(r.is_starred)                        AS is_starred_s
    FROM f
),
typed AS (
    SELECT *,
           event_type IS NULL AND created_at_s IS NOT NULL           AS is_snapshot,
           tn_ts(occurred_at_s)                                      AS occurred_at,
           tn_ts(created_at_s)                                       AS created_at,
           tn_ts(expires_at_s)                                       AS expires_at,
           try_cast(coalesce(expires_hours_s, expires_in_hours_s) AS DOUBLE) AS expires_hours,
           try_cast(attempt_s AS INTEGER)                            AS attempt,
           tn_ts(read_at_s) AS read_at, tn_ts(archived_at_s) AS archived_at,
           tn_ts(starred_at_s) AS starred_at, tn_ts(clicked_at_s) AS clicked_at,
           try_cast(is_read_s AS BOOLEAN) AS is_read,
           try_cast(is_archived_s AS BOOLEAN) AS is_archived,
           try_cast(is_starred_s AS BOOLEAN) AS is_starred,
           CASE json_type(ctas_j)
               WHEN 'ARRAY' THEN json_extract(ctas_j, '$[*]')
               WHEN 'OBJECT' THEN [ctas_j]
           END AS cta_list
    FROM fields
),
checked AS (
    -- The first failing check names the line's reject; declared as data, in order.
    SELECT *,
           list_filter([
               {'bad': NOT is_json, 'col': NULL, 'why': 'invalid JSON'},
               {'bad': is_json AND NOT is_object, 'col': NULL, 'why': 'not a JSON object'},
               {'bad': duplicate_key IS NOT NULL, 'col': duplicate_key,
                'why': 'duplicate key ''' || left(duplicate_key, 100) || ''' in the JSON object'},
               {'bad': is_object AND event_type IS NULL AND created_at_s IS NULL,
                'col': 'event_type', 'why': 'missing required column'},
               {'bad': event_type IS NOT NULL AND event_type NOT IN (
                    'sent', 'send_failed', 'delivered', 'read', 'unread', 'archived',
                    'unarchived', 'starred', 'unstarred', 'clicked',
                    'stream_connected', 'stream_disconnected'),
                'col': 'event_type', 'why': 'unknown event_type ''' || left(event_type, 100) || ''''},
               {'bad': event_type IS NOT NULL AND occurred_at_s IS NULL,
                'col': 'occurred_at', 'why': 'missing required column'},
               {'bad': occurred_at_s IS NOT NULL AND occurred_at IS NULL,
                'col': 'occurred_at', 'why': 'bad timestamp ''' || left(occurred_at_s, 100) || ''''},
               {'bad': occurred_at IS NOT NULL AND NOT tn_ts_ok(occurred_at),
                'col': 'occurred_at', 'why': 'timestamp out of range ''' || left(occurred_at_s, 100) || ''''},
               {'bad': is_snapshot AND created_at IS NULL,
                'col': 'created_at', 'why': 'bad timestamp ''' || left(created_at_s, 100) || ''''},
               {'bad': created_at IS NOT NULL AND NOT tn_ts_ok(created_at),
                'col': 'created_at', 'why': 'timestamp out of range ''' || left(created_at_s, 100) || ''''},
               {'bad': (is_snapshot OR event_type NOT IN ('stream_connected', 'stream_disconnected'))
                       AND notification_id IS NULL,
                'col': 'notification_id', 'why': 'missing required column'},
               {'bad': (is_snapshot OR event_type = 'sent') AND user_id IS NULL
                       AND organization_id IS NULL AND workspace_id IS NULL,
                'col': 'user_id', 'why': 'missing recipient (user_id, organization_id or workspace_id)'},
               {'bad': event_type IN ('stream_connected', 'stream_disconnected') AND user_id IS NULL,
                'col': 'user_id', 'why': 'missing required column'},
               {'bad': (is_snapshot OR event_type = 'sent') AND title IS NULL,
                'col': 'title', 'why': 'missing required column'},
               {'bad': expires_at_s IS NOT NULL AND NOT tn_ts_ok(expires_at),
                'col': 'expires_at', 'why': 'bad timestamp ''' || left(expires_at_s, 100) || ''''},
               {'bad': coalesce(expires_hours_s, expires_in_hours_s) IS NOT NULL
                       AND (expires_hours IS NULL OR NOT isfinite(expires_hours)
                            OR expires_hours < 0 OR expires_hours > 24 * 365 * 100),
                'col': CASE WHEN expires_hours_s IS NULL THEN 'expires_in_hours' ELSE 'expires_hours' END,
                'why': 'not a number of hours in [0, 876000] '''
                       || left(coalesce(expires_hours_s, expires_in_hours_s), 100) || ''''},
               {'bad': attempt_s IS NOT NULL AND (attempt IS NULL OR attempt < 1),
                'col': 'attempt', 'why': 'not a positive integer ''' || left(attempt_s, 100) || ''''},
               {'bad': read_at_s IS NOT NULL AND NOT tn_ts_ok(read_at),
                'col': 'read_at', 'why': 'bad timestamp ''' || left(read_at_s, 100) || ''''},
               {'bad': archived_at_s IS NOT NULL AND NOT tn_ts_ok(archived_at),
                'col': 'archived_at', 'why': 'bad timestamp ''' || left(archived_at_s, 100) || ''''},
               {'bad': starred_at_s IS NOT NULL AND NOT tn_ts_ok(starred_at),
                'col': 'starred_at', 'why': 'bad timestamp ''' || left(starred_at_s, 100) || ''''},
               {'bad': clicked_at_s IS NOT NULL AND NOT tn_ts_ok(clicked_at),
                'col': 'clicked_at', 'why': 'bad timestamp ''' || left(clicked_at_s, 100) || ''''},
               {'bad': (is_read_s IS NOT NULL AND is_read IS NULL)
                       OR (is_archived_s IS NOT NULL AND is_archived IS NULL)
                       OR (is_starred_s IS NOT NULL AND is_starred IS NULL),
                'col': CASE WHEN is_read_s IS NOT NULL AND is_read IS NULL THEN 'is_read'
                            WHEN is_archived_s IS NOT NULL AND is_archived IS NULL THEN 'is_archived'
                            ELSE 'is_starred' END,
                'why': 'not a boolean'}
           ], lambda c: coalesce(c.bad, false))[1] AS failed
    FROM typed
)
SELECT * EXCLUDE (failed), failed.col AS reject_column, failed.why AS reject_reason
FROM checked;

CREATE OR REPLACE TEMP TABLE staged_events AS
WITH good AS (
    SELECT *,
           CASE
               WHEN cta_list IS NOT NULL THEN to_json(list_transform(cta_list, lambda c: {
                   'label': json_extract_string(c, '$.label'),
                   'payload': coalesce(json_extract_string(c, '$.payload'),
                                       json_extract_string(c, '$.url'))}))
               WHEN action_url IS NOT NULL
                   THEN to_json([{'label': action_label, 'payload': action_url}])
           END AS ctas,
           coalesce(len(cta_list), CASE WHEN action_url IS NOT NULL THEN 1 END, 0) AS cta_count,
           list_bool_or(list_transform(cta_list, lambda c:
               json_extract(c, '$.payload') IS NULL AND json_extract(c, '$.url') IS NOT NULL))
               AS cta_url_alias,
           cta_list IS NOT NULL AND action_url IS NOT NULL AS action_url_with_ctas,
           expires_hours_s IS NULL AND expires_in_hours_s IS NOT NULL AS used_expires_in_hours,
           CASE WHEN json_type(metadata) = 'OBJECT' THEN tn_text(json_extract_string(metadata, '$.template')) END
               AS metadata_template
    FROM norm
    WHERE reject_reason IS NULL
),
expanded AS (
    SELECT g.*, e.event_type AS ev_type, e.at AS ev_at, e.payload AS has_payload
    FROM good g,
         unnest(CASE WHEN g.is_snapshot THEN [
             {'event_type': 'sent', 'at': g.created_at, 'payload': true},
             {'event_type': 'read',
              'at': coalesce(g.read_at, CASE WHEN g.is_read THEN g.created_at END), 'payload': false},
             {'event_type': 'archived',
              'at': coalesce(g.archived_at, CASE WHEN g.is_archived THEN g.created_at END), 'payload': false},
             {'event_type': 'starred',
              'at': coalesce(g.starred_at, CASE WHEN g.is_starred THEN g.created_at END), 'payload': false},
             {'event_type': 'clicked', 'at': g.clicked_at, 'payload': false}]
         ELSE [{'event_type': g.event_type, 'at': g.occurred_at, 'payload': true}] END) AS u(e)
    WHERE e.at IS NOT NULL
),
shaped AS (
    SELECT
        ev_type AS event_type,
        ev_at AS occurred_at,
        notification_id,
        CASE WHEN $redact_key IS NULL OR user_id IS NULL THEN user_id
             ELSE 'user:' || left(sha256($redact_key || chr(31) || user_id), 32) END AS user_id,
        organization_id, workspace_id,
        CASE WHEN has_payload THEN coalesce(template_s, metadata_template, tn_infer_template(title)) END
            AS template,
        CASE WHEN NOT has_payload THEN NULL
             WHEN template_s IS NOT NULL THEN 'column'
             WHEN metadata_template IS NOT NULL THEN 'metadata'
             WHEN title IS NOT NULL THEN 'title' END AS template_source,
        CASE WHEN has_payload THEN title END AS title,
        CASE WHEN has_payload THEN body END AS body,
        CASE WHEN has_payload THEN severity END AS severity,
        CASE WHEN has_payload THEN ctas END AS ctas,
        CASE WHEN has_payload THEN cta_count END AS cta_count,
        CASE WHEN has_payload THEN metadata END AS metadata,
        CASE WHEN has_payload THEN expires_hours END AS expires_hours,
        CASE WHEN has_payload THEN expires_at END AS expires_at,
        CASE WHEN has_payload THEN dedup_key END AS dedup_key,
        attempt, error, connection_id,
        CASE WHEN has_payload THEN used_expires_in_hours END AS used_expires_in_hours,
        CASE WHEN has_payload THEN cta_url_alias END AS cta_url_alias,
        CASE WHEN has_payload THEN action_url_with_ctas END AS action_url_with_ctas,
        CASE WHEN is_snapshot THEN NULL ELSE event_id END AS given_event_id,
        line
    FROM expanded
),
canonical_metadata AS (
    -- Key order never matters: a metadata value is the sorted list of its paths and atoms.
    SELECT s.line, s.event_type,
           hash(list_sort(list(t.fullkey || chr(31) || t.type || chr(31) || coalesce(t.atom::VARCHAR, ''))))
               AS metadata_hash
    FROM shaped s, json_tree(s.metadata) AS t
    WHERE s.metadata IS NOT NULL AND s.dedup_key IS NULL AND s.event_type = 'sent'
    GROUP BY s.line, s.event_type
)
SELECT
    coalesce(s.given_event_id, md5(to_json([
        s.event_type, strftime(s.occurred_at, '%Y-%m-%dT%H:%M:%S.%f'), s.notification_id,
        s.user_id, s.organization_id, s.workspace_id, s.template, s.title,
        CASE WHEN $redact_key IS NULL THEN s.body END, s.severity,
        s.ctas::VARCHAR, s.metadata::VARCHAR, s.expires_hours::VARCHAR,
        strftime(s.expires_at, '%Y-%m-%dT%H:%M:%S.%f'), s.dedup_key, s.attempt::VARCHAR,
        s.error, s.connection_id])::VARCHAR)) AS event_id,
    s.event_type, s.occurred_at, s.notification_id, s.user_id, s.organization_id,
    s.workspace_id, s.template, s.template_source, s.title,
    CASE WHEN $redact_key IS NULL THEN s.body END AS body, s.severity, s.ctas,
    s.cta_count, s.metadata,
    CASE WHEN s.event_type = 'sent' THEN
        CASE WHEN s.dedup_key IS NOT NULL THEN hash('dedup_key', s.dedup_key)
             ELSE hash(s.title, s.body, coalesce(m.metadata_hash, 0)) END
    END AS fingerprint,
    s.expires_hours, s.expires_at, s.dedup_key, s.attempt, s.error, s.connection_id,
    s.used_expires_in_hours, s.cta_url_alias, s.action_url_with_ctas,
    $file AS source_file, s.line AS source_line, 0 AS load_id, $file_index AS file_index
FROM shaped s
LEFT JOIN canonical_metadata m ON m.line = s.line AND m.event_type = s.event_type;
