-- signoff/history: every stored sign-off, newest first, with the columns its hash covers.
-- grain: one row per sign-off.  parameters: none.
-- A version 1 database (before the hash chain; a read-only snapshot that could not be
-- migrated) has no signer_email, identity, prev_hash or row_hash: they are left out.
-- columns: signoff_id, signed_at, name, role, status, notes, waivers, result, data_fingerprint, signer_email, identity, prev_hash, row_hash
SELECT
    signoff_id,
    signed_at,
    name,
    role,
    status,
    notes,
    CAST(waivers AS VARCHAR) AS waivers,
    CAST(result AS VARCHAR) AS result,
    COLUMNS(lambda c: c IN ('data_fingerprint', 'signer_email', 'identity', 'prev_hash', 'row_hash'))
FROM signoffs
ORDER BY signoff_id DESC;
