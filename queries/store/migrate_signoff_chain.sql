-- store/migrate_signoff_chain: sign-offs become tamper-evident and say how the signer was identified.
-- grain: statements.  parameters: none.  Idempotent (IF NOT EXISTS); applied by db.migrate
-- to a version 1 database (store/schema.sql), which then records schema_version 2.
-- row_hash = sha256(prev_hash || "\n" || canonical JSON of the row), computed by
-- dashboard/signoff.py; prev_hash is the previous row's row_hash (64 zeros for the first),
-- so an edited, inserted or deleted row breaks the chain (`template-noise signoffs verify`).
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS signer_email VARCHAR;  -- from the login, if any
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS identity VARCHAR;      -- 'typed' | 'oidc'
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS prev_hash VARCHAR;
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS row_hash VARCHAR;
-- Sign-offs stored before this migration have no hash and cannot be verified; the chain
-- starts at the next id (verify reports the older ones as unverifiable, not as tampered).
INSERT OR IGNORE INTO meta
SELECT 'signoff_chain_from', CAST(coalesce(max(signoff_id), 0) + 1 AS VARCHAR) FROM signoffs;
