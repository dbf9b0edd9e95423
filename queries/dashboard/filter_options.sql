-- dashboard/filter_options: the choices the sidebar filters offer, from all loaded data.
-- grain: one row.  parameters: none.
-- columns: first_at, last_at, severities
SELECT
    min(occurred_at) AS first_at,
    max(occurred_at) AS last_at,
    list_sort(list_distinct(list(coalesce(severity, 'unset')))) AS severities
FROM events
WHERE event_type IN ('sent', 'send_failed');
