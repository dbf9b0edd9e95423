-- store/migrate_template_inference: the evidence of every inferred title, pooled per masked title, and its template.
-- grain: statements.  parameters: none.  Idempotent (IF NOT EXISTS); applied by db.migrate
-- to a version 5 database (store/migrate_watch.sql), which then records schema_version 6.
-- template_titles = one row per masked title (tn_infer_template of a title whose template
-- is inferred): what its notifications say beside the title, pooled so that it ignores
-- order and repetition (sets are unions, the body frame an intersection), and the template
-- key the clustering gave it (template_noise.inference; NULL until the load that brought it
-- has clustered). The ingest pools each load into it and clusters these rows, never events.
-- A database migrated with events already stored gets its rows at its next ingest
-- (meta.template_inference is unset, so that ingest rebuilds them from every event).
CREATE TABLE IF NOT EXISTS template_titles (
    masked         VARCHAR NOT NULL,
    severities     VARCHAR[] NOT NULL,   -- every severity sent, sorted
    metadata_keys  VARCHAR[] NOT NULL,   -- every top-level metadata key, sorted
    ctas           VARCHAR[] NOT NULL,   -- every CTA label, sorted
    frame          VARCHAR[] NOT NULL,   -- lowercase body words every body shares, sorted
    template       VARCHAR               -- the key its events carry
);
