-- ingest/stage_drop: free what staging one file took (stage_*.sql), once its events and rejects
-- are in `events` and load_rejects.
-- grain: statements.  parameters: none.  columns: none
DROP VIEW IF EXISTS stage_rows;
DROP TABLE IF EXISTS stage;
DROP TABLE IF EXISTS stage_raw;
