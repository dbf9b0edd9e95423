-- load_reset: empty the per-load staging tables before a load.
-- grain: statements.  parameters: none.  columns: none
DROP TABLE IF EXISTS load_events;
CREATE OR REPLACE TEMP TABLE load_rejects (
    file VARCHAR, file_index INTEGER, line BIGINT, "column" VARCHAR, reason VARCHAR, raw VARCHAR
);
CREATE OR REPLACE TEMP TABLE load_files (file VARCHAR, file_index INTEGER);
