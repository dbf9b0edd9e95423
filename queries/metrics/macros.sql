-- metrics/macros: the per-notification state every metric query reads, as table macros.
-- grain: statements (macro definitions, no data is read); run on a cursor before any
--        query that calls tn_notifications / tn_notification_facts / tn_metrics.
-- parameters: none.  columns: none
-- Why macros: a cursor does not see another cursor's temp objects, and every metric query
-- must agree on one definition of a notification's state; this file is that definition.
-- Macro parameters are prefixed p_: inside a macro a parameter shadows a column of the
-- same name (a `severities` parameter would replace the `severities` column).

-- The analysis instant: the given one, else the latest event in the data (reproducible).
CREATE OR REPLACE TEMP MACRO tn_as_of(p_as_of) AS (
    coalesce(CAST(p_as_of AS TIMESTAMP), (SELECT max(occurred_at) FROM events))
);

-- The layout of notification_state that notification_state_stamp.version vouches for
-- (2: with tr_key): a state written in another layout is rebuilt by the next ingest and
-- not read until then. Not the database's schema version (store/, template_noise.db).
CREATE OR REPLACE TEMP MACRO tn_state_layout() AS 2;

-- Whether notification_state (state/schema.sql) answers for this as_of: it covers every
-- loaded event (its stamp matches `events`) and as_of is at or after the latest of them,
-- so no event is to be ignored. Otherwise the metrics aggregate `events` themselves.
CREATE OR REPLACE TEMP MACRO tn_state_fresh(p_as_of) AS ((
    SELECT coalesce(bool_and(
               s.events = (SELECT count(*) FROM events) AND s.version = tn_state_layout()
               AND (CAST(p_as_of AS TIMESTAMP) IS NULL
                    OR CAST(p_as_of AS TIMESTAMP) >= s.max_occurred_at)), false)
    FROM notification_state_stamp s
));

-- The per-partition columns of the state, as window expressions over a notification's
-- created_at, partition key and notification_id (tn_state below and state/refresh.sql
-- use them): created_at of the previous created notification in the partition, ties by
-- notification_id; and the created notifications of the partition on that UTC day.
CREATE OR REPLACE TEMP MACRO tn_prev_created(p_created_at, p_key, p_notification_id) AS
    CASE WHEN p_created_at IS NOT NULL THEN lag(p_created_at) OVER (
        PARTITION BY p_created_at IS NULL, p_key ORDER BY p_created_at, p_notification_id)
    END;

-- The same previous created_at, in an order that starts with the UTC day: the order is
-- the same (a day holds its instants in order), and tn_day_count over the same key is
-- then computed from the same sort (DuckDB sorts once for both; 10M notifications: the
-- three windows of the state 4.8 s -> 3.6 s). The dedup partition has no day count, so
-- tn_prev_created keeps the shorter order there (the day key cost it 0.2 s at 10M).
CREATE OR REPLACE TEMP MACRO tn_prev_created_by_day(p_created_at, p_key, p_notification_id) AS
    CASE WHEN p_created_at IS NOT NULL THEN lag(p_created_at) OVER (
        PARTITION BY p_created_at IS NULL, p_key
        ORDER BY date_trunc('day', p_created_at), p_created_at, p_notification_id)
    END;

-- The partition's rows of the same UTC day: the peers of the row in the day order.
CREATE OR REPLACE TEMP MACRO tn_day_count(p_created_at, p_key) AS
    CASE WHEN p_created_at IS NOT NULL THEN count(*) OVER (
        PARTITION BY p_created_at IS NULL, p_key ORDER BY date_trunc('day', p_created_at)
        RANGE BETWEEN CURRENT ROW AND CURRENT ROW)
    END;

