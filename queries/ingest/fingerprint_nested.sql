-- ingest/fingerprint_nested: the fingerprints ingest/normalize.sql left out, of the sent events
-- of one file whose metadata is not a flat object (nested values, keys json_tree quotes, not
-- an object): hash(title, body, the metadata's canonical hash), as normalize.sql computes for
-- the flat ones. Key order never matters: the canonical hash is that of the sorted list of
-- the metadata's paths, types and atoms (json_tree's rows). The body is the one the file
-- gives, so a redacted load (bodies dropped) still fingerprints by it.
-- grain: statement (UPDATE).  parameters: $load_id, $file.  columns: none
-- reads: temp view norm (ingest/normalize.sql) over the same file, still staged.
UPDATE events AS e
SET fingerprint = hash(n.title, n.body, n.metadata_hash)
FROM (
    SELECT g.line, any_value(g.title) AS title, any_value(g.body) AS body,
           hash(list_sort(list(t.fullkey || chr(31) || t.type || chr(31) || coalesce(t.atom::VARCHAR, ''))))
               AS metadata_hash
    FROM norm AS g, json_tree(g.metadata) AS t
    WHERE g.reject_reason IS NULL AND g.metadata IS NOT NULL AND g.dedup_key IS NULL
      AND (g.is_snapshot OR g.event_type = 'sent') AND NOT tn_flat_metadata(g.metadata)
    GROUP BY g.line
) AS n
WHERE e.load_id = $load_id AND e.source_file = $file AND e.event_type = 'sent'
  AND e.fingerprint IS NULL AND e.source_line = n.line;
