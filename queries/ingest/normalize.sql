-- ingest/normalize: turn the staged rows of one file into canonical events and per-line rejects.
-- grain: norm (a view: read once for the events, once for the rejects, never stored) =
--        one row per non-blank staged line (event row or snapshot row), with
--        reject_column/reject_reason set when the line cannot be used;
--        then one row per event (a snapshot row yields sent + engagement events) is added
--        to `events` with load_id = $load_id, streaming: inside the load's transaction,
--        nothing the size of the file is held (ingest/load_commit.sql then removes the repeats).
--        Returns the number of events added (the INSERT's count).
-- parameters: $file (as given by the user), $load_id (the open load, ingest/load_begin.sql),
--             $redact_key (NULL: keep user ids and bodies; else user ids become keyed
--             hashes and bodies are dropped, after the fingerprint was taken from them),
--             $lean (true: keep only what the metrics read, for a load into memory that
--             answers them once: titles, bodies and CTAs only where the template is
--             inferred from the title (the inference pools them), no dedup_key, error or
--             connection_id; the fingerprint and event id are taken first).
-- reads: temp view stage_fields (ingest/stage_fields_json.sql or ingest/stage_parquet_typed.sql): the
--        fields of each line as text (*_s), or already typed (*_t) from a typed source.
-- Most metadata is a flat object: plain key names (json_tree writes them unquoted) and
-- scalar values only (no '{' or '[' after the opening brace, not even inside a string).
CREATE OR REPLACE TEMP MACRO tn_flat_metadata(m) AS (
    json_type(m) = 'OBJECT'
    AND NOT regexp_matches(substr(CAST(m AS VARCHAR), 2), '[\[{]')
    AND coalesce(list_bool_and(list_transform(json_keys(m), lambda k:
            regexp_full_match(k, '[A-Za-z][A-Za-z0-9_]*'))), true)
);

-- The canonical hash of a flat metadata object (tn_flat_metadata), from the value alone: the
-- same number ingest/fingerprint_nested.sql computes from json_tree's rows ('$' OBJECT, then
-- '$.key' type atom per entry, sorted), without a row per key and a GROUP BY over the file.
-- NULL for no metadata; meaningless for metadata that is not flat.
CREATE OR REPLACE TEMP MACRO tn_flat_metadata_hash(m) AS (
    CASE WHEN m IS NOT NULL THEN
        hash(list_sort(list_concat(['$' || chr(31) || 'OBJECT' || chr(31)],
            list_transform(list_zip(json_keys(m), json_type(m, '$.*'), json_extract(m, '$.*')),
                lambda e: '$.' || e[1] || chr(31) || e[2] || chr(31)
                          || CASE WHEN e[2] = 'NULL' THEN '' ELSE CAST(e[3] AS VARCHAR) END))))
    END
);

