-- store/migrate_watch: the tables `watch` keeps its alerts, its runs and its deliveries in.
-- grain: statements.  parameters: none.  Idempotent (IF NOT EXISTS); applied by db.migrate
-- to a version 4 database (store/migrate_reject_keys.sql), which then records schema_version 5.
-- watch_alerts = one row per incident (one template, one kind, for as long as it lasts):
--   alert_id is md5(template|kind|first hour)[:16], stable across reruns; last_hit_at is the
--   start of the latest hour that met the condition; resolved_at the end of that hour once
--   `resolve_after_hours` judged hours have passed without a hit (watch/apply.sql).
-- watch_runs = one row per `watch` run: the hours it judged ([since, until)); the next run
--   starts at the latest until.
-- watch_deliveries = one row per (alert, event, channel, target): 'sent' or 'failed' with
--   its attempts and last error; a failed one is tried again by the next `watch --notify`.
CREATE TABLE IF NOT EXISTS watch_alerts (
    alert_id     VARCHAR PRIMARY KEY,
    template     VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,      -- spike | drop | new_template | duplicate_surge | failure_surge | read_collapse
    status       VARCHAR NOT NULL,      -- open | resolved
    started_at   TIMESTAMP NOT NULL,    -- start of the first hour that met the condition
    last_hit_at  TIMESTAMP NOT NULL,    -- start of the latest such hour
    resolved_at  TIMESTAMP,             -- end of the latest such hour, once resolved
    detected_at  TIMESTAMP NOT NULL,    -- the earliest instant a run could see it
    observed     DOUBLE,                -- at the latest hit: count or rate (evidence says which)
    expected     DOUBLE,
    evidence     VARCHAR,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS watch_runs (
    ran_at   TIMESTAMP NOT NULL,
    as_of    TIMESTAMP NOT NULL,
    since    TIMESTAMP NOT NULL,
    until    TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS watch_deliveries (
    alert_id     VARCHAR NOT NULL,
    event        VARCHAR NOT NULL,      -- opened | resolved
    channel      VARCHAR NOT NULL,      -- wacht | webhook
    target       VARCHAR NOT NULL,      -- a Wacht user id, or the webhook's environment variable
    status       VARCHAR NOT NULL,      -- pending | sent | failed
    attempts     INTEGER NOT NULL,      -- HTTP attempts over every run
    last_error   VARCHAR,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (alert_id, event, channel, target)
);

-- watch_hourly = per template and hour, the counts watch/judge.sql reads (sent, failed,
--   duplicates, reads within the read horizon) for hours that can no longer change,
--   kept so the next run counts only the hours after them (watch/cache_store.sql);
-- watch_hourly_stamp = one row: what those counts were computed from (the latest load,
--   the settings that shape them, the run's as_of) and which hours they cover.
CREATE TABLE IF NOT EXISTS watch_hourly (
    template  VARCHAR NOT NULL,
    hour      TIMESTAMP NOT NULL,
    sent      BIGINT NOT NULL,
    failed    BIGINT NOT NULL,
    dups      BIGINT NOT NULL,
    reads     BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS watch_hourly_stamp (
    max_load_id     INTEGER NOT NULL,
    settings        VARCHAR NOT NULL,
    as_of           TIMESTAMP NOT NULL,
    hist_from       TIMESTAMP NOT NULL,
    complete_until  TIMESTAMP NOT NULL
);
