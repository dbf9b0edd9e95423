-- dashboard/template_keysets: the top-level metadata key sets one template was sent with.
-- grain: one row per key set (or per kind of non-object metadata).  parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: key_set, is_object, notifications, share
-- Missing metadata is the empty key set, as in metadata_drift_rate.
-- The state's `keyset` (a hash of the sorted keys of the metadata as sent; NULL for a
-- non-object) counts the notifications; the keys themselves are read from the `sent` row
-- of one notification per key set (the latest) and of every non-object one, so the
-- events are looked up for a handful of notifications, not for the whole template.
WITH f AS (
    SELECT notification_id, created_at, keyset
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
),
shown AS (
    SELECT arg_max(notification_id, (created_at, notification_id)) AS notification_id,
           max(created_at) AS created_at, count(*) AS n
    FROM f
    WHERE keyset IS NOT NULL
    GROUP BY keyset
    UNION ALL
    SELECT notification_id, created_at, 1 AS n FROM f WHERE keyset IS NULL
),
candidates AS (
    -- The earliest `sent` row's occurred_at is the notification's created_at: narrow the
    -- events on that cheap column before reading ids and text.
    SELECT e.notification_id, e.occurred_at, e.event_id, e.metadata
    FROM events AS e
    SEMI JOIN shown ON e.occurred_at = shown.created_at
    WHERE e.event_type = 'sent'
),
payload AS (
    -- The metadata as sent: the earliest `sent` row, as metric_macros picks it.
    SELECT c.notification_id, arg_min(c.metadata, (c.occurred_at, c.event_id)) AS metadata
    FROM candidates AS c
    SEMI JOIN shown AS s ON c.notification_id = s.notification_id AND c.occurred_at = s.created_at
    GROUP BY c.notification_id
)
SELECT
    CASE
        WHEN p.metadata IS NULL THEN '(none)'
        WHEN json_type(p.metadata) <> 'OBJECT'
            THEN '(not an object: ' || lower(json_type(p.metadata)) || ')'
        WHEN len(json_keys(p.metadata)) = 0 THEN '(none)'
        ELSE array_to_string(list_sort(json_keys(p.metadata)), ', ')
    END AS key_set,
    p.metadata IS NULL OR json_type(p.metadata) = 'OBJECT' AS is_object,
    CAST(sum(s.n) AS BIGINT) AS notifications,
    sum(s.n) / sum(sum(s.n)) OVER () AS share
FROM shown AS s
JOIN payload AS p USING (notification_id)
GROUP BY ALL
ORDER BY notifications DESC, key_set;