CREATE OR REPLACE TEMP VIEW norm AS
WITH typed AS (
    SELECT *,
           -- Given at all (as text or typed); the text of a typed value only for messages.
           occurred_at_s IS NOT NULL OR occurred_at_t IS NOT NULL    AS has_occurred_at,
           created_at_s IS NOT NULL OR created_at_t IS NOT NULL      AS has_created_at,
           expires_hours_s IS NOT NULL OR expires_hours_t IS NOT NULL AS has_expires_hours,
           expires_in_hours_s IS NOT NULL OR expires_in_hours_t IS NOT NULL
                                                                     AS has_expires_in_hours,
           event_type IS NULL AND has_created_at                     AS is_snapshot,
           coalesce(occurred_at_t, tn_ts(occurred_at_s))             AS occurred_at,
           coalesce(created_at_t, tn_ts(created_at_s))               AS created_at,
           coalesce(expires_at_t, tn_ts(expires_at_s))               AS expires_at,
           -- expires_hours wins over expires_in_hours when both are given, even if bad.
           CASE WHEN has_expires_hours
                THEN coalesce(expires_hours_t, try_cast(expires_hours_s AS DOUBLE))
                ELSE coalesce(expires_in_hours_t, try_cast(expires_in_hours_s AS DOUBLE))
           END                                                       AS expires_hours,
           coalesce(try_cast(attempt_t AS INTEGER), try_cast(attempt_s AS INTEGER)) AS attempt,
           coalesce(read_at_t, tn_ts(read_at_s)) AS read_at,
           coalesce(archived_at_t, tn_ts(archived_at_s)) AS archived_at,
           coalesce(starred_at_t, tn_ts(starred_at_s)) AS starred_at,
           coalesce(clicked_at_t, tn_ts(clicked_at_s)) AS clicked_at,
           coalesce(is_read_t, try_cast(is_read_s AS BOOLEAN)) AS is_read,
           coalesce(is_archived_t, try_cast(is_archived_s AS BOOLEAN)) AS is_archived,
           coalesce(is_starred_t, try_cast(is_starred_s AS BOOLEAN)) AS is_starred,
           CASE json_type(ctas_j)
               WHEN 'ARRAY' THEN json_extract(ctas_j, '$[*]')
               WHEN 'OBJECT' THEN [ctas_j]
           END AS cta_list
    FROM stage_fields
),
checked AS (
    -- The checks in order: failed_check is the number of the first that fails (a NULL
    -- condition does not fail), and the list of reasons below (same positions) names the
    -- line's reject: its column and reason, built only for lines that fail. A CASE, not a
    -- list of the conditions: no list is built per line.
    SELECT *,
           CASE
               WHEN NOT is_json THEN 1
               WHEN is_json AND NOT is_object THEN 2
               WHEN duplicate_key IS NOT NULL THEN 3
               WHEN is_object AND event_type IS NULL AND NOT has_created_at THEN 4
               WHEN event_type IS NOT NULL AND event_type NOT IN (
                    'sent', 'send_failed', 'delivered', 'read', 'unread', 'archived',
                    'unarchived', 'starred', 'unstarred', 'clicked',
                    'stream_connected', 'stream_disconnected') THEN 5
               WHEN event_type IS NOT NULL AND NOT has_occurred_at THEN 6
               WHEN has_occurred_at AND occurred_at IS NULL THEN 7
               WHEN occurred_at IS NOT NULL AND NOT tn_ts_ok(occurred_at) THEN 8
               WHEN is_snapshot AND created_at IS NULL THEN 9
               WHEN created_at IS NOT NULL AND NOT tn_ts_ok(created_at) THEN 10
               WHEN (is_snapshot OR event_type NOT IN ('stream_connected', 'stream_disconnected'))
                    AND notification_id IS NULL THEN 11
               WHEN (is_snapshot OR event_type = 'sent') AND user_id IS NULL
                    AND organization_id IS NULL AND workspace_id IS NULL THEN 12
               WHEN event_type IN ('stream_connected', 'stream_disconnected') AND user_id IS NULL THEN 13
               WHEN (is_snapshot OR event_type = 'sent') AND title IS NULL THEN 14
               WHEN (expires_at_s IS NOT NULL OR expires_at_t IS NOT NULL) AND NOT tn_ts_ok(expires_at) THEN 15
               WHEN (has_expires_hours OR has_expires_in_hours)
                    AND (expires_hours IS NULL OR NOT isfinite(expires_hours)
                    OR expires_hours < 0 OR expires_hours > 24 * 365 * 100) THEN 16
               WHEN (attempt_s IS NOT NULL OR attempt_t IS NOT NULL) AND (attempt IS NULL OR attempt < 1) THEN 17
               WHEN (read_at_s IS NOT NULL OR read_at_t IS NOT NULL) AND NOT tn_ts_ok(read_at) THEN 18
               WHEN (archived_at_s IS NOT NULL OR archived_at_t IS NOT NULL) AND NOT tn_ts_ok(archived_at) THEN 19
               WHEN (starred_at_s IS NOT NULL OR starred_at_t IS NOT NULL) AND NOT tn_ts_ok(starred_at) THEN 20
               WHEN (clicked_at_s IS NOT NULL OR clicked_at_t IS NOT NULL) AND NOT tn_ts_ok(clicked_at) THEN 21
               WHEN (is_read_s IS NOT NULL AND is_read IS NULL)
                    OR (is_archived_s IS NOT NULL AND is_archived IS NULL)
                    OR (is_starred_s IS NOT NULL AND is_starred IS NULL) THEN 22
           END AS failed_check
    FROM typed
)
-- Only what the events and the rejects are built from.
SELECT line, raw, failed.col AS reject_column, failed.why AS reject_reason,
       is_snapshot, event_type, occurred_at, created_at, event_id, notification_id, user_id,
       organization_id, workspace_id, template_s, title, body, severity, action_url,
       action_label, metadata, cta_list, expires_hours, expires_at, dedup_key, attempt,
       error, connection_id, read_at, archived_at, starred_at, clicked_at, is_read,
       is_archived, is_starred, has_expires_hours, has_expires_in_hours
