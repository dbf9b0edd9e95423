-- dashboard/template_list: every template with where it came from, its volume, its distinct titles and up to five of them.
-- grain: one row per template, busiest first.  parameters: none.
-- source: the way most of its events got it ('column', 'metadata', 'inferred', 'override');
-- sent: `sent` events; variants: distinct titles; examples: the five most sent titles.
-- columns: template, source, sent, variants, examples
WITH v AS (
    SELECT template,
           CASE template_source WHEN 'title' THEN 'inferred' ELSE template_source END AS source,
           title, count(*) AS sent
    FROM events
    WHERE event_type = 'sent' AND template IS NOT NULL
    GROUP BY ALL
)
SELECT template,
       arg_max(source, {'sent': sent, 'source': source}) AS source,
       sum(sent)::BIGINT AS sent,
       count(DISTINCT title) AS variants,
       (list(title ORDER BY sent DESC, title) FILTER (title IS NOT NULL))[1:5] AS examples
FROM v
GROUP BY template
ORDER BY sent DESC, template;
