-- bench/generate_events: a synthetic event log of $notifications notifications, vectorised.
-- grain: temp table bench_events = one row per event (about 2.6 per notification).
-- parameters: $notifications, $first (the first notification number: logs of later days
--   take numbers after earlier ones, so ids never collide), $users, $days, $start (TIMESTAMP),
--   $seed.
-- columns: event_id, event_type, occurred_at, notification_id, user_id, template, title, body,
--          severity, metadata, expires_hours, dedup_key, attempt, connection_id
-- Pseudo-random draws are hashes of (row, seed, draw), so the log is the same on any thread count.
CREATE OR REPLACE TEMP MACRO bench_u(i, seed, k) AS ((hash(i, seed, k) % 1000000) / 1000000.0);

CREATE OR REPLACE TEMP TABLE bench_templates AS
SELECT * FROM (VALUES
    (0, 'password_changed',    'Password changed',            'info',    0.85, 0.20, 24,   0.00),
    (1, 'mfa_enabled',         'MFA enabled',                 'success', 0.80, 0.25, 24,   0.00),
    (2, 'unknown_sign_in',     'Unknown sign-in from {ip}',   'warning', 0.60, 0.20, 72,   0.00),
    (3, 'invite_accepted',     'Invite accepted',             'success', 0.55, 0.35, NULL, 0.00),
    (4, 'role_changed',        'Role changed',                'info',    0.50, 0.30, 168,  0.00),
    (5, 'membership_updated',  'Workspace membership updated','info',    0.12, 0.45, NULL, 0.00),
    (6, 'webhook_disabled',    'Webhook endpoint disabled',   'warning', 0.35, 0.40, 24,   0.30),
    (7, 'api_key_revoked',     'API key revoked',             'warning', 0.70, 0.10, 48,   0.00),
    (8, 'api_key_rotated',     'API key rotated',             'info',    0.30, 0.50, NULL, 0.00),
    (9, 'automation_failed',   'Automation failed',           'error',   0.40, 0.30, 12,   0.05)
) t(tpl, template, title, severity, p_read, p_archive, expires_hours, p_retry);

CREATE OR REPLACE TEMP TABLE bench_notifications AS
SELECT i,
       'n' || i AS notification_id,
       'u' || (hash(i, $seed, 1) % $users) AS user_id,
       t.*,
       $start + to_microseconds(CAST(bench_u(i, $seed, 2) * $days * 86400e6 AS BIGINT)) AS created_at,
       bench_u(i, $seed, 3) AS r_read, bench_u(i, $seed, 4) AS r_archive, bench_u(i, $seed, 5) AS r_misc,
       bench_u(i, $seed, 6) AS r_retry
FROM range($first, $first + $notifications) AS r(i)
JOIN bench_templates t ON t.tpl = hash(i, $seed, 0) % 10;

CREATE OR REPLACE TEMP TABLE bench_events AS
SELECT 'e' || i || '-' || event_type AS event_id, event_type, occurred_at, notification_id,
       user_id,
       CASE WHEN event_type IN ('sent', 'send_failed') THEN template END AS template,
       CASE WHEN event_type = 'sent' THEN replace(title, '{ip}', '203.0.113.' || (i % 250)) END AS title,
       CASE WHEN event_type = 'sent' THEN title || ' for ' || user_id || '.' END AS body,
       CASE WHEN event_type = 'sent' THEN severity END AS severity,
       CASE WHEN event_type = 'sent'
            THEN '{"source":"bench","ref":"r' || (i % 1000) || '","user":"' || user_id || '"}' END AS metadata,
       CASE WHEN event_type = 'sent' THEN expires_hours END AS expires_hours,
       CASE WHEN event_type = 'sent'
            THEN template || ':' || user_id || ':' || strftime(created_at, '%Y%m%d%H') END AS dedup_key,
       attempt,
       CASE WHEN event_type = 'delivered' THEN 'c-' || user_id END AS connection_id
FROM (
    SELECT *, 'sent' AS event_type, created_at AS occurred_at,
           CASE WHEN r_retry < p_retry THEN 2 ELSE 1 END AS attempt
    FROM bench_notifications WHERE r_misc >= 0.01
    UNION ALL
    SELECT *, 'send_failed', created_at - INTERVAL 2 SECOND, 1
    FROM bench_notifications WHERE r_misc < 0.01 OR r_retry < p_retry
    UNION ALL
    SELECT *, 'delivered', created_at + to_microseconds(CAST(200000 + r_misc * 3e6 AS BIGINT)), NULL
    FROM bench_notifications WHERE r_misc >= 0.05
    UNION ALL
    SELECT *, 'read', created_at + to_microseconds(CAST(r_read * 86400e6 AS BIGINT)), NULL
    FROM bench_notifications WHERE r_misc >= 0.01 AND r_read < p_read
    UNION ALL
    SELECT *, 'archived', created_at + to_microseconds(CAST(r_archive * 172800e6 AS BIGINT)), NULL
    FROM bench_notifications WHERE r_misc >= 0.01 AND r_archive < p_archive
    UNION ALL
    SELECT *, 'starred', created_at + INTERVAL 1 HOUR, NULL
    FROM bench_notifications WHERE r_misc >= 0.01 AND r_read < 0.05
) AS e;