FROM (
    SELECT *,
           CASE WHEN failed_check > 0 THEN [
               {'col': NULL, 'why': 'invalid JSON'},
               {'col': NULL, 'why': 'not a JSON object'},
               {'col': duplicate_key,
                'why': 'duplicate key ''' || left(duplicate_key, 100) || ''' in the JSON object'},
               {'col': 'event_type', 'why': 'missing required column'},
               {'col': 'event_type', 'why': 'unknown event_type ''' || left(event_type, 100) || ''''},
               {'col': 'occurred_at', 'why': 'missing required column'},
               {'col': 'occurred_at',
                'why': 'bad timestamp ''' || left(occurred_at_s, 100) || ''''},
               {'col': 'occurred_at', 'why': 'timestamp out of range '''
                    || left(coalesce(occurred_at_s, occurred_at_t::VARCHAR), 100) || ''''},
               {'col': 'created_at', 'why': 'bad timestamp ''' || left(created_at_s, 100) || ''''},
               {'col': 'created_at', 'why': 'timestamp out of range '''
                    || left(coalesce(created_at_s, created_at_t::VARCHAR), 100) || ''''},
               {'col': 'notification_id', 'why': 'missing required column'},
               {'col': 'user_id', 'why': 'missing recipient (user_id, organization_id or workspace_id)'},
               {'col': 'user_id', 'why': 'missing required column'},
               {'col': 'title', 'why': 'missing required column'},
               {'col': 'expires_at', 'why': 'bad timestamp '''
                    || left(coalesce(expires_at_s, expires_at_t::VARCHAR), 100) || ''''},
               {'col': CASE WHEN has_expires_hours THEN 'expires_hours' ELSE 'expires_in_hours' END,
                'why': 'not a number of hours in [0, 876000] '''
                       || left(coalesce(expires_hours_s, expires_hours_t::VARCHAR, expires_in_hours_s,
                                        expires_in_hours_t::VARCHAR), 100) || ''''},
               {'col': 'attempt', 'why': 'not a positive integer '''
                    || left(coalesce(attempt_s, attempt_t::VARCHAR), 100) || ''''},
               {'col': 'read_at', 'why': 'bad timestamp '''
                    || left(coalesce(read_at_s, read_at_t::VARCHAR), 100) || ''''},
               {'col': 'archived_at', 'why': 'bad timestamp '''
                    || left(coalesce(archived_at_s, archived_at_t::VARCHAR), 100) || ''''},
               {'col': 'starred_at', 'why': 'bad timestamp '''
                    || left(coalesce(starred_at_s, starred_at_t::VARCHAR), 100) || ''''},
               {'col': 'clicked_at', 'why': 'bad timestamp '''
                    || left(coalesce(clicked_at_s, clicked_at_t::VARCHAR), 100) || ''''},
               {'col': CASE WHEN is_read_s IS NOT NULL AND is_read IS NULL THEN 'is_read'
                            WHEN is_archived_s IS NOT NULL AND is_archived IS NULL THEN 'is_archived'
                            ELSE 'is_starred' END,
                'why': 'not a boolean'}
           ][failed_check] END AS failed
    FROM checked
);

INSERT INTO events BY NAME
WITH good AS NOT MATERIALIZED (
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
           NOT has_expires_hours AND has_expires_in_hours AS used_expires_in_hours,
           -- only read where no template column gives it (parsing every metadata costs)
           CASE WHEN template_s IS NULL AND json_type(metadata) = 'OBJECT'
                THEN tn_text(json_extract_string(metadata, '$.template')) END AS metadata_template
    FROM norm
    WHERE reject_reason IS NULL
),
expanded AS (
    -- unnest in the select list, not as a lateral join: the planner would otherwise group
    -- the rows by every column the list uses and join back (5x slower).
    SELECT * EXCLUDE (e), e.event_type AS ev_type, e.at AS ev_at, e.payload AS has_payload
    FROM (
        SELECT g.*,
               unnest(CASE WHEN g.is_snapshot THEN [
                   {'event_type': 'sent', 'at': g.created_at, 'payload': true},
                   {'event_type': 'read',
                    'at': coalesce(g.read_at, CASE WHEN g.is_read THEN g.created_at END), 'payload': false},
                   {'event_type': 'archived',
                    'at': coalesce(g.archived_at, CASE WHEN g.is_archived THEN g.created_at END), 'payload': false},
                   {'event_type': 'starred',
                    'at': coalesce(g.starred_at, CASE WHEN g.is_starred THEN g.created_at END), 'payload': false},
                   {'event_type': 'clicked', 'at': g.clicked_at, 'payload': false}]
               ELSE [{'event_type': g.event_type, 'at': g.occurred_at, 'payload': true}] END) AS e
        FROM good g
    ) AS u
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
    s.workspace_id, s.template, s.template_source,
    CASE WHEN NOT $lean OR s.template_source = 'title' THEN s.title END AS title,
    CASE WHEN $redact_key IS NULL AND (NOT $lean OR s.template_source = 'title') THEN s.body END
        AS body,
    s.severity,
    CASE WHEN NOT $lean OR s.template_source = 'title' THEN s.ctas END AS ctas,
    s.cta_count, s.metadata,
    -- Key order never matters: a metadata value counts as the sorted list of its paths and
    -- atoms. A sent event whose metadata is not flat is left without a fingerprint here:
    -- ingest/fingerprint_nested.sql hashes those (json_tree) when a file has any.
    CASE WHEN s.event_type = 'sent' THEN
        CASE WHEN s.dedup_key IS NOT NULL THEN hash('dedup_key', s.dedup_key)
             WHEN s.metadata IS NULL OR tn_flat_metadata(s.metadata)
                 THEN hash(s.title, s.body, coalesce(tn_flat_metadata_hash(s.metadata), 0))
        END
    END AS fingerprint,
    s.expires_hours, s.expires_at,
    CASE WHEN NOT $lean THEN s.dedup_key END AS dedup_key, s.attempt,
    CASE WHEN NOT $lean THEN s.error END AS error,
    CASE WHEN NOT $lean THEN s.connection_id END AS connection_id,
    s.used_expires_in_hours, s.cta_url_alias, s.action_url_with_ctas,
    $file AS source_file, s.line AS source_line, $load_id AS load_id
FROM shaped s;
