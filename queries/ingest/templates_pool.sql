-- ingest/templates_pool: pool the evidence beside the inferred titles of one load (or of every load) into template_titles.
-- grain: statements; template_titles = one row per masked title.  columns: none
-- parameters: $load_id (NULL: every load, a rebuild). The events pooled still hold their
-- masked title as template (ingest/normalize.sql; ingest/templates_reset.sql for a rebuild).
-- Per masked title: severities, metadata keys and CTA labels as sorted unions; the frame as
-- the body tokens (split on white space) every body holds, kept when they are skeleton
-- words: a lowercase first letter and no typed value (tn_infer_template leaves them as they
-- are); none when a body is missing. template_noise.inference.evidence pools the same way.
-- The frame is found without splitting every body into rows: the candidates are the
-- skeleton words of one body (the least), and a body drops those it lacks. Union and
-- intersection ignore order and repetition, so a load folded into what is stored gives what
-- pooling every load at once gives.
CREATE OR REPLACE TEMP TABLE template_pool AS
WITH per_title AS (
    SELECT template AS masked,
           coalesce(list_sort(list(DISTINCT severity) FILTER (severity IS NOT NULL)), []::VARCHAR[])
               AS severities,
           list_sort(list_distinct(flatten(list(DISTINCT
               CASE WHEN json_type(metadata) = 'OBJECT' THEN json_keys(metadata) ELSE []::VARCHAR[] END))))
               AS metadata_keys,
           list_sort(list_distinct(flatten(list(DISTINCT
               coalesce(list_filter(json_extract_string(ctas, '$[*].label'), lambda l: l IS NOT NULL),
                        []::VARCHAR[]))))) AS ctas,
           bool_or(body IS NULL) AS no_body,
           min(body) AS rep
    FROM events
    WHERE template_source = 'title' AND template <> ''
      AND ($load_id IS NULL OR load_id = $load_id)
    GROUP BY template
),
candidates AS (
    SELECT masked,
           list_filter(list_distinct(string_split_regex(rep, '\s+')),
                       lambda t: regexp_matches(t, '^[a-z]') AND tn_infer_template(t) = t) AS cands
    FROM per_title
    WHERE NOT no_body
),
missing AS (
    -- Candidate tokens some body lacks. A body whose space-separated pieces hold every
    -- candidate holds each as a token (a candidate has no white space); only the others
    -- are split on any white space.
    SELECT masked,
           list_distinct(flatten(list(list_filter(cands, lambda t: NOT list_contains(
               string_split_regex(body, '\s+'), t))))) AS gone
    FROM (SELECT e.template AS masked, e.body, c.cands
          FROM events e JOIN candidates c ON c.masked = e.template
          WHERE e.template_source = 'title' AND ($load_id IS NULL OR e.load_id = $load_id)
            AND NOT list_has_all(string_split(e.body, ' '), c.cands))
    GROUP BY masked
)
SELECT p.masked, p.severities, p.metadata_keys, p.ctas,
       coalesce(list_sort(list_filter(c.cands, lambda t: NOT list_contains(coalesce(m.gone, []::VARCHAR[]), t))), []::VARCHAR[]) AS frame
FROM per_title p
LEFT JOIN candidates c ON c.masked = p.masked
LEFT JOIN missing m ON m.masked = p.masked;

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
