-- ingest/load_file_hash: the sha256 of one file of the open load, which keys its rejects.
-- grain: statement (one row into load_file_hashes).  parameters: $file_index, $content_hash.
-- columns: none
INSERT INTO load_file_hashes VALUES ($file_index, $content_hash);
