-- dashboard/template_duplicate_pairs: one template's latest duplicates, each beside the earlier notification it repeats (untrusted text).
-- grain: one row per duplicate in the window (the latest $limit).  parameters: metric parameters, $template, $limit.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state and of a duplicate, shared with the metrics).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- DuckDB only (reads the payload by notification id as the metrics never do): listed in
--   dashboard/spark/sql.py DUCKDB_ONLY.
-- columns: created_at, recipient, minutes_after, notification_id, earlier_id, dup_title, earlier_title, dup_body, earlier_body, dup_metadata, earlier_metadata
WITH dups AS (
    -- the earlier notification each one repeats: tn_repeats (metrics/macros.sql)
    SELECT f.notification_id, f.created_at, f.recipient, s.earlier_id, s.earlier_at
    FROM tn_facts_core({{ window }}) AS f
    JOIN tn_repeats(p_as_of := $as_of, p_default_expiry_days := $default_expiry_days,
                    p_template := $template) AS s USING (notification_id)
    WHERE f.template = $template AND f.is_duplicate
    ORDER BY f.created_at DESC, f.notification_id
    LIMIT $limit
),
payload AS (
    -- The text as sent: the earliest `sent` row of each notification of the pairs.
    SELECT notification_id,
           arg_min({'title': title, 'body': body, 'metadata': metadata}, (occurred_at, event_id))
               AS p
    FROM events
    WHERE event_type = 'sent'
      AND notification_id IN (SELECT notification_id FROM dups UNION ALL SELECT earlier_id FROM dups)
    GROUP BY notification_id
)
SELECT
    d.created_at,
    d.recipient,
    round((epoch_us(d.created_at) - epoch_us(d.earlier_at)) / 60e6, 1) AS minutes_after,
    d.notification_id,
    d.earlier_id,
    a.p.title AS dup_title,
    b.p.title AS earlier_title,
    a.p.body AS dup_body,
    b.p.body AS earlier_body,
    CAST(a.p.metadata AS VARCHAR) AS dup_metadata,
    CAST(b.p.metadata AS VARCHAR) AS earlier_metadata
FROM dups AS d
LEFT JOIN payload AS a ON a.notification_id = d.notification_id
LEFT JOIN payload AS b ON b.notification_id = d.earlier_id
ORDER BY d.created_at DESC, d.notification_id;
