-- dashboard/template_read_delay: one template's time to read, as a suggested expires_hours: the 95th percentile rounded up to whole hours, and the reads such an expiry would keep.
-- grain: exactly one row.  parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: sent, reads, p90_hours, p95_hours, suggested_hours, reads_kept, kept_share
-- A read later than the suggested expiry would not have happened (the notification would
-- have left the inbox): reads_kept counts the reads at or before it. No read: NULLs.
WITH f AS (
    SELECT created, read_us
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
),
q AS (
    SELECT count(*) AS sent,
           count(read_us) AS reads,
           quantile_cont(read_us, [0.9, 0.95]) AS q_us
    FROM f
),
s AS (
    SELECT *,
           q_us[1] / 3600e6 AS p90_hours,
           q_us[2] / 3600e6 AS p95_hours,
           CAST(greatest(ceil(q_us[2] / 3600e6), 1) AS BIGINT) AS suggested_hours
    FROM q
)
SELECT
    s.sent,
    s.reads,
    s.p90_hours,
    s.p95_hours,
    CASE WHEN s.reads > 0 THEN s.suggested_hours END AS suggested_hours,
    CASE WHEN s.reads > 0 THEN (SELECT count(*) FROM f WHERE read_us <= s.suggested_hours * 3600e6)
    END AS reads_kept,
    CASE WHEN s.reads > 0 THEN (SELECT count(*) FROM f WHERE read_us <= s.suggested_hours * 3600e6)
                               / s.reads
    END AS kept_share
FROM s;