-- One row per notification_id as it stood at `as_of`: tn_state_rows (state/schema.sql)
-- read from the table maintained at ingest when it is fresh, else computed from `events`
-- (the gate skips the other branch before it reads a row). prev_created_at: the previous
-- created notification with the same dup_key (recipient, template, fingerprint);
-- prev_tr_created_at: the same by tr_key (template, recipient); user_day_count: created
-- notifications of the template to the recipient on that UTC day, over all of them.
CREATE OR REPLACE TEMP MACRO tn_state(p_as_of) AS TABLE
WITH r AS MATERIALIZED (
    SELECT * FROM tn_state_rows(p_as_of := tn_as_of(p_as_of), p_load_id := NULL,
                                p_gate := NOT tn_state_fresh(p_as_of))
),
w AS (
    -- The windows sort four columns, not every column of the state (each of the three
    -- sorts carried all of them: 2.7 of 3.9 s at 1M), and are joined back.
    SELECT notification_id,
           tn_prev_created(p_created_at := created_at, p_key := dup_key,
                           p_notification_id := notification_id) AS prev_created_at,
           tn_prev_created_by_day(p_created_at := created_at, p_key := tr_key,
                                  p_notification_id := notification_id) AS prev_tr_created_at,
           tn_day_count(created_at, tr_key) AS user_day_count
    FROM (SELECT notification_id, created_at, dup_key, tr_key FROM r)
)
SELECT * FROM notification_state WHERE tn_state_fresh(p_as_of)
UNION ALL BY NAME
SELECT r.*, w.* EXCLUDE (notification_id) FROM r JOIN w USING (notification_id);

-- The state the metrics read: the logged one. A what-if replay (whatif/replay.sql)
-- redefines this macro on its own cursor over the notifications its policy keeps, so the
-- metrics after a replay are computed by these same macros and queries.
CREATE OR REPLACE TEMP MACRO tn_state_replayed(p_as_of) AS TABLE
SELECT * FROM tn_state(p_as_of);

-- One row per notification (created or failed) as it stood at `as_of`.
-- created_at = earliest `sent`; failed = `send_failed` and no `sent`; payload fields come
-- from the earliest `sent` row (else the earliest `send_failed`); read/archived/starred/
-- clicked/delivered = earliest such event ("ever": a later unread does not undo a read).
-- expires_at = explicit, or created_at + expires_hours; an explicit expires_at within a
-- minute of created_at + default_expiry_days is Wacht's server default: no expiry chosen.
CREATE OR REPLACE TEMP MACRO tn_notifications(p_as_of, p_default_expiry_days) AS TABLE
SELECT
    notification_id,
    created_at,
    created_at IS NOT NULL                          AS created,
    created_at IS NULL                              AS failed,
    coalesce(created_at, first_failed_at)           AS window_at,  -- what the window bounds
    greatest(attempt_events, coalesce(max_attempt, 0)) AS attempts,
    template, recipient, scope, user_id, severity, cta_count, metadata_invalid, keyset,
    fingerprint,
    CASE
        WHEN expires_at_given IS NOT NULL THEN
            -- |expires_at_given - (created_at + default days)| in microseconds (integers:
            -- the same number as date_diff over an added interval, computed cheaply)
            CASE WHEN abs(epoch_us(expires_at_given) - epoch_us(created_at)
                          - CAST(p_default_expiry_days AS BIGINT) * 86400000000) <= 60000000
                 THEN NULL ELSE expires_at_given END
        WHEN expires_hours IS NOT NULL
            THEN created_at + to_microseconds(CAST(round(expires_hours * 3600e6) AS BIGINT))
    END                                             AS expires_at,
    -- The same instant in epoch microseconds: the per-row comparisons of tn_facts_core
    -- are then integer ones (timestamp + interval arithmetic cost most of their time).
    CASE
        WHEN expires_at_given IS NOT NULL THEN
            CASE WHEN abs(epoch_us(expires_at_given) - epoch_us(created_at)
                          - CAST(p_default_expiry_days AS BIGINT) * 86400000000) <= 60000000
                 THEN NULL ELSE epoch_us(expires_at_given) END
        WHEN expires_hours IS NOT NULL
            THEN epoch_us(created_at) + CAST(round(expires_hours * 3600e6) AS BIGINT)
    END                                             AS expires_us,
    used_expires_in_hours, cta_url_alias, action_url_with_ctas,
    read_at, archived_at, starred_at, clicked_at, delivered_at, last_delivered_at,
    dup_key, prev_created_at, tr_key, prev_tr_created_at, user_day_count AS user_day_count_all
FROM tn_state_replayed(p_as_of)
WHERE created_at IS NOT NULL OR first_failed_at IS NOT NULL;

