-- signoff/last: the newest sign-off's id and hash, which the next sign-off chains to.
-- grain: at most one row.  parameters: none.
-- columns: signoff_id, row_hash
SELECT signoff_id, row_hash
FROM signoffs
ORDER BY signoff_id DESC
LIMIT 1;
