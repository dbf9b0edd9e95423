-- ingest/templates_pool: pool the evidence beside the inferred titles of one load (or of every load) into template_titles.
-- grain: statements; template_titles = one row per masked title.  columns: none
-- parameters: $load_id (NULL: every load, a rebuild). The events pooled still hold their
-- masked title as template (ingest/normalize.sql; ingest/templates_reset.sql for a rebuild).
-- Distinct shapes first (masked title, severity, key set, CTA labels, body), then per masked
-- title: severities, metadata keys and CTA labels as sorted unions; the frame as the body
-- tokens every body holds (split on white space), kept when they are skeleton words: a
-- lowercase first letter and no typed value (tn_infer_template leaves them as they are);
-- none when a body is missing. template_noise.inference.evidence pools the same way.
-- Union and intersection ignore order and repetition, so a load folded into what is stored
-- gives what pooling every load at once gives.
CREATE OR REPLACE TEMP TABLE template_pool AS
WITH shapes AS MATERIALIZED (
    SELECT template AS masked, severity,
           CASE WHEN json_type(metadata) = 'OBJECT' THEN json_keys(metadata)
                ELSE []::VARCHAR[] END AS keys,
           coalesce(list_filter(json_extract_string(ctas, '$[*].label'), lambda l: l IS NOT NULL),
                    []::VARCHAR[]) AS labels,
           body
    FROM events
    WHERE template_source = 'title' AND template <> ''
      AND ($load_id IS NULL OR load_id = $load_id)
    GROUP BY ALL
),
per_title AS (
    SELECT masked,
           coalesce(list_sort(list(DISTINCT severity) FILTER (severity IS NOT NULL)), []::VARCHAR[])
               AS severities,
           list_sort(list_distinct(flatten(list(keys)))) AS metadata_keys,
           list_sort(list_distinct(flatten(list(labels)))) AS ctas,
           count(DISTINCT body) AS bodies,
           bool_or(body IS NULL) AS no_body
    FROM shapes
    GROUP BY masked
),
shared AS (
    -- per masked title and lowercase token: how many of its distinct bodies hold it
    SELECT masked, token, count(*) AS bodies
    FROM (SELECT masked, unnest(list_distinct(string_split_regex(body, '\s+'))) AS token
          FROM (SELECT DISTINCT masked, body FROM shapes WHERE body IS NOT NULL))
    WHERE regexp_matches(token, '^[a-z]')
    GROUP BY masked, token
),
frames AS (
    -- the tokens every body holds; only those are masked, to leave out typed values
    SELECT s.masked, list_sort(list(s.token) FILTER (tn_infer_template(s.token) = s.token)) AS frame
    FROM shared s
    JOIN per_title p ON p.masked = s.masked AND p.bodies = s.bodies AND NOT p.no_body
    GROUP BY s.masked
)
SELECT p.masked, p.severities, p.metadata_keys, p.ctas, coalesce(f.frame, []::VARCHAR[]) AS frame
FROM per_title p
LEFT JOIN frames f ON f.masked = p.masked;

UPDATE template_titles t
SET severities = list_sort(list_distinct(list_concat(t.severities, p.severities))),
    metadata_keys = list_sort(list_distinct(list_concat(t.metadata_keys, p.metadata_keys))),
    ctas = list_sort(list_distinct(list_concat(t.ctas, p.ctas))),
    frame = list_sort(list_intersect(t.frame, p.frame))
FROM template_pool p
WHERE t.masked = p.masked;

INSERT INTO template_titles (masked, severities, metadata_keys, ctas, frame, template)
SELECT p.masked, p.severities, p.metadata_keys, p.ctas, p.frame, NULL
FROM template_pool p
WHERE NOT EXISTS (SELECT 1 FROM template_titles t WHERE t.masked = p.masked);

DROP TABLE template_pool;
