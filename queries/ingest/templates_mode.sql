-- ingest/templates_mode: the inference signature the stored templates were built with.
-- grain: one row.  parameters: none. signature: the rule's version and the config's
-- [[templates]] overrides as JSON; '' for a database of an older schema or never loaded.
-- columns: signature
SELECT coalesce((SELECT value FROM meta WHERE key = 'template_inference'), '') AS signature;
