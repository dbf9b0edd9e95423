-- dashboard/reject_reasons: why lines were rejected, most frequent reason first.
-- grain: one row per reason.  parameters: none.
-- columns: reason, rejects, files
SELECT reason, count(*) AS rejects, count(DISTINCT file) AS files
FROM rejects
GROUP BY reason
ORDER BY rejects DESC, reason;
