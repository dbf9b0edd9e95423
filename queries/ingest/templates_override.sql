-- ingest/templates_override: titles an override of the config matches take its name, and leave inference.
-- grain: statements.  columns: none
-- parameters: $load_id (NULL: every load), $patterns and $names (the config's [[templates]]
-- match and name, in order: the first pattern that matches a title names it; RE2 syntax,
-- a search anywhere in the title). Only titles whose template is inferred; an explicit
-- template column or metadata.template stays.
UPDATE events e SET template = m.name, template_source = 'override'
FROM (
    SELECT title,
           $names[list_filter(range(1, len($patterns) + 1),
                              lambda i: regexp_matches(title, $patterns[i]))[1]] AS name
    FROM (SELECT DISTINCT title FROM events
          WHERE template_source = 'title' AND ($load_id IS NULL OR load_id = $load_id))
) m
WHERE m.name IS NOT NULL AND e.title = m.title AND e.template_source = 'title'
  AND ($load_id IS NULL OR e.load_id = $load_id);
