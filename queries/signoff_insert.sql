-- signoff_insert: append one release owner's sign-off (never updates or deletes).
-- grain: one row (the stored sign-off).
-- parameters: $signed_at, $signer_name, $signer_role, $notes, $waivers (JSON text), $status,
--             $result (JSON text), $data_fingerprint.
-- columns: signoff_id, signed_at
INSERT INTO signoffs
    (signoff_id, signed_at, name, role, notes, waivers, status, result, data_fingerprint)
SELECT
    coalesce(max(signoff_id), 0) + 1,
    CAST($signed_at AS TIMESTAMP),
    $signer_name,
    $signer_role,
    $notes,
    CAST($waivers AS JSON),
    $status,
    CAST($result AS JSON),
    $data_fingerprint
FROM signoffs
RETURNING signoff_id, signed_at;
