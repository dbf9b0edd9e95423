-- whatif/notifications: the created notifications a what-if replay goes through, in the
--   order its rules read them: per (template, recipient), by created_at, ties by
--   notification_id.
-- grain: one row per created notification (failed sends are not replayed) of the templates
--   in $templates (NULL = all), every one of them: a rule's window and the state's
--   partition columns reach back to a template's first notification.
-- parameters: $as_of (NULL = latest occurred_at), $default_expiry_days, $templates.
-- tr_key and dup_key are the state's partition keys (hash(template, recipient) and
-- hash(template, recipient, fingerprint), metrics/macros.sql); created_us is created_at in
-- epoch microseconds; has_expiry as the metrics judge it (Wacht's server default is none).
-- prev_created_us, prev_tr_created_us and user_day_count are the state's partition columns as
-- logged (epoch microseconds; metrics/macros.sql), for the replay to change only those it moves.
-- columns: notification_id, template, recipient, tr_key, dup_key, created_us, is_read, is_clicked, has_expiry, prev_created_us, prev_tr_created_us, user_day_count
SELECT notification_id, template, recipient, tr_key, dup_key,
       epoch_us(created_at)     AS created_us,
       read_at IS NOT NULL      AS is_read,
       clicked_at IS NOT NULL   AS is_clicked,
       expires_at IS NOT NULL   AS has_expiry,
       epoch_us(prev_created_at)    AS prev_created_us,
       epoch_us(prev_tr_created_at) AS prev_tr_created_us,
       user_day_count_all       AS user_day_count
FROM tn_notifications(p_as_of := $as_of, p_default_expiry_days := $default_expiry_days)
WHERE created
  AND (CAST($templates AS VARCHAR[]) IS NULL
       OR list_contains(CAST($templates AS VARCHAR[]), template))
ORDER BY tr_key, created_at, notification_id;
