-- state/refresh: bring notification_state up to date with one load, incrementally.
-- grain: statements.  parameters: $load_id.  columns: none
-- reads: tn_state_rows (state/schema.sql), tn_prev_created, tn_prev_created_by_day and
--        tn_day_count (metrics/macros.sql, set up by ingest.py before this runs).
-- Runs inside the load's transaction after ingest/load_commit.sql, when state/mode.sql found the
-- state matching the events before this load (else state/full.sql rebuilds it). The
-- load's events are `events` with load_id = $load_id. Cost follows the load, not the
-- database: the load's events are aggregated (tn_state_rows, state/schema.sql) and
-- merged into the rows of the notifications they touch (every aggregate is a min, max,
-- sum or "earliest pick", so merging equals recomputing); then prev_created_at is
-- recomputed only within the dedup partitions those notifications left or joined.

-- The load's events per notification.
CREATE OR REPLACE TEMP TABLE derive_delta AS
SELECT * FROM tn_state_rows(p_as_of := NULL, p_load_id := $load_id, p_gate := true);

-- Old state + delta for the touched notifications. take_delta: the delta holds the
-- earlier payload row (ordering as in tn_state_rows: sent before send_failed, then time,
-- then event_id), or the notification is new.
CREATE OR REPLACE TEMP TABLE derive_merged AS
WITH stored AS (
    -- The stored rows of the touched notifications, found on notification_id alone and
    -- then read in full. Joined directly, the state's every column was read in nearly
    -- every vector: the join's filter on the scan is approximate, and its false
    -- positives (44,444 of 10M rows at a day's append) fall in almost every vector.
    SELECT * FROM notification_state
    WHERE rowid IN (SELECT s.rowid FROM notification_state s
                    SEMI JOIN derive_delta d USING (notification_id))
),
j AS (
    SELECT d.*,
           s.notification_id IS NULL
           OR (d.pick_at IS NOT NULL
               AND (s.pick_at IS NULL
                    OR d.pick_failed < s.pick_failed
                    OR (d.pick_failed = s.pick_failed AND d.pick_at < s.pick_at)
                    OR (d.pick_failed = s.pick_failed AND d.pick_at = s.pick_at
                        AND d.pick_event_id < s.pick_event_id))) AS take_delta,
           {{ stored state as s_ }}
    FROM derive_delta d
    LEFT JOIN stored s USING (notification_id)
)
SELECT
    notification_id,
    -- each column merged as the catalogue's [[state]] says (queries/catalogue.toml)
    {{ merged state }},
    s_tr_key                                              AS old_tr_key
FROM j;

-- The (template, recipient) partitions a touched notification left or joined (each
-- dedup partition lies inside one): recompute the per-partition columns over all their
-- members (touched ones from derive_merged, the others from the state), over the four
-- columns the windows read (sorting every column of the members three times took most of
-- an append). Kept: the touched rows, and the others whose columns changed (an appended
-- day leaves the earlier members of a partition as they were).
CREATE OR REPLACE TEMP TABLE derive_windows AS
WITH keys AS (
    SELECT tr_key FROM derive_merged WHERE created_at IS NOT NULL
    UNION
    SELECT old_tr_key FROM derive_merged WHERE old_tr_key IS NOT NULL
),
members AS (
    SELECT notification_id, created_at, dup_key, tr_key, true AS touched,
           NULL::TIMESTAMP AS old_prev_created_at, NULL::TIMESTAMP AS old_prev_tr_created_at,
           NULL::BIGINT AS old_user_day_count
    FROM derive_merged
    UNION ALL
    SELECT s.notification_id, s.created_at, s.dup_key, s.tr_key, false AS touched,
           s.prev_created_at, s.prev_tr_created_at, s.user_day_count
    FROM notification_state s
    SEMI JOIN keys k ON k.tr_key = s.tr_key
    ANTI JOIN derive_merged m ON m.notification_id = s.notification_id
),
windowed AS (
    -- the macros tn_state uses (metrics/macros.sql)
    SELECT *,
           tn_prev_created(p_created_at := created_at, p_key := dup_key,
                           p_notification_id := notification_id) AS prev_created_at,
           tn_prev_created_by_day(p_created_at := created_at, p_key := tr_key,
                                  p_notification_id := notification_id) AS prev_tr_created_at,
           tn_day_count(created_at, tr_key) AS user_day_count
    FROM members
)
SELECT notification_id, touched, prev_created_at, prev_tr_created_at, user_day_count
FROM windowed
WHERE touched
   OR prev_created_at IS DISTINCT FROM old_prev_created_at
   OR prev_tr_created_at IS DISTINCT FROM old_prev_tr_created_at
   OR user_day_count IS DISTINCT FROM old_user_day_count;

-- Touched notifications: replaced by their merged rows.
DELETE FROM notification_state
WHERE notification_id IN (SELECT notification_id FROM derive_merged);

INSERT INTO notification_state BY NAME
SELECT m.* EXCLUDE (old_tr_key), w.prev_created_at, w.prev_tr_created_at, w.user_day_count
FROM derive_merged m
JOIN derive_windows w USING (notification_id);

-- Untouched members whose per-partition columns changed: only those columns are written.
UPDATE notification_state
SET prev_created_at = w.prev_created_at,
    prev_tr_created_at = w.prev_tr_created_at,
    user_day_count = w.user_day_count
FROM derive_windows w
WHERE w.notification_id = notification_state.notification_id AND NOT w.touched;

-- The event-id digest (state/schema.sql): the load's ids folded in (XOR is order-free)
-- when it covered every event before the load; else (a database from before the digest)
-- all of them, once. The WHERE gate skips that scan before any row is read (a CASE would
-- not: both of its subqueries run).
UPDATE notification_state_stamp
SET ids_xor = CASE
        WHEN coalesce(ids_events + (SELECT count(*) FROM events WHERE load_id = $load_id)
                      = (SELECT count(*) FROM events), false)
        THEN xor(coalesce(ids_xor, 0::UBIGINT),
                 coalesce((SELECT bit_xor(hash(event_id)) FROM events WHERE load_id = $load_id),
                          0::UBIGINT))
        ELSE (SELECT bit_xor(hash(event_id)) FROM events
              WHERE NOT (SELECT coalesce(bool_and(ids_events
                                                  + (SELECT count(*) FROM events WHERE load_id = $load_id)
                                                  = (SELECT count(*) FROM events)), false)
                         FROM notification_state_stamp))
    END;

UPDATE notification_state_stamp
SET events = (SELECT count(*) FROM events),
    max_occurred_at = (SELECT max(occurred_at) FROM events),
    version = tn_state_layout(),
    ids_events = (SELECT count(*) FROM events);

DROP TABLE derive_delta;
DROP TABLE derive_merged;
DROP TABLE derive_windows;
