-- whatif/summary: what a what-if replay suppressed, per template and in total.
-- grain: one row per replayed template (is_total false), then exactly one row over all of
--   them (is_total true, template NULL); reads `whatif_fate`: one row per replayed
--   notification (template, recipient, is_read, is_clicked, fate; whatif/replay.sql).
-- parameters: none.
-- suppressed_read / suppressed_clicked: suppressed notifications that were read / clicked
-- (the engagement at risk); recipients_affected: recipients with a suppressed notification.
-- columns: is_total, template, sent, kept, suppressed_dedup, suppressed_digest, suppressed_throttle, suppressed_read, suppressed_clicked, recipients_affected
SELECT grouping(template) = 1                                 AS is_total,
       template,
       CAST(count(*) AS BIGINT)                               AS sent,
       CAST(count_if(fate = 0) AS BIGINT)                     AS kept,
       CAST(count_if(fate = 1) AS BIGINT)                     AS suppressed_dedup,
       CAST(count_if(fate = 2) AS BIGINT)                     AS suppressed_digest,
       CAST(count_if(fate = 3) AS BIGINT)                     AS suppressed_throttle,
       CAST(count_if(fate > 0 AND is_read) AS BIGINT)         AS suppressed_read,
       CAST(count_if(fate > 0 AND is_clicked) AS BIGINT)      AS suppressed_clicked,
       CAST(count(DISTINCT recipient) FILTER (fate > 0) AS BIGINT) AS recipients_affected
FROM whatif_fate
GROUP BY GROUPING SETS ((template), ())
ORDER BY is_total, template;