-- Realtime outages as they stood at `as_of`, one row per stream_disconnected: the user, when
-- the stream dropped and when it came back (the user's next stream event, when that is a
-- stream_connected; NULL when it is another disconnect or there is none). At equal times the
-- disconnect sorts first: a zero-length gap is still a reconnect. The `realtime_reconnection`
-- checklist item (checklist/realtime_reconnection.sql) and the Delivery page's disconnects
-- (dashboard/stream_outages.sql) both read this and tn_outage_notifications: one definition
-- of a reconnect and of a notification it lost.
CREATE OR REPLACE TEMP MACRO tn_stream_outages(p_as_of) AS TABLE
WITH ordered AS (
    SELECT user_id, occurred_at, event_type = 'stream_connected' AS is_connect,
           lead(event_type = 'stream_connected') OVER w AS next_is_connect,
           lead(occurred_at) OVER w AS next_at
    FROM events
    WHERE event_type IN ('stream_connected', 'stream_disconnected')
      AND occurred_at <= tn_as_of(p_as_of)
    WINDOW w AS (PARTITION BY user_id ORDER BY occurred_at, event_type = 'stream_connected')
)
SELECT user_id, occurred_at AS disconnected_at,
       CASE WHEN next_is_connect THEN next_at END AS reconnected_at
FROM ordered
WHERE NOT is_connect;

-- Each created notification of a user (user-scoped) while that user's stream was down: from
-- the disconnect to the reconnect, or on, when it never came back. redelivered: it has a
-- `delivered` at or after the reconnect (false without a reconnect). A notification a
-- reconnect lost is one with a reconnected_at that was not redelivered.
CREATE OR REPLACE TEMP MACRO tn_outage_notifications(p_as_of, p_default_expiry_days) AS TABLE
SELECT o.user_id, o.disconnected_at, o.reconnected_at,
       n.notification_id, n.template, n.severity, n.scope, n.created_at,
       coalesce(n.last_delivered_at >= o.reconnected_at, false) AS redelivered
FROM tn_stream_outages(p_as_of) o
JOIN tn_notifications(p_as_of, p_default_expiry_days) n
  ON n.user_id = o.user_id
 AND n.created
 AND n.created_at >= o.disconnected_at
 AND (o.reconnected_at IS NULL OR n.created_at < o.reconnected_at);

