-- signoff/by_token: the sign-off stored with a form's submit token, if any (a repeated submit).
-- grain: at most one row.
-- parameters: $submit_token (the one-time token the dashboard's form kept in its session).
-- columns: signoff_id
SELECT signoff_id
FROM signoffs
WHERE submit_token = $submit_token;
