-- ingest/templates_rekey: the load's inferred events take their masked title's template key, set-based.
-- grain: statements.  columns: none
-- parameters: $load_id (the open load: its events hold their masked title), $all (true: a
-- rebuild, where every event holds its masked title).
UPDATE events e SET template = k.template
FROM template_titles k
WHERE e.template_source = 'title' AND (e.load_id = $load_id OR $all)
  AND e.template = k.masked AND k.template <> k.masked;
