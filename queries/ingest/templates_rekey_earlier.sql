-- ingest/templates_rekey_earlier: events of earlier loads whose template merged into another take the new key, set-based.
-- grain: statements; returns the number of events re-keyed (the UPDATE's count).
-- parameters: $load_id (the open load, already keyed), $old_keys (the keys some masked title
-- left: only events carrying one of them are read, and their titles masked again).
-- columns: rekeyed
UPDATE events e SET template = k.template
FROM template_titles k
WHERE e.template_source = 'title' AND e.load_id <> $load_id
  AND list_contains($old_keys, e.template)
  AND tn_infer_template(e.title) = k.masked AND e.template <> k.template;
