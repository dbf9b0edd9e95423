-- ingest/load_reset: empty the per-load staging tables before a load.
-- grain: statements.  parameters: none.  columns: none
-- The load's events go straight into `events` (ingest/normalize.sql); only its rejects and files
-- are kept here: load_files.events_given = the events the file's lines yield, repeats
-- included (what ingest/load_commit.sql reports as already present is the difference).
CREATE OR REPLACE TEMP TABLE load_rejects (
    file VARCHAR, file_index INTEGER, line BIGINT, "column" VARCHAR, reason VARCHAR, raw VARCHAR
);
CREATE OR REPLACE TEMP TABLE load_files (file VARCHAR, file_index INTEGER, events_given BIGINT);
-- sha256 of each file that has rejects (ingest/load_file_hash.sql): what keys its rejects.
CREATE OR REPLACE TEMP TABLE load_file_hashes (file_index INTEGER, content_hash VARCHAR);
-- The rows ingest/load_drop.sql removed (none unless it runs).
CREATE OR REPLACE TEMP TABLE load_dropped (row_id BIGINT, source_file VARCHAR);
-- Filled by ingest/load_repeats.sql and load_present*.sql (the latter only when earlier loads
-- stored events).
CREATE OR REPLACE TEMP TABLE load_repeats (event_id VARCHAR, keep STRUCT(file VARCHAR, line BIGINT));
CREATE OR REPLACE TEMP TABLE load_present (event_id VARCHAR);
