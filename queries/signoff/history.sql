-- signoff/history: every stored sign-off, newest first, with the columns its hash covers.
-- grain: one row per sign-off.  parameters: none.
-- A version 1 database (before the hash chain; a read-only snapshot that could not be
-- migrated) has no signer_email, identity, prev_hash or row_hash, and a version 2 one no
-- decision, config_fingerprint or submit_token: they are left out (signoff.history_frame
-- adds them back as NULL).
-- columns: signoff_id, signed_at, name, role, status, notes, waivers, result, data_fingerprint, signer_email, identity, prev_hash, row_hash, decision, config_fingerprint, submit_token
SELECT
    signoff_id,
    signed_at,
    name,
    role,
    status,
    notes,
    CAST(waivers AS VARCHAR) AS waivers,
    CAST(result AS VARCHAR) AS result,
    COLUMNS(lambda c: c IN ('data_fingerprint', 'signer_email', 'identity', 'prev_hash', 'row_hash',
                            'decision', 'config_fingerprint', 'submit_token'))
FROM signoffs
ORDER BY signoff_id DESC;
