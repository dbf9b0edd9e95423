-- watch/apply: the hits of watch/judge.sql merged into the stored alerts: one incident, one alert.
-- grain: statements; leaves the temp table watch_changes (one row per alert open after the
--        run or resolved by it, with what happened to it in this run) and records the run.
-- needs: watch/judge.sql run on the same cursor (the temp table watch_hits).
-- parameters: $since, $until (the hours judged), $as_of, $ran_at, $read_lag_hours,
--   $resolve_after_hours.
-- columns: alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at, observed, expected, evidence, opened, resolved
--   (the last statement: watch_changes, oldest first)
-- A kind's hits (and an open alert's latest hit) make one incident while fewer than
-- $resolve_after_hours judged hours without a hit separate them; the incident resolves
-- once that many hours have been judged after its latest hit, at the end of that hit's
-- hour. read_collapse is judged $read_lag_hours behind the others (watch/judge.sql).
CREATE OR REPLACE TEMP TABLE watch_changes AS
WITH k AS (
    SELECT CAST($until AS TIMESTAMP) AS k_until,
           to_hours(CAST($read_lag_hours AS BIGINT)) AS k_lag,
           to_hours(CAST($resolve_after_hours AS BIGINT)) AS k_gap
),
points AS (
    SELECT template, kind, last_hit_at AS hour, alert_id, started_at, detected_at,
           NULL::DOUBLE AS observed, NULL::DOUBLE AS expected, NULL::VARCHAR AS evidence
    FROM watch_alerts
    WHERE status = 'open'
    UNION ALL
    SELECT template, kind, hour, NULL, NULL, NULL, observed, expected, evidence
    FROM watch_hits
),
marked AS (
    SELECT p.*,
           coalesce(p.hour - lag(p.hour) OVER w > k.k_gap, true) AS starts
    FROM points AS p, k
    WINDOW w AS (PARTITION BY p.template, p.kind ORDER BY p.hour, p.alert_id NULLS LAST)
),
numbered AS (
    SELECT *,
           sum(CAST(starts AS INTEGER)) OVER (
               PARTITION BY template, kind ORDER BY hour, alert_id NULLS LAST
               ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
),
incidents AS (
    SELECT
        template, kind, island,
        any_value(alert_id) FILTER (alert_id IS NOT NULL) AS stored_id,
        coalesce(min(started_at), min(hour)) AS started_at,
        max(hour) AS last_hit_at,
        coalesce(min(detected_at),
                 min(hour) + INTERVAL 1 HOUR
                 + CASE WHEN kind = 'read_collapse' THEN any_value(k.k_lag)
                        ELSE INTERVAL 0 HOUR END) AS detected_at,
        arg_max(observed, hour) FILTER (observed IS NOT NULL) AS observed,
        arg_max(expected, hour) FILTER (observed IS NOT NULL) AS expected,
        arg_max(evidence, hour) FILTER (observed IS NOT NULL) AS evidence
    FROM numbered, k
    GROUP BY template, kind, island
),
decided AS (
    SELECT
        coalesce(i.stored_id,
                 substr(md5(i.template || '|' || i.kind || '|'
                            || strftime(i.started_at, '%Y-%m-%dT%H')), 1, 16)) AS alert_id,
        i.*,
        -- the end of the hours this kind has been judged to
        k.k_until - CASE WHEN i.kind = 'read_collapse' THEN k.k_lag ELSE INTERVAL 0 HOUR END
            >= i.last_hit_at + INTERVAL 1 HOUR + k.k_gap AS is_resolved
    FROM incidents AS i, k
)
SELECT
    d.alert_id, d.template, d.kind,
    CASE WHEN d.is_resolved THEN 'resolved' ELSE 'open' END AS status,
    d.started_at, d.last_hit_at,
    CASE WHEN d.is_resolved THEN d.last_hit_at + INTERVAL 1 HOUR END AS resolved_at,
    d.detected_at,
    coalesce(d.observed, a.observed) AS observed,
    coalesce(d.expected, a.expected) AS expected,
    coalesce(d.evidence, a.evidence) AS evidence,
    a.alert_id IS NULL AS opened,
    d.is_resolved AND coalesce(a.status, 'open') = 'open' AS resolved
FROM decided AS d
LEFT JOIN watch_alerts AS a USING (alert_id)
-- a rerun over hours already judged finds its resolved alerts again: not a change
WHERE NOT (d.is_resolved AND coalesce(a.status = 'resolved', false));

INSERT INTO watch_alerts
    (alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at,
     observed, expected, evidence, updated_at)
SELECT alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at,
       observed, expected, evidence, CAST($ran_at AS TIMESTAMP)
FROM watch_changes
ON CONFLICT (alert_id) DO UPDATE SET
    status = excluded.status,
    last_hit_at = excluded.last_hit_at,
    resolved_at = excluded.resolved_at,
    observed = excluded.observed,
    expected = excluded.expected,
    evidence = excluded.evidence,
    updated_at = excluded.updated_at;

INSERT INTO watch_runs (ran_at, as_of, since, until)
VALUES (CAST($ran_at AS TIMESTAMP), CAST($as_of AS TIMESTAMP), CAST($since AS TIMESTAMP),
        CAST($until AS TIMESTAMP));

SELECT alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at,
       observed, expected, evidence, opened, resolved
FROM watch_changes
ORDER BY started_at, template, kind;
