-- signoff/insert: append one release owner's sign-off (never updates or deletes).
-- grain: one row (the stored sign-off).
-- parameters: $signoff_id (the last id + 1: a concurrent sign-off makes this one fail on
--             the primary key, and the caller retries with the new last row), $signed_at,
--             $signer_name, $signer_role, $signer_email, $identity, $notes, $waivers (JSON
--             text), $status, $result (JSON text), $data_fingerprint, $prev_hash, $row_hash,
--             $decision ('approve' | 'reject' | NULL), $config_fingerprint, $submit_token.
-- columns: signoff_id, signed_at
INSERT INTO signoffs
    (signoff_id, signed_at, name, role, notes, waivers, status, result, data_fingerprint,
     signer_email, identity, prev_hash, row_hash, decision, config_fingerprint, submit_token)
VALUES (
    $signoff_id,
    CAST($signed_at AS TIMESTAMP),
    $signer_name,
    $signer_role,
    $notes,
    CAST($waivers AS JSON),
    $status,
    CAST($result AS JSON),
    $data_fingerprint,
    $signer_email,
    $identity,
    $prev_hash,
    $row_hash,
    $decision,
    $config_fingerprint,
    $submit_token
)
RETURNING signoff_id, signed_at;
