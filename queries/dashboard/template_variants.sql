-- dashboard/template_variants: the distinct titles behind templates, with how they got their template (untrusted text).
-- grain: one row per template, title and source.  parameters: $template (NULL: every template).
-- Counts the `sent` events of each title (all loaded events, no window): what a person reads
-- to confirm an inferred template or write an override.
-- columns: template, source, title, sent
SELECT template,
       CASE template_source WHEN 'title' THEN 'inferred' ELSE template_source END AS source,
       title,
       count(*) AS sent
FROM events
WHERE event_type = 'sent' AND template IS NOT NULL
  AND ($template IS NULL OR template = $template)
GROUP BY ALL
ORDER BY template, sent DESC, title;
