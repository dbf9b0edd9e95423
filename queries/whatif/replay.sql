-- whatif/replay: make the metric macros read the notifications a what-if replay kept.
-- grain: statements (a macro definition, no data is read); run on the replay's cursor
--   after metrics/macros.sql, once the replay's fates are registered there as `whatif_fate`
--   (one row per replayed notification: notification_id, fate 0 = kept, 1 = dedup,
--   2 = digest, 3 = throttle; expires_hours to give it, NULL = as logged).
-- parameters: none.  columns: none
-- tn_state_replayed (metrics/macros.sql) becomes the logged state less the suppressed
-- notifications, with the expiry the policy gives, and with the per-partition columns
-- computed again over what is left (the previous created notification of the same
-- fingerprint, of the same recipient, and the day counts), by the same window macros as
-- the state: every metric query then reports the metrics after the replay.
CREATE OR REPLACE TEMP MACRO tn_state_replayed(p_as_of) AS TABLE
WITH r AS MATERIALIZED (
    SELECT s.* REPLACE (
               CASE WHEN f.expires_hours IS NULL THEN s.expires_at_given END AS expires_at_given,
               coalesce(f.expires_hours, s.expires_hours) AS expires_hours)
    FROM tn_state(p_as_of) AS s
    LEFT JOIN whatif_fate AS f USING (notification_id)
    WHERE coalesce(f.fate, 0) = 0
),
w AS (
    SELECT notification_id,
           tn_prev_created(p_created_at := created_at, p_key := dup_key,
                           p_notification_id := notification_id) AS prev_created_at,
           tn_prev_created(p_created_at := created_at, p_key := tr_key,
                           p_notification_id := notification_id) AS prev_tr_created_at,
           tn_day_count(created_at, tr_key) AS user_day_count
    FROM (SELECT notification_id, created_at, dup_key, tr_key FROM r)
)
SELECT r.* REPLACE (w.prev_created_at AS prev_created_at,
                    w.prev_tr_created_at AS prev_tr_created_at,
                    w.user_day_count AS user_day_count)
FROM r JOIN w USING (notification_id);
