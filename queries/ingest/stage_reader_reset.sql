-- ingest/stage_reader_reset: empty the reader's reject tables before the next file.
-- grain: statements.  parameters: none.  columns: none
DROP TABLE IF EXISTS tn_reader_errors;
DROP TABLE IF EXISTS tn_reader_scans;
CREATE OR REPLACE TEMP TABLE stage_reader_rejects (line BIGINT, reason VARCHAR, "column" VARCHAR, raw VARCHAR);
