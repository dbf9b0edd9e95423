-- ingest/load_file_rejected: how many lines of one file of the open load were rejected.
-- grain: one row.  parameters: $file_index.  columns: rejected
-- ingest.py hashes a file's content only when it has rejects (ingest/load_file_hash.sql).
SELECT count(*) AS rejected FROM load_rejects WHERE file_index = $file_index;