-- The notification each created one of a template repeats: the previous created one with
-- the same recipient, template and fingerprint (dup_key), ties by notification_id, as
-- tn_prev_created orders the state. Over all of the template's notifications: the earlier
-- one may sit before the window (the Template page's duplicate pairs and dedup keys).
CREATE OR REPLACE TEMP MACRO tn_repeats(p_as_of, p_default_expiry_days, p_template) AS TABLE
SELECT notification_id,
       lag(notification_id) OVER (PARTITION BY dup_key ORDER BY created_at, notification_id)
           AS earlier_id,
       lag(created_at) OVER (PARTITION BY dup_key ORDER BY created_at, notification_id)
           AS earlier_at
FROM tn_notifications(p_as_of, p_default_expiry_days)
WHERE template = p_template AND created;

-- One row per notification in the window and filters, with the per-notification signals
-- that need no other notification of the window (tn_metrics reads this; drill-downs read
-- tn_notification_facts). Duplicate status belongs to the notification (its predecessor
-- may sit before `since`), so it comes from prev_created_at, fixed before the window.
CREATE OR REPLACE TEMP MACRO tn_facts_core(
    p_since, p_until, p_as_of, p_severities, p_scopes, p_template_search,
    p_dedup_window_minutes, p_stale_days, p_default_expiry_days) AS TABLE
WITH k AS (
    -- The query's constants, once: the comparisons below are then plain integer or
    -- timestamp comparisons per row, not interval arithmetic (same results: a day is
    -- 86400 s and a minute 60 s for naive UTC timestamps).
    SELECT tn_as_of(p_as_of) AS k_as_of,
           epoch_us(tn_as_of(p_as_of)) AS k_as_of_us,
           epoch_us(tn_as_of(p_as_of)) - CAST(p_stale_days AS BIGINT) * 86400000000
               AS k_stale_before_us,
           CAST(p_dedup_window_minutes AS BIGINT) * 60000000 AS k_dedup_us
)
SELECT
    * EXCLUDE (dup_key, prev_created_at, expires_us, k_as_of, k_as_of_us, k_stale_before_us,
               k_dedup_us),
    k_as_of AS as_of,
    created AND coalesce(epoch_us(created_at) - epoch_us(prev_created_at) <= k_dedup_us, false)
        AS is_duplicate,
    created AND read_at IS NOT NULL AS is_read,
    created AND archived_at IS NOT NULL AS is_archived,
    created AND archived_at IS NOT NULL AND NOT coalesce(read_at <= archived_at, false)
        AS is_archived_unread,
    created AND starred_at IS NOT NULL AS is_starred,
    created AND cta_count > 0 AS has_cta,
    created AND cta_count > 0 AND clicked_at IS NOT NULL AS is_cta_clicked,
    created AND expires_us IS NOT NULL AS has_expiry,
    coalesce(created AND expires_us <= k_as_of_us, false) AS is_expired,
    coalesce(created AND expires_us <= k_as_of_us, false)
        AND NOT coalesce(epoch_us(read_at) < expires_us, false) AS is_expired_unread,
    created AND expires_us IS NULL AND read_at IS NULL AND archived_at IS NULL
        AND epoch_us(created_at) <= k_stale_before_us AS is_stale_unread,
    created AND metadata_invalid AS is_metadata_invalid,
    created AND delivered_at IS NOT NULL AS is_delivered,
    CASE WHEN created THEN (epoch_us(delivered_at) - epoch_us(created_at)) / 1e6 END AS delivery_s,
    CASE WHEN created THEN epoch_us(read_at) - epoch_us(created_at) END AS read_us
FROM tn_notifications(p_as_of, p_default_expiry_days), k
WHERE window_at >= coalesce(CAST(p_since AS TIMESTAMP), '-infinity'::TIMESTAMP)
  AND window_at < coalesce(CAST(p_until AS TIMESTAMP), 'infinity'::TIMESTAMP)
  AND (len(CAST(p_severities AS VARCHAR[])) = 0
       OR list_contains(CAST(p_severities AS VARCHAR[]), severity))
  AND (len(CAST(p_scopes AS VARCHAR[])) = 0 OR list_contains(CAST(p_scopes AS VARCHAR[]), scope))
  AND (coalesce(p_template_search, '') = ''
       OR contains(lower(template), lower(p_template_search)));

-- tn_facts_core plus the signals that compare a notification with the others in the
-- window: user_day_count (created notifications of the template to the recipient that UTC
-- day) and is_metadata_drift (key set differs from the template's most common one).
CREATE OR REPLACE TEMP MACRO tn_notification_facts(
    p_since, p_until, p_as_of, p_severities, p_scopes, p_template_search,
    p_dedup_window_minutes, p_stale_days, p_default_expiry_days) AS TABLE
WITH w AS (
    SELECT *
    FROM tn_facts_core({{ window passed on }})
),
keysets AS (
    -- The template's most common key set (ties: the one sent first, then the smallest
    -- notification_id: a stable pick that does not depend on the engine's hash function).
    SELECT template, keyset AS common_keyset
    FROM w
    WHERE created AND keyset IS NOT NULL
    GROUP BY template, keyset
    QUALIFY row_number() OVER (PARTITION BY template
                               ORDER BY count(*) DESC, min(created_at), min(notification_id)) = 1
)
SELECT
    w.* EXCLUDE (tr_key, prev_tr_created_at, user_day_count_all),
    CASE WHEN created THEN count(*) OVER (
        PARTITION BY template, created, tr_key, date_trunc('day', created_at))
    END AS user_day_count,
    coalesce(created AND keyset <> k.common_keyset, false) AS is_metadata_drift
FROM w
LEFT JOIN keysets k USING (template);

-- The percentiles of the metrics (delivery_p50_s, delivery_p95_s, time_to_read_p50_s,
-- time_to_read_p90_s) over tn_facts_core: with p_templates one row per template (grp =
-- template), with p_total one row over all of them (grp NULL); p_template (NULL: every
-- template) keeps one template, which reads only its rows (the Template page's cards).
-- delivery_q: seconds to the first delivered, [p50, p95]; read_q_us: microseconds to the
-- first read, [p50, p90] (integers cost less to compare than fractional seconds).
CREATE OR REPLACE TEMP MACRO tn_percentiles(
    p_templates, p_total, p_template, p_since, p_until, p_as_of, p_severities, p_scopes,
    p_template_search, p_dedup_window_minutes, p_stale_days, p_default_expiry_days) AS TABLE
WITH timings AS (
    -- the durations the percentiles read, from one scan of the template's rows
    SELECT template, is_delivered, delivery_s, is_read, read_us
    FROM tn_facts_core({{ window passed on }})
    WHERE (is_delivered OR is_read) AND (p_template IS NULL OR template = p_template)
)
SELECT template AS grp,
       quantile_cont(delivery_s, [0.5, 0.95]) FILTER (is_delivered) AS delivery_q,
       quantile_cont(read_us, [0.5, 0.9]) FILTER (is_read) AS read_q_us
FROM timings
WHERE p_templates
GROUP BY template
UNION ALL
SELECT NULL AS grp,
       quantile_cont(delivery_s, [0.5, 0.95]) FILTER (is_delivered) AS delivery_q,
       quantile_cont(read_us, [0.5, 0.9]) FILTER (is_read) AS read_q_us
FROM timings
WHERE p_total;

-- The metrics of SPEC.md over tn_facts_core: with p_templates one row per template
-- (is_total false), with p_total one row over all of them (is_total true, template NULL;
-- counts 0 when the window is empty); both together cost one pass over the window. Rates
-- are fractions, NULL when their denominator is 0; delivery metrics are NULL when the data
-- holds no `delivered` event. One grouping by (template, key set, severity, scope) gives
-- every count (a handful of rows, from which the per-template and total counts, the drift
-- counts and the severity and scope lists all come); only what does not add up reads the
-- window again: the delivery percentiles, distinct recipients (per template only when the
-- precomputed sequences do not answer; in the total only over each recipient's first
-- notification of a (template, recipient) sequence when they do, which every recipient of
-- the window has), and max_per_user_day when the precomputed day counts do not answer.
-- With p_total max_per_user_day is the largest over templates (a flood is one template to
-- one recipient). Without p_total_distinct the total row leaves out what costs most and
-- does not add up from the templates: recipients and the delivery percentiles are NULL
-- (for callers that read neither, such as the checklist). Without p_quantiles no delivery
-- percentile is computed (NULL in every row): a sort of every delivery of the window.
CREATE OR REPLACE TEMP MACRO tn_metrics(
    p_templates, p_total, p_total_distinct, p_quantiles, p_since, p_until, p_as_of, p_severities, p_scopes, p_template_search,
    p_dedup_window_minutes, p_stale_days, p_default_expiry_days) AS TABLE
WITH f AS NOT MATERIALIZED (
    SELECT *,
           -- Without severity or scope filters a window keeps or drops each (template,
           -- recipient) sequence whole in time order, and a day-aligned one each UTC day:
           -- then the precomputed partition columns answer exactly.
           len(CAST(p_severities AS VARCHAR[])) = 0 AND len(CAST(p_scopes AS VARCHAR[])) = 0
               AS whole_sequences,
           len(CAST(p_severities AS VARCHAR[])) = 0 AND len(CAST(p_scopes AS VARCHAR[])) = 0
               AND coalesce(CAST(p_since AS TIMESTAMP) = date_trunc('day', CAST(p_since AS TIMESTAMP)), true)
               AND coalesce(CAST(p_until AS TIMESTAMP) = date_trunc('day', CAST(p_until AS TIMESTAMP)), true)
               AS whole_days,
           -- the first of its (template, recipient) sequence in the window
           coalesce(prev_tr_created_at
                    < coalesce(CAST(p_since AS TIMESTAMP), '-infinity'::TIMESTAMP), true)
               AS first_in_sequence
    FROM tn_facts_core({{ window passed on }})
),
fine AS (
    -- The catalogue's counters (count_if rather than count(*) FILTER: one pass instead of
    -- a selection per count), except the two that need more than one group (below).
    SELECT
        template, keyset, severity, scope,
        {{ counters except max_per_user_day, n_metadata_drift }},
        CAST(count_if(created AND whole_sequences AND first_in_sequence) AS BIGINT)
                                               AS first_of_recipient,
        max(user_day_count_all) FILTER (created AND whole_days) AS max_user_day_all
    FROM f
    GROUP BY template, keyset, severity, scope
),
kinds AS (
    -- Created notifications per (template, key set, severity, scope).
    SELECT template, keyset, severity, scope, sent AS n
    FROM fine
    WHERE sent > 0
),
drift AS (
    -- Drifting = created with an object key set other than the template's most common
    -- one: all of them minus the most common set's count (whichever set wins a tie, the
    -- count is the same), so no notification needs joining back.
    SELECT template, sum(with_keys - most_common) AS n_metadata_drift
    FROM (
        SELECT template, sum(n) AS with_keys, max(n) AS most_common
        FROM (
            SELECT template, keyset, sum(n) AS n
            FROM kinds
            WHERE keyset IS NOT NULL
            GROUP BY template, keyset
        ) AS k
        GROUP BY template
    ) AS t
    GROUP BY template
),
lists AS (
    SELECT template AS grp, list_sort(list(DISTINCT severity)) AS severities,
           list_sort(list(DISTINCT scope)) AS scopes
    FROM kinds
    WHERE p_templates
    GROUP BY template
    UNION ALL
    SELECT NULL AS grp, list_sort(list(DISTINCT severity)) AS severities,
           list_sort(list(DISTINCT scope)) AS scopes
    FROM kinds
    WHERE p_total
),
per_day AS (
    -- Integer keys: hash(template, recipient) as the window partition always used. A
    -- (template, recipient, day) with two or more notifications in the window has two or
    -- more in all (user_day_count_all), so only those rows are grouped (about one in eight
    -- at scale); a template with any notification in the window has at least 1 (below).
    SELECT template, max(n) AS max_per_user_day
    FROM (
        SELECT any_value(template) AS template, count(*) AS n
        FROM f
        WHERE created AND NOT whole_days AND user_day_count_all > 1
        GROUP BY tr_key, date_trunc('day', created_at)
    ) AS d
    GROUP BY template
),
pairs AS (
    -- Only when the sequences do not answer: each (template, recipient) of the window once.
    SELECT template, recipient
    FROM f
    WHERE created AND NOT whole_sequences
    GROUP BY template, recipient
),
distinct_recipients AS (
    SELECT template AS grp, count(*) AS recipients
    FROM pairs
    WHERE p_templates
    GROUP BY template
    UNION ALL
    SELECT NULL AS grp, count(DISTINCT recipient) AS recipients
    FROM (
        SELECT recipient FROM pairs
        UNION ALL
        SELECT recipient FROM f WHERE created AND whole_sequences AND first_in_sequence
    ) AS r
    WHERE p_total AND p_total_distinct
),
quantiles AS (
    SELECT * FROM tn_percentiles(p_templates := p_templates AND p_quantiles,
                                 p_total := p_total AND p_total_distinct AND p_quantiles,
                                 p_template := NULL, {{ window passed on }})
),
per_template AS (
    SELECT
        g.*,
        coalesce(d.max_per_user_day, CASE WHEN g.sent > 0 THEN 1 END, 0) AS per_day_max,
        coalesce(dr.n_metadata_drift, 0) AS n_metadata_drift
    FROM (
        SELECT
            template,
            {{ merged counters except max_per_user_day, n_metadata_drift }},
            CAST(sum(first_of_recipient) AS BIGINT) AS first_of_recipient,
            max(max_user_day_all)                  AS max_user_day_all
        FROM fine
        GROUP BY template
    ) AS g
    LEFT JOIN per_day AS d USING (template)
    LEFT JOIN drift AS dr USING (template)
),
counts AS (
    -- The template rows and the total row from one grouping. The empty grouping set gives
    -- the total one row even when nothing is in the window; its first_of_recipient is 0
    -- (recipients of the total are counted distinct, below).
    SELECT * FROM (
        SELECT grouping(template) = 1 AS is_total, template, template AS grp,
               {{ merged counters except max_per_user_day }},
               CAST(CASE WHEN grouping(template) = 0 THEN sum(first_of_recipient) ELSE 0 END
                    AS BIGINT) AS first_of_recipient,
               max(coalesce(max_user_day_all, per_day_max)) AS max_per_user_day
        FROM per_template
        GROUP BY GROUPING SETS ((template), ())
    ) AS g
    WHERE CASE WHEN is_total THEN p_total ELSE p_templates END
),
has_delivered AS (
    SELECT EXISTS (SELECT 1 FROM events WHERE event_type = 'delivered') AS any_delivered
),
m AS (
    -- the counters and the columns that do not add up, for the catalogue's metrics
    SELECT
        c.*,
        any_delivered,
        CASE WHEN NOT c.is_total OR p_total_distinct
             THEN coalesce(r.recipients, c.first_of_recipient, 0) END AS recipients,
        coalesce(l.severities, []) AS severities,
        coalesce(l.scopes, []) AS scopes,
        q.delivery_q[1] AS delivery_p50_s,
        q.delivery_q[2] AS delivery_p95_s,
        q.read_q_us[1] / 1e6 AS time_to_read_p50_s,
        q.read_q_us[2] / 1e6 AS time_to_read_p90_s
    FROM counts AS c
    CROSS JOIN has_delivered
    LEFT JOIN lists AS l ON l.grp IS NOT DISTINCT FROM c.grp
    LEFT JOIN distinct_recipients AS r ON r.grp IS NOT DISTINCT FROM c.grp
    LEFT JOIN quantiles AS q ON q.grp IS NOT DISTINCT FROM c.grp
)
SELECT
    is_total,
    template,
    {{ metrics }}
FROM m;
