-- state/schema: the per-notification state kept beside `events`, and its one definition.
-- grain: statements (idempotent; run by db.migrate on every writable connection).
-- parameters: none.  columns: none
-- notification_state = one row per notification_id (any event naming it), as of all loaded
-- events; maintained at ingest by state/refresh.sql. notification_state_stamp = one row:
-- how many events the state covers and their latest occurred_at. Metric queries read the
-- state only while the stamp matches `events` and as_of is at or after that latest event
-- (metrics/macros.sql tn_state_fresh); otherwise they aggregate `events` themselves with
-- the same macro, tn_state_rows. A persistent macro (not TEMP) so that the ingest's
-- cursor, read-only connections and every metric cursor share this one definition.
CREATE TABLE IF NOT EXISTS notification_state (
    notification_id      VARCHAR NOT NULL,
    created_at           TIMESTAMP,   -- earliest `sent`
    first_failed_at      TIMESTAMP,   -- earliest `send_failed`
    attempt_events       BIGINT,      -- sent + send_failed events
    max_attempt          INTEGER,     -- highest logged `attempt`
    pick_failed          BOOLEAN,     -- the payload row: earliest sent, else earliest send_failed,
    pick_at              TIMESTAMP,   --   ties broken by event_id (kept so loads can merge)
    pick_event_id        VARCHAR,
    template             VARCHAR,     -- payload fields of the pick, as the metrics read them
    recipient            VARCHAR,
    scope                VARCHAR,
    user_id              VARCHAR,
    severity             VARCHAR,
    cta_count            INTEGER,
    metadata_invalid     BOOLEAN,
    keyset               UBIGINT,     -- hash of the sorted top-level metadata keys
    fingerprint          UBIGINT,
    expires_hours        DOUBLE,
    expires_at_given     TIMESTAMP,   -- explicit expires_at (the server default is judged later)
    used_expires_in_hours BOOLEAN,
    cta_url_alias        BOOLEAN,
    action_url_with_ctas BOOLEAN,
    read_at              TIMESTAMP,   -- earliest of each ("ever" semantics)
    archived_at          TIMESTAMP,
    starred_at           TIMESTAMP,
    clicked_at           TIMESTAMP,
    delivered_at         TIMESTAMP,
    last_delivered_at    TIMESTAMP,
    dup_key              UBIGINT,     -- hash(template, recipient, fingerprint): the dedup partition
    prev_created_at      TIMESTAMP,   -- created_at of the previous created notification with
                                      --   the same dup_key (ties by notification_id)
    tr_key               UBIGINT,     -- hash(template, recipient)
    prev_tr_created_at   TIMESTAMP,   -- the same with the same tr_key: the first in a window
                                      --   [since, until) has none at or after since
    user_day_count       BIGINT       -- created notifications with this tr_key that UTC day
);

-- Columns added after the table first shipped (a state without them is rebuilt: below).
ALTER TABLE notification_state ADD COLUMN IF NOT EXISTS tr_key UBIGINT;
ALTER TABLE notification_state ADD COLUMN IF NOT EXISTS prev_tr_created_at TIMESTAMP;
ALTER TABLE notification_state ADD COLUMN IF NOT EXISTS user_day_count BIGINT;

CREATE TABLE IF NOT EXISTS notification_state_stamp (
    events          BIGINT NOT NULL,
    max_occurred_at TIMESTAMP
);
-- version: the layout of notification_state the stamp vouches for (tn_state_layout() in
-- metrics/macros.sql); none yet here.
ALTER TABLE notification_state_stamp ADD COLUMN IF NOT EXISTS version INTEGER;
-- ids_xor: the XOR of hash(event_id) over `events` (store/data_fingerprint.sql's costly
-- part, kept by state/full.sql and state/refresh.sql), and ids_events the event count it
-- is for: it answers only while that count is the table's (a tool that predates it
-- changes `events` and its count, never these two).
ALTER TABLE notification_state_stamp ADD COLUMN IF NOT EXISTS ids_xor UBIGINT;
ALTER TABLE notification_state_stamp ADD COLUMN IF NOT EXISTS ids_events BIGINT;

-- A database that already holds events gets 0 here: the stamp does not match, so metrics
-- read `events` until the next ingest rebuilds the state (state/refresh.sql); so does a
-- state of an older layout (version).
INSERT INTO notification_state_stamp (events, max_occurred_at, version)
SELECT 0, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM notification_state_stamp);

