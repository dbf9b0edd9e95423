-- load_reset: empty the per-load staging tables before a load.
-- grain: statements.  parameters: none.  columns: none
-- load_events = the load's normalised events (normalize.sql adds each file's), with the
-- columns of `events` plus the file's position in the load.
CREATE OR REPLACE TEMP TABLE load_events AS
SELECT *, 0 AS file_index FROM events LIMIT 0;
CREATE OR REPLACE TEMP TABLE load_rejects (
    file VARCHAR, file_index INTEGER, line BIGINT, "column" VARCHAR, reason VARCHAR, raw VARCHAR
);
CREATE OR REPLACE TEMP TABLE load_files (file VARCHAR, file_index INTEGER);
