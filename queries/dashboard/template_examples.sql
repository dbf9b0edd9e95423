-- dashboard/template_examples: one template's most recent notifications, as sent (untrusted text).
-- grain: one row per notification.  parameters: metric parameters, $template, $limit.
-- needs: queries/metrics/macros.sql run on the same cursor (the one definition of a
--   notification's state, shared with the metrics, so the charts add up to the ranking).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- DuckDB only (rowid): listed in dashboard/spark/sql.py DUCKDB_ONLY.
-- columns: created_at, notification_id, recipient, severity, scope, title, body, metadata, ctas, read, archived, starred, duplicate
WITH latest AS (
    -- The template's $limit latest created_at values (repeats kept): every example was
    -- created at or after the smallest of them, so only those few rows read their ids and
    -- text below (reading the id of every notification of the template cost most).
    SELECT created_at
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
    ORDER BY created_at DESC
    LIMIT $limit
),
f AS (
    -- Only the columns shown.
    SELECT notification_id, created_at, recipient, severity, scope, is_read, is_archived,
           is_starred, is_duplicate
    FROM tn_facts_core({{ window }})
    WHERE template = $template AND created
      AND created_at >= (SELECT min(created_at) FROM latest)
    ORDER BY created_at DESC, notification_id
    LIMIT $limit
),
hits AS (
    -- The earliest `sent` row's occurred_at is the notification's created_at: find the
    -- candidate rows on that cheap column alone, then read ids and text of those rows only
    -- (by rowid, within this one statement); a join on notification_id would decode every
    -- event's id and text.
    SELECT e.rowid AS r
    FROM events AS e
    WHERE e.event_type = 'sent' AND e.occurred_at IN (SELECT created_at FROM f)
),
candidates AS (
    SELECT e.notification_id, e.occurred_at, e.event_id, e.title, e.body, e.metadata, e.ctas
    FROM events AS e
    WHERE e.rowid IN (SELECT r FROM hits)
),
payload AS (
    -- The untrusted text as sent: the earliest `sent` row, as metric_macros picks it.
    SELECT
        c.notification_id,
        arg_min({'title': c.title, 'body': c.body, 'metadata': c.metadata, 'ctas': c.ctas},
                (c.occurred_at, c.event_id)) AS p
    FROM candidates AS c
    SEMI JOIN f ON c.notification_id = f.notification_id AND c.occurred_at = f.created_at
    GROUP BY c.notification_id
)
SELECT
    f.created_at,
    f.notification_id,
    f.recipient,
    f.severity,
    f.scope,
    payload.p.title AS title,
    payload.p.body AS body,
    CAST(payload.p.metadata AS VARCHAR) AS metadata,
    CAST(payload.p.ctas AS VARCHAR) AS ctas,
    f.is_read AS read,
    f.is_archived AS archived,
    f.is_starred AS starred,
    f.is_duplicate AS duplicate
FROM f
LEFT JOIN payload USING (notification_id)
ORDER BY f.created_at DESC, f.notification_id;
