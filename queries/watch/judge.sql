-- watch/judge: every hour in which a template met an incident condition, into the temp table watch_hits.
-- grain: statements; watch_hits holds one row per (template, kind, hour) that met its
--        condition, for the hours this run judges: [$since, $until) for every kind but
--        read_collapse, which judges [$since, $until) shifted back by $read_lag_hours
--        (its reads need $read_horizon_minutes to happen).
-- needs: queries/metrics/macros.sql run on the same cursor (tn_notifications: the one
--   definition of a notification: created, failed, duplicate, read).
-- parameters: $since, $until (whole UTC hours), $as_of, $cached_before, $default_expiry_days,
--   $dedup_window_minutes, and the [watch] settings of the config (dashboard/defaults.toml):
--   $baseline_days, $min_samples, $min_volume, $spike_ratio, $spike_z, $drop_ratio,
--   $drop_z, $drop_min_expected, $read_min_volume, $platform_min_expected, $platform_silence,
--   $new_template_min_volume,
--   $new_template_hours, $rate_ratio, $rate_z, $rate_min_count, $rate_floor,
--   $duplicate_threshold, $failure_threshold, $read_ratio, $read_min_baseline,
--   $read_horizon_minutes, $read_lag_hours.
-- columns: none (watch_hits: template, kind, hour, observed, expected, evidence;
--   watch_hourly_now: template, hour, sent, failed, dups, reads)
-- The statistics (docs/watch.md): a template's hourly counts are judged against the same
-- hour of day on the same kind of day (weekday / weekend) over the $baseline_days before:
-- the median of those hours is the expected level and 1.4826 x their MAD (not below the
-- Poisson sqrt(expected), nor 1) its spread. Hours before a template's first send are not
-- samples. A quiet day for the whole platform (a holiday) is not a template's drop: each
-- hour's platform factor is the median over templates of observed / expected, and a drop
-- is judged against expected x min(factor, 1), a spike against expected x max(factor, 1)
-- (a factor under $platform_silence is an outage, not a holiday: it counts as 1).
-- Rates (duplicates, failures, reads) are judged against the template's pooled rate over
-- the same sample hours with a binomial z-score (its variance widened by 1 + n / N, the
-- uncertainty of a rate pooled over N sends), a ratio and a floor count.
-- The hourly counts: hours before $cached_before come from watch_hourly (stored by the
-- previous run, watch/cache_store.sql; NULL: none are reused), the others are counted from
-- the notifications (a one-day append then reads one day, not the whole baseline).
CREATE OR REPLACE TEMP TABLE watch_hourly_now AS
WITH k AS (
    SELECT
        -- the oldest hour read: the baseline of the earliest judged hour, and the first
        -- send of a template still new in this run
        CAST($since AS TIMESTAMP)
            - to_hours(CAST($read_lag_hours AS BIGINT) + CAST($new_template_hours AS BIGINT))
            - to_days(CAST($baseline_days AS BIGINT)) AS k_hist,
        CAST($cached_before AS TIMESTAMP) AS k_cached
)
SELECT c.template, c.hour, c.sent, c.failed, c.dups, c.reads
FROM watch_hourly AS c, k
WHERE c.hour >= k.k_hist AND c.hour < k.k_cached
UNION ALL
SELECT template, make_timestamp(hour_n * 3600000000) AS hour, sent, failed, dups, reads
FROM (
    SELECT
        n.template,
        -- the hour as an integer (date_trunc on every row cost 0.4 s at 10M notifications)
        epoch_us(n.window_at) // 3600000000 AS hour_n,
        count_if(n.created) AS sent,
        count_if(n.failed) AS failed,
        count_if(n.created AND coalesce(epoch_us(n.created_at) - epoch_us(n.prev_created_at)
                 <= CAST($dedup_window_minutes AS BIGINT) * 60000000, false)) AS dups,
        count_if(n.created AND coalesce(epoch_us(n.read_at) - epoch_us(n.created_at)
                 <= CAST($read_horizon_minutes AS BIGINT) * 60000000, false)) AS reads
    FROM tn_notifications(p_as_of := $as_of, p_default_expiry_days := $default_expiry_days) AS n,
         k
    WHERE n.window_at >= greatest(k.k_hist, coalesce(k.k_cached, k.k_hist))
      AND n.window_at < CAST($until AS TIMESTAMP)
    GROUP BY ALL
) AS h;

