-- ingest/templates_keys: store the template key the clustering gave each masked title whose key changed.
-- grain: statements.  columns: none
-- parameters: $masked, $template (lists of the same length: masked title i gets key i).
UPDATE template_titles t SET template = k.template
FROM (SELECT unnest($masked) AS masked, unnest($template) AS template) k
WHERE t.masked = k.masked;
