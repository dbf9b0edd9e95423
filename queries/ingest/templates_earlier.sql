-- ingest/templates_earlier: whether loads before the open one hold inferred or overridden titles (a rebuild then re-keys them).
-- grain: one row.  parameters: $load_id.
-- columns: earlier
SELECT EXISTS (SELECT 1 FROM events
               WHERE load_id <> $load_id AND template_source IN ('title', 'override'))
       AS earlier;
