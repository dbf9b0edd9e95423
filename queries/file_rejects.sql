-- file_rejects: the rejects of the file just committed, in line order.
-- grain: one row per rejected line.  parameters: none.  columns: file, line, column, reason
SELECT file, line, "column", reason FROM file_rejects ORDER BY line;
