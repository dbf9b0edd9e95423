-- signoff_history: every stored sign-off, newest first, with the columns its hash covers.
-- grain: one row per sign-off.  parameters: none.
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
    data_fingerprint,
    signer_email,
    identity,
    prev_hash,
    row_hash
FROM signoffs
ORDER BY signoff_id DESC;
