-- ingest/templates_reset: every inferred or overridden event back to its masked title, and no pooled evidence: a rebuild.
-- grain: statements.  parameters: $load_id (its events already hold their masked title).
-- columns: none
UPDATE events SET template = tn_infer_template(title), template_source = 'title'
WHERE template_source IN ('title', 'override') AND load_id <> $load_id;
DELETE FROM template_titles;
