-- dashboard/attempts: how many publish attempts notifications took, and how many never went out.
-- grain: one row per attempt count.  parameters: metric parameters.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: attempts, notifications, created, failed
SELECT
    attempts,
    count(*) AS notifications,
    CAST(count_if(created) AS BIGINT) AS created,
    CAST(count_if(failed) AS BIGINT) AS failed
FROM tn_facts_core({{ window }})
GROUP BY attempts
ORDER BY attempts;