-- The per-notification aggregate of `events`: the one definition of a notification's
-- state (metrics/macros.sql builds every metric on it). Only events at or before p_as_of
-- (NULL = all) and, with p_load_id, only that load's events (a delta for derive_refresh).
-- p_gate is a condition the caller uses to skip the scan entirely (it is evaluated
-- before any row is read when it does not depend on the rows).
-- created_at = earliest `sent`; payload fields come from the earliest `sent` row, else the
-- earliest `send_failed`, event_id breaking ties (independent of load order);
-- read/archived/starred/clicked/delivered = earliest such event ("ever" semantics).
CREATE OR REPLACE MACRO tn_state_rows(p_as_of, p_load_id, p_gate) AS TABLE
WITH ev AS NOT MATERIALIZED (
    -- Read twice (the aggregate, the payload of the pick), scanned twice: never stored.
    SELECT * FROM events
    WHERE p_gate
      AND notification_id IS NOT NULL
      AND (CAST(p_as_of AS TIMESTAMP) IS NULL OR occurred_at <= CAST(p_as_of AS TIMESTAMP))
      AND (CAST(p_load_id AS INTEGER) IS NULL OR load_id = CAST(p_load_id AS INTEGER))
),
agg AS (
    SELECT
        notification_id,
        min(occurred_at) FILTER (event_type = 'sent')        AS created_at,
        min(occurred_at) FILTER (event_type = 'send_failed') AS first_failed_at,
        count(*) FILTER (event_type IN ('sent', 'send_failed'))     AS attempt_events,
        max(attempt) FILTER (event_type IN ('sent', 'send_failed')) AS max_attempt,
        -- The payload row's key only: an aggregate carrying every payload field took 34 of
        -- 40 s at 10M notifications; its fields are joined back by event_id (unique).
        min({'failed': event_type <> 'sent', 'at': occurred_at, 'event_id': event_id})
            FILTER (event_type IN ('sent', 'send_failed')) AS k,
        min(occurred_at) FILTER (event_type = 'read')      AS read_at,
        min(occurred_at) FILTER (event_type = 'archived')  AS archived_at,
        min(occurred_at) FILTER (event_type = 'starred')   AS starred_at,
        min(occurred_at) FILTER (event_type = 'clicked')   AS clicked_at,
        min(occurred_at) FILTER (event_type = 'delivered') AS delivered_at,
        max(occurred_at) FILTER (event_type = 'delivered') AS last_delivered_at
    FROM ev
    GROUP BY notification_id
),
per AS (
    SELECT a.*,
           CASE WHEN a.k IS NOT NULL THEN {
               'failed': a.k.failed, 'at': a.k.at, 'event_id': a.k.event_id,
               'template': e.template, 'user_id': e.user_id,
               'organization_id': e.organization_id, 'workspace_id': e.workspace_id,
               'severity': e.severity, 'cta_count': e.cta_count, 'metadata': e.metadata,
               'fingerprint': e.fingerprint, 'expires_hours': e.expires_hours,
               'expires_at': e.expires_at, 'used_expires_in_hours': e.used_expires_in_hours,
               'cta_url_alias': e.cta_url_alias, 'action_url_with_ctas': e.action_url_with_ctas}
           END AS p
    FROM agg a
    LEFT JOIN (SELECT * FROM ev WHERE event_type IN ('sent', 'send_failed')) e
        ON e.event_id = a.k.event_id
),
shaped AS (
    SELECT
        notification_id, created_at, first_failed_at, attempt_events, max_attempt,
        p.failed AS pick_failed, p.at AS pick_at, p.event_id AS pick_event_id,
        coalesce(p.template, '(unknown)') AS template,
        CASE WHEN p.user_id IS NOT NULL THEN p.user_id
             WHEN p.workspace_id IS NOT NULL THEN 'workspace:' || p.workspace_id
             WHEN p.organization_id IS NOT NULL THEN 'organization:' || p.organization_id
        END AS recipient,
        CASE WHEN p.user_id IS NOT NULL THEN 'user'
             WHEN p.workspace_id IS NOT NULL THEN 'workspace'
             WHEN p.organization_id IS NOT NULL THEN 'organization'
        END AS scope,
        p.user_id,
        coalesce(p.severity, 'unset') AS severity,
        coalesce(p.cta_count, 0) AS cta_count,
        p.metadata IS NOT NULL AND json_type(p.metadata) <> 'OBJECT' AS metadata_invalid,
        -- Top-level key set, hashed; missing metadata is the empty set, a non-object has none.
        CASE WHEN p.metadata IS NULL THEN hash([]::VARCHAR[])
             WHEN json_type(p.metadata) = 'OBJECT' THEN hash(list_sort(json_keys(p.metadata)))
        END AS keyset,
        p.fingerprint,
        p.expires_hours,
        p.expires_at AS expires_at_given,
        coalesce(p.used_expires_in_hours, false) AS used_expires_in_hours,
        coalesce(p.cta_url_alias, false) AS cta_url_alias,
        coalesce(p.action_url_with_ctas, false) AS action_url_with_ctas,
        read_at, archived_at, starred_at, clicked_at, delivered_at, last_delivered_at
    FROM per
)
SELECT *, hash(template, recipient, fingerprint) AS dup_key, hash(template, recipient) AS tr_key
FROM shaped;
