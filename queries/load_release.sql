-- load_release: free the load's staged events once load_commit.sql has added them to
-- `events` (at 10M notifications they hold gigabytes the state refresh can use).
-- grain: statements.  parameters: none.  columns: none
DROP TABLE IF EXISTS load_events;
DROP TABLE IF EXISTS load_repeats;
DROP TABLE IF EXISTS load_present;
