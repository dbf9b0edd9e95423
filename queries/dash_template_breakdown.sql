-- dash_template_breakdown: the severities and scopes one template was sent with.
-- grain: one row per (severity, scope).  parameters: filters, $template.
-- filter parameters: $since, $until (created_at window, NULL = open), $severities, $scopes
-- (empty list = all; severity "unset" = none given), $template_search ("" = all).
-- columns: severity, scope, notifications
WITH first_send AS (
    -- The row that defines a notification: its earliest `sent`, else its earliest `send_failed`.
    SELECT notification_id, template, severity, user_id, organization_id, workspace_id,
           title, body, metadata, ctas, fingerprint
    FROM events
    WHERE event_type IN ('sent', 'send_failed') AND notification_id IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY notification_id ORDER BY event_type <> 'sent', occurred_at, event_id
    ) = 1
),
life AS (
    SELECT
        notification_id,
        min(occurred_at) FILTER (WHERE event_type = 'sent') AS created_at,
        min(occurred_at) FILTER (WHERE event_type = 'send_failed') AS first_failed_at,
        count(*) FILTER (WHERE event_type IN ('sent', 'send_failed')) AS attempts,
        min(occurred_at) FILTER (WHERE event_type = 'delivered') AS delivered_at,
        min(occurred_at) FILTER (WHERE event_type = 'read') AS read_at,
        min(occurred_at) FILTER (WHERE event_type = 'archived') AS archived_at,
        min(occurred_at) FILTER (WHERE event_type = 'starred') AS starred_at,
        min(occurred_at) FILTER (WHERE event_type = 'clicked') AS clicked_at
    FROM events
    WHERE notification_id IS NOT NULL
    GROUP BY notification_id
),
n AS (
    SELECT
        f.*,
        coalesce(f.severity, 'unset') AS severity_label,
        CASE
            WHEN f.user_id IS NOT NULL THEN 'user'
            WHEN f.organization_id IS NOT NULL THEN 'organization'
            WHEN f.workspace_id IS NOT NULL THEN 'workspace'
            ELSE 'user'
        END AS scope,
        coalesce(f.user_id, 'organization:' || f.organization_id, 'workspace:' || f.workspace_id)
            AS recipient,
        l.* EXCLUDE (notification_id),
        -- A notification that never went out is placed at its first failed attempt.
        coalesce(l.created_at, l.first_failed_at) AS placed_at
    FROM first_send AS f
    JOIN life AS l USING (notification_id)
),
picked AS (
    -- The shared sidebar filters (SPEC "Filters"), bound as parameters.
    SELECT * FROM n
    WHERE (CAST($since AS TIMESTAMP) IS NULL OR placed_at >= CAST($since AS TIMESTAMP))
      AND (CAST($until AS TIMESTAMP) IS NULL OR placed_at < CAST($until AS TIMESTAMP))
      AND (len(CAST($severities AS VARCHAR[])) = 0
           OR list_contains(CAST($severities AS VARCHAR[]), severity_label))
      AND (len(CAST($scopes AS VARCHAR[])) = 0
           OR list_contains(CAST($scopes AS VARCHAR[]), scope))
      AND ($template_search = '' OR contains(lower(template), lower($template_search)))
)
SELECT severity_label AS severity, scope, count(*) AS notifications
FROM picked
WHERE template = $template AND created_at IS NOT NULL
GROUP BY ALL
ORDER BY notifications DESC, severity, scope;
