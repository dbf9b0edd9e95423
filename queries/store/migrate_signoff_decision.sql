-- store/migrate_signoff_decision: a sign-off carries a decision, the config it was made under, and its submit token.
-- grain: statements.  parameters: none.  Idempotent (IF NOT EXISTS); applied by db.migrate
-- to a version 2 database (store/migrate_signoff_chain.sql), which then records schema_version 3.
-- decision is 'approve' or 'reject' (NULL on sign-offs stored before: they approve nothing);
-- config_fingerprint is sha256 of the effective config (thresholds, waivers, conventions);
-- submit_token is the dashboard form's one-time token, so a double click or a rerun of the
-- same submit stores one row (the unique index refuses a second one; NULLs do not collide).
-- All three are in the row's hash when set (dashboard/signoff.py), so older rows still verify.
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS decision VARCHAR;
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS config_fingerprint VARCHAR;
ALTER TABLE signoffs ADD COLUMN IF NOT EXISTS submit_token VARCHAR;
CREATE UNIQUE INDEX IF NOT EXISTS signoffs_submit_token ON signoffs (submit_token);
