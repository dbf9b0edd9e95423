-- ingest/templates_signature: record the inference signature the stored templates were built with.
-- grain: statements.  parameters: $signature.  columns: none
INSERT OR REPLACE INTO meta (key, value) VALUES ('template_inference', $signature);
