-- dashboard/rejects: rejected input lines with their reasons, newest load first.
-- grain: one row per rejected line.  parameters: $limit.
-- columns: load_id, file, line, column, reason, raw
SELECT load_id, file, line, "column", reason, left(raw, 500) AS raw
FROM rejects
ORDER BY load_id DESC, file, line
LIMIT $limit;
