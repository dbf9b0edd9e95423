-- ingest/load_rejects: the rejects of the current load, in file and line order.
-- grain: one row per rejected line.  parameters: none.  columns: file, line, column, reason
SELECT file, line, "column", reason FROM load_rejects ORDER BY file_index, line;
