-- whatif/repeat_gaps: how far apart a template's repeats are, for the suggested dedup window.
-- grain: one row per template with a duplicate (a created notification repeating the
--   previous one of the same recipient and fingerprint at most $dedup_window_minutes
--   earlier, as the `duplicates` metric counts them).
-- parameters: $as_of, $default_expiry_days, $dedup_window_minutes.
-- gap_minutes: the quantiles 0.5, 0.75, 0.9, 0.95, 0.99 and 1 of those gaps, in minutes.
-- columns: template, repeats, gap_minutes
SELECT template,
       CAST(count(*) AS BIGINT) AS repeats,
       quantile_cont((epoch_us(created_at) - epoch_us(prev_created_at)) / 60e6,
                     [0.5, 0.75, 0.9, 0.95, 0.99, 1.0]) AS gap_minutes
FROM tn_notifications(p_as_of := $as_of, p_default_expiry_days := $default_expiry_days)
WHERE created
  AND epoch_us(created_at) - epoch_us(prev_created_at)
      <= CAST($dedup_window_minutes AS BIGINT) * 60000000
GROUP BY template
ORDER BY template;
