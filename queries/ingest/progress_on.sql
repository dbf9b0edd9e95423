-- ingest/progress_on: let a load report how far its long statements are (ingest.Step).
-- grain: statements.  parameters: none.  columns: none
-- DuckDB then tracks the progress of each statement for query_progress(), read from
-- another thread; it prints nothing itself (the caller decides what to show).
SET enable_progress_bar = true;
SET enable_progress_bar_print = false;
