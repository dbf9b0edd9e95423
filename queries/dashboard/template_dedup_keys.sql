-- dashboard/template_dedup_keys: the metadata keys of one template and how often a duplicate repeats each key's value from the notification it repeats: dedup key candidates.
-- grain: one row per top-level metadata key of the template's notifications in the window.
-- parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state and of a duplicate, shared with the metrics).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- DuckDB only (json_each over the metadata as sent): listed in dashboard/spark/sql.py
--   DUCKDB_ONLY.
-- columns: key, pairs, pairs_same, share_same, distinct_values, recipient_values, originals, candidate
-- A key is a candidate when a duplicate carries the same value as the earlier notification
-- in at least 90% of the pairs, and the key tells the originals apart: at least 90% as
-- many distinct (recipient, value) combinations as original (not duplicate) notifications,
-- and more than one value. A constant (`source`) or a coarse key (`automation_id` over many
-- runs) repeats in every pair too, but names no event or would suppress other events: it is
-- listed, not named a candidate. Values
-- are compared as the JSON text sent (a nested object with its keys in another order
-- counts as another value).
WITH w AS (
    SELECT notification_id, recipient, is_duplicate
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
),
dups AS (
    -- the notification each one repeats: tn_repeats (metrics/macros.sql)
    SELECT w.notification_id, s.earlier_id
    FROM w JOIN tn_repeats(p_as_of := $as_of, p_default_expiry_days := $default_expiry_days,
                           p_template := $template) AS s USING (notification_id)
    WHERE w.is_duplicate
),
meta AS (
    -- metadata as sent (the earliest `sent` row), objects only
    SELECT notification_id,
           arg_min(CASE WHEN json_type(metadata) = 'OBJECT' THEN metadata END,
                   (occurred_at, event_id)) AS metadata
    FROM events
    WHERE event_type = 'sent'
      AND notification_id IN (SELECT notification_id FROM w UNION ALL SELECT earlier_id FROM dups)
    GROUP BY notification_id
),
kv AS (
    SELECT m.notification_id, j.key, j.value
    FROM meta AS m, json_each(m.metadata) AS j
),
same AS (
    SELECT a.key, count(*) AS pairs_same
    FROM dups AS d
    JOIN kv AS a ON a.notification_id = d.notification_id
    JOIN kv AS b ON b.notification_id = d.earlier_id AND b.key = a.key AND b.value = a.value
    GROUP BY a.key
),
keys AS (
    SELECT kv.key, count(DISTINCT kv.value) AS distinct_values,
           count(DISTINCT (w.recipient, kv.value)) AS recipient_values
    FROM kv JOIN w USING (notification_id)
    GROUP BY kv.key
),
n AS (
    SELECT (SELECT count(*) FROM dups) AS pairs,
           (SELECT count(*) FROM w) - (SELECT count(*) FROM dups) AS originals
)
SELECT
    k.key,
    n.pairs,
    CAST(coalesce(s.pairs_same, 0) AS BIGINT) AS pairs_same,
    coalesce(s.pairs_same, 0) / nullif(n.pairs, 0) AS share_same,
    k.distinct_values,
    k.recipient_values,
    n.originals,
    coalesce(n.pairs > 0 AND coalesce(s.pairs_same, 0) >= 0.9 * n.pairs
             AND k.recipient_values >= 0.9 * n.originals AND k.distinct_values > 1, false)
        AS candidate
FROM keys AS k
CROSS JOIN n
LEFT JOIN same AS s USING (key)
ORDER BY candidate DESC, share_same DESC NULLS LAST, k.recipient_values DESC, k.key;
