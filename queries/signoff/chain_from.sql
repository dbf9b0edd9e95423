-- signoff/chain_from: the first sign-off id covered by the hash chain (older rows were
-- signed before schema v2 and carry no hash).
-- grain: one row.  parameters: none.
-- columns: chain_from
SELECT coalesce(
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'signoff_chain_from'), 1
) AS chain_from;
