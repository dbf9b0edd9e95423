-- ingest/templates_stored: the pooled evidence of every masked title, to cluster.
-- grain: one row per masked title (template_titles), sorted.  parameters: none.
-- columns: masked, severities, metadata_keys, ctas, frame, template
SELECT masked, severities, metadata_keys, ctas, frame, template
FROM template_titles
ORDER BY masked;