CREATE OR REPLACE TEMP TABLE watch_hits AS
WITH k AS (
    SELECT
        CAST($since AS TIMESTAMP) AS k_since,
        CAST($until AS TIMESTAMP) AS k_until,
        to_hours(CAST($read_lag_hours AS BIGINT)) AS k_lag,
        to_hours(CAST($new_template_hours AS BIGINT)) AS k_new,
        CAST($since AS TIMESTAMP)
            - to_hours(CAST($read_lag_hours AS BIGINT) + CAST($new_template_hours AS BIGINT))
            - to_days(CAST($baseline_days AS BIGINT)) AS k_hist
),
hourly AS (
    SELECT * FROM watch_hourly_now
),
first_seen AS (
    SELECT template, min(hour) AS first_hour FROM hourly GROUP BY template
),
data_start AS (
    -- a template is new only where the data reaches $baseline_days before its first send
    SELECT min(first_hour) AS k_data_start FROM first_seen
),
hours AS (
    SELECT unnest(generate_series(k_hist, k_until - INTERVAL 1 HOUR, INTERVAL 1 HOUR)) AS hour
    FROM k
),
grid AS (
    -- every hour from the template's first send on, silent hours as zeros
    SELECT
        f.template, h.hour, f.first_hour,
        hour(h.hour) AS hod,
        isodow(h.hour) >= 6 AS weekend,
        date_trunc('day', h.hour) AS day,
        coalesce(c.sent, 0) AS sent,
        coalesce(c.failed, 0) AS failed,
        coalesce(c.dups, 0) AS dups,
        coalesce(c.reads, 0) AS reads,
        sum(coalesce(c.sent, 0)) OVER (PARTITION BY f.template ORDER BY h.hour) AS cum_sent
    FROM first_seen AS f
    JOIN hours AS h ON h.hour >= f.first_hour
    LEFT JOIN hourly AS c ON c.template = f.template AND c.hour = h.hour
),
targets AS (
    SELECT g.* FROM grid AS g, k WHERE g.hour >= k.k_since - k.k_lag
),
base AS (
    SELECT
        t.template, t.hour,
        count(s.hour) AS samples,
        coalesce(median(CAST(s.sent AS DOUBLE)), 0) AS base_sent,
        coalesce(mad(CAST(s.sent AS DOUBLE)), 0) AS mad_sent,
        coalesce(sum(s.sent), 0) AS b_sent,
        coalesce(sum(s.failed), 0) AS b_failed,
        coalesce(sum(s.dups), 0) AS b_dups,
        coalesce(sum(s.reads), 0) AS b_reads
    FROM targets AS t
    LEFT JOIN grid AS s
      ON s.template = t.template AND s.hod = t.hod AND s.weekend = t.weekend
     AND s.day < t.day AND s.day >= t.day - to_days(CAST($baseline_days AS BIGINT))
    GROUP BY t.template, t.hour
),
judged AS (
    SELECT t.*, b.* EXCLUDE (template, hour)
    FROM targets AS t JOIN base AS b USING (template, hour)
),
platform AS (
    -- a platform all but silent (below $platform_silence of its level) is not a holiday:
    -- every template's drop is then judged against its own level
    SELECT hour,
           CASE WHEN count(*) >= 3 AND median(sent / base_sent) >= $platform_silence
                THEN median(sent / base_sent) END AS factor
    FROM judged
    WHERE samples >= $min_samples AND base_sent >= $platform_min_expected
    GROUP BY hour
),
scored AS (
    SELECT
        j.*,
        coalesce(p.factor, 1.0) AS factor,
        j.base_sent * greatest(coalesce(p.factor, 1.0), 1.0) AS exp_hi,
        j.base_sent * least(coalesce(p.factor, 1.0), 1.0) AS exp_lo,
        -- the spread of an hour around a median of n like hours: that median's own
        -- uncertainty (pi / 2n of the variance) widens it, so a few samples judge mildly
        greatest(1.4826 * j.mad_sent * greatest(coalesce(p.factor, 1.0), 1.0),
                 sqrt(j.base_sent * greatest(coalesce(p.factor, 1.0), 1.0)), 1.0)
            * sqrt(1 + pi() / (2 * greatest(j.samples, 1))) AS scale_hi,
        greatest(1.4826 * j.mad_sent * least(coalesce(p.factor, 1.0), 1.0),
                 sqrt(j.base_sent * least(coalesce(p.factor, 1.0), 1.0)), 1.0)
            * sqrt(1 + pi() / (2 * greatest(j.samples, 1))) AS scale_lo,
        CASE WHEN j.b_sent > 0 THEN j.b_dups / j.b_sent ELSE 0 END AS p_dup,
        CASE WHEN j.b_sent + j.b_failed > 0 THEN j.b_failed / (j.b_sent + j.b_failed)
             ELSE 0 END AS p_fail,
        CASE WHEN j.b_sent > 0 THEN j.b_reads / j.b_sent END AS p_read
    FROM judged AS j LEFT JOIN platform AS p USING (hour)
),
rated AS (
    SELECT
        s.*,
        greatest(p_dup, CAST($rate_floor AS DOUBLE)) AS q_dup,
        greatest(p_fail, CAST($rate_floor AS DOUBLE)) AS q_fail,
        (s.sent - s.exp_hi) / s.scale_hi AS z_hi,
        (s.exp_lo - s.sent) / s.scale_lo AS z_lo
    FROM scored AS s
)
SELECT template, 'spike' AS kind, hour, CAST(sent AS DOUBLE) AS observed, exp_hi AS expected,
       format('{} sent in the hour against {} expected (median of {} like hours); z {}',
              sent, round(exp_hi, 1), samples, round(z_hi, 1)) AS evidence
