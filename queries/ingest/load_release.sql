-- ingest/load_release: free what de-duplicating the load took, before the state refresh.
-- grain: statements.  parameters: none.  columns: none
DROP TABLE IF EXISTS load_repeats;
DROP TABLE IF EXISTS load_present;
DROP TABLE IF EXISTS load_dropped;
