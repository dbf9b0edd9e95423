-- dash_template_keysets: the top-level metadata key sets one template was sent with.
-- grain: one row per key set (or per kind of non-object metadata).  parameters: metric parameters, $template.
-- needs: queries/metric_macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: $since, $until (window on created_at, a failed notification by its
--   first send_failed; NULL = open), $as_of (NULL = latest event), $severities, $scopes
--   (empty = all; severity 'unset' = none given), $template_search ('' = all),
--   $dedup_window_minutes, $stale_days, $default_expiry_days.
-- columns: key_set, is_object, notifications, share
-- Missing metadata is the empty key set, as in metadata_drift_rate.
WITH f AS (
    SELECT notification_id
    FROM tn_notification_facts($since, $until, $as_of, $severities, $scopes, $template_search,
                           $dedup_window_minutes, $stale_days, $default_expiry_days)
    WHERE template = $template AND created
),
payload AS (
    -- The untrusted text as sent: the earliest `sent` row, as metric_macros picks it.
    SELECT
        notification_id,
        arg_min({'title': title, 'body': body, 'metadata': metadata, 'ctas': ctas},
                (occurred_at, event_id)) AS p
    FROM events
    WHERE event_type = 'sent' AND notification_id IN (SELECT notification_id FROM f)
    GROUP BY notification_id
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
    count(*) AS notifications,
    count(*) / sum(count(*)) OVER () AS share
FROM payload
GROUP BY ALL
ORDER BY notifications DESC, key_set;
