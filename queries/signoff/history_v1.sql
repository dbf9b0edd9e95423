-- signoff_history_v1: sign-offs of a version 1 database (before the hash chain), newest
-- first; read when a read-only snapshot of an older file cannot be migrated.
-- grain: one row per sign-off.  parameters: none.
-- columns: signoff_id, signed_at, name, role, status, notes, waivers, result, data_fingerprint
SELECT
    signoff_id,
    signed_at,
    name,
    role,
    status,
    notes,
    CAST(waivers AS VARCHAR) AS waivers,
    CAST(result AS VARCHAR) AS result,
    data_fingerprint
FROM signoffs
ORDER BY signoff_id DESC;
