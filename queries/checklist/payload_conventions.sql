-- checklist/payload_conventions: what senders got wrong that the server silently accepts (SPEC
--   "Payload conventions"), per template; reported, never rejected.
-- grain: one row per template with a created notification in the window and filters.
-- parameters: the metric parameters of metrics/per_template.sql ($since, $until, $as_of,
--   $severities, $scopes, $template_search, $dedup_window_minutes, $stale_days,
--   $default_expiry_days) and $allowed_severities (Wacht's set, from the config).
-- Each count is of created notifications: severity_unset = no severity given;
-- severity_outside_allowed = a severity Wacht turns into `info` (values in
-- outside_allowed_values); expires_in_hours = that alias instead of expires_hours;
-- cta_url_alias = a CTA with `url` instead of `payload`; action_url_with_ctas =
-- `action_url` next to `ctas` (ignored by the server); metadata_not_object.
-- columns: template, sent, severity_unset, severity_outside_allowed, outside_allowed_values, expires_in_hours, cta_url_alias, action_url_with_ctas, metadata_not_object
WITH by_severity AS (
    -- Per (template, severity) first: a handful of rows, so the allowed-set test and the
    -- distinct values are computed per severity rather than per notification.
    SELECT
        template,
        severity,
        count(*)                                        AS n,
        CAST(count_if(used_expires_in_hours) AS BIGINT) AS expires_in_hours,
        CAST(count_if(cta_url_alias) AS BIGINT)         AS cta_url_alias,
        CAST(count_if(action_url_with_ctas) AS BIGINT)  AS action_url_with_ctas,
        CAST(count_if(metadata_invalid) AS BIGINT)      AS metadata_not_object
    FROM tn_facts_core({{ window }})
    WHERE created
    GROUP BY template, severity
),
marked AS (
    SELECT *,
           severity <> 'unset'
           AND NOT list_contains(CAST($allowed_severities AS VARCHAR[]), severity) AS outside
    FROM by_severity
)
SELECT
    template,
    CAST(sum(n) AS BIGINT)                                          AS sent,
    CAST(sum(CASE WHEN severity = 'unset' THEN n ELSE 0 END) AS BIGINT) AS severity_unset,
    CAST(sum(CASE WHEN outside THEN n ELSE 0 END) AS BIGINT)        AS severity_outside_allowed,
    coalesce(list_sort(list(DISTINCT severity) FILTER (outside)), []) AS outside_allowed_values,
    CAST(sum(expires_in_hours) AS BIGINT)                           AS expires_in_hours,
    CAST(sum(cta_url_alias) AS BIGINT)                              AS cta_url_alias,
    CAST(sum(action_url_with_ctas) AS BIGINT)                       AS action_url_with_ctas,
    CAST(sum(metadata_not_object) AS BIGINT)                        AS metadata_not_object
FROM marked
GROUP BY template
ORDER BY template;
