-- whatif/replay: make the metric macros read the notifications a what-if replay kept.
-- grain: statements (a macro definition, no data is read); run on the replay's cursor
--   after metrics/macros.sql, once what the replay changes is registered there as
--   `whatif_change` (one row per notification it changes: notification_id; fate 0 = kept,
--   1 = dedup, 2 = digest, 3 = throttle; expires_hours to give it, NULL = as logged;
--   recomputed: prev_created_at, prev_tr_created_at and user_day_count over the kept ones
--   differ from the logged ones, given by template_noise.whatif.replay).
-- parameters: none.  columns: none
-- tn_state_replayed (metrics/macros.sql) becomes the logged state less the suppressed
-- notifications, with the expiry the policy gives and the partition columns over what is
-- left: every metric query then reports the metrics after the replay. The replay covers
-- every created notification of a template it changes, so those columns are exact.
CREATE OR REPLACE TEMP MACRO tn_state_replayed(p_as_of) AS TABLE
SELECT s.* REPLACE (
           CASE WHEN f.expires_hours IS NULL THEN s.expires_at_given END AS expires_at_given,
           coalesce(f.expires_hours, s.expires_hours) AS expires_hours,
           CASE WHEN f.recomputed THEN f.prev_created_at ELSE s.prev_created_at END
               AS prev_created_at,
           CASE WHEN f.recomputed THEN f.prev_tr_created_at ELSE s.prev_tr_created_at END
               AS prev_tr_created_at,
           CASE WHEN f.recomputed THEN f.user_day_count ELSE s.user_day_count END
               AS user_day_count)
FROM tn_state(p_as_of) AS s
LEFT JOIN whatif_change AS f USING (notification_id)
WHERE coalesce(f.fate, 0) = 0;
