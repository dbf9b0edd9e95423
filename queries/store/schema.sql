-- store/schema: the tables every other query reads; created once per database.
-- grain: events = one row per distinct event (keyed by event_id); rejects = one row per
--        unusable input line; loads = one row per ingest run; meta = key/value settings.
-- parameters: none.  Idempotent (IF NOT EXISTS); the version lives in meta.schema_version.
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
    event_id          VARCHAR NOT NULL,   -- given, or md5 of the normalised row
    event_type        VARCHAR NOT NULL,
    occurred_at       TIMESTAMP NOT NULL, -- UTC
    notification_id   VARCHAR,
    user_id           VARCHAR,
    organization_id   VARCHAR,
    workspace_id      VARCHAR,
    template          VARCHAR,            -- explicit, metadata.template or inferred from title
    template_source   VARCHAR,            -- 'column' | 'metadata' | 'title'
    title             VARCHAR,
    body              VARCHAR,
    severity          VARCHAR,            -- as sent, lower-cased; NULL = unset
    ctas              JSON,               -- normalised array of {label, payload}
    cta_count         INTEGER,
    metadata          JSON,               -- as sent; may be a non-object (reported as invalid)
    fingerprint       UBIGINT,            -- hash(dedup_key) or hash(title, body, canonical metadata)
    expires_hours     DOUBLE,
    expires_at        TIMESTAMP,          -- explicit expires_at only; hours are applied in metrics
    dedup_key         VARCHAR,
    attempt           INTEGER,
    error             VARCHAR,
    connection_id     VARCHAR,
    used_expires_in_hours BOOLEAN,        -- payload conventions (reported, never rejected)
    cta_url_alias     BOOLEAN,
    action_url_with_ctas BOOLEAN,
    source_file       VARCHAR NOT NULL,
    source_line       BIGINT NOT NULL,
    load_id           INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rejects (
    file        VARCHAR NOT NULL,
    line        BIGINT NOT NULL,
    "column"    VARCHAR,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR,
    load_id     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS loads (
    load_id         INTEGER PRIMARY KEY,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    files           VARCHAR[] NOT NULL,
    events_loaded   BIGINT,
    events_already_present BIGINT,
    rejected        BIGINT
);

CREATE TABLE IF NOT EXISTS signoffs (
    signoff_id   INTEGER PRIMARY KEY,
    signed_at    TIMESTAMP NOT NULL,
    name         VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,
    notes        VARCHAR,
    waivers      JSON,
    status       VARCHAR NOT NULL,
    result       JSON NOT NULL,
    data_fingerprint VARCHAR NOT NULL
);
