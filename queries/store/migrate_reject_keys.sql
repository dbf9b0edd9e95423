-- store/migrate_reject_keys: rejects are keyed by the content of their file, and loads keep the names users gave.
-- grain: statements.  parameters: none.  Idempotent (IF NOT EXISTS); applied by db.migrate
-- to a version 3 database (store/migrate_signoff_decision.sql), which then records
-- schema_version 4.
-- content_hash: sha256 of the bytes of the file a reject came from (dashboard/ingest.py), so
-- the same line of the same file content is one reject whatever path or upload brought it
-- (an upload lands at a new temporary path each time). Rejects stored before this migration
-- keep NULL and stay as they were (ingest/load_commit.sql still matches them by file, line
-- and reason).
ALTER TABLE rejects ADD COLUMN IF NOT EXISTS content_hash VARCHAR;
