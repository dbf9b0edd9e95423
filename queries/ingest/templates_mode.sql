-- ingest/templates_mode: whether the load's template inference can fold into what is stored, or must rebuild it.
-- grain: one row.  parameters: $load_id, $signature (the inference rule's version and the
-- config's [[templates]] overrides, as JSON). rebuild is true when earlier loads hold
-- inferred or overridden titles and the stored signature differs: a database of an older
-- schema, or other overrides.
-- columns: rebuild
SELECT coalesce((SELECT value FROM meta WHERE key = 'template_inference'), '') <> $signature
       AND EXISTS (SELECT 1 FROM events
                   WHERE load_id <> $load_id AND template_source IN ('title', 'override'))
       AS rebuild;