FROM rated, k
WHERE hour >= k_since AND samples >= $min_samples AND sent >= $min_volume
  AND sent >= $spike_ratio * exp_hi AND z_hi >= $spike_z
UNION ALL
SELECT template, 'drop', hour, CAST(sent AS DOUBLE), exp_lo,
       format('{} sent in the hour against {} expected (median of {} like hours, platform at {}%); z {}',
              sent, round(exp_lo, 1), samples, CAST(round(100 * least(factor, 1.0)) AS INTEGER), round(z_lo, 1))
FROM rated, k
WHERE hour >= k_since AND samples >= $min_samples AND exp_lo >= $drop_min_expected
  AND sent <= $drop_ratio * exp_lo AND z_lo >= $drop_z
UNION ALL
SELECT template, 'new_template', hour, CAST(cum_sent AS DOUBLE), 0.0,
       format('first sent at {}; {} sent since, none in the {} days before',
              strftime(first_hour, '%Y-%m-%d %H:00'), cum_sent, CAST($baseline_days AS INTEGER))
FROM rated, k, data_start
WHERE hour >= k_since AND first_hour >= k_hist + to_days(CAST($baseline_days AS BIGINT))
  AND k_data_start <= first_hour - to_days(CAST($baseline_days AS BIGINT))
  AND hour < first_hour + k_new AND cum_sent >= $new_template_min_volume
UNION ALL
SELECT template, 'duplicate_surge', hour, dups / sent, p_dup,
       format('{} of {} sent in the hour were duplicates ({}%) against {}% normally',
              dups, sent, round(100 * dups / sent, 1), round(100 * p_dup, 2))
FROM rated, k
WHERE hour >= k_since AND samples >= $min_samples AND sent >= $min_volume
  AND dups >= $rate_min_count AND dups / sent > $duplicate_threshold
  AND dups / sent >= $rate_ratio * p_dup
  AND (dups - sent * q_dup) / sqrt(sent * q_dup * (1 - q_dup) * (1 + sent / b_sent)) >= $rate_z
UNION ALL
SELECT template, 'failure_surge', hour, failed / (sent + failed), p_fail,
       format('{} of {} sends in the hour failed ({}%) against {}% normally',
              failed, sent + failed, round(100 * failed / (sent + failed), 1),
              round(100 * p_fail, 2))
FROM rated, k
WHERE hour >= k_since AND samples >= $min_samples AND sent + failed >= $min_volume
  AND failed >= $rate_min_count AND failed / (sent + failed) > $failure_threshold
  AND failed / (sent + failed) >= $rate_ratio * p_fail
  AND (failed - (sent + failed) * q_fail)
      / sqrt((sent + failed) * q_fail * (1 - q_fail) * (1 + (sent + failed) / (b_sent + b_failed)))
      >= $rate_z
UNION ALL
SELECT template, 'read_collapse', hour, reads / sent, p_read,
       format('{} of {} sent in the hour were read within {} minutes ({}%) against {}% normally',
              reads, sent, CAST($read_horizon_minutes AS INTEGER), round(100 * reads / sent, 1),
              round(100 * p_read, 1))
FROM rated, k
WHERE hour >= k_since - k_lag AND hour < k_until - k_lag
  AND samples >= $min_samples AND sent >= $read_min_volume
  AND p_read >= $read_min_baseline AND p_read < 1
  AND reads / sent <= $read_ratio * p_read
  AND (sent * p_read - reads) / sqrt(sent * p_read * (1 - p_read) * (1 + sent / b_sent))
      >= $rate_z;
