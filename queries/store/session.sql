-- store/session: per-connection settings and the macros every query may use.
-- grain: statements.  parameters: none.  columns: none
SET TimeZone = 'UTC';

-- Timestamps: ISO-8601 with or without offset (none = UTC), or epoch milliseconds.
-- NULL when the text is none of these; callers turn that into a reject.
CREATE OR REPLACE TEMP MACRO tn_ts(s) AS (
    CASE
        WHEN s IS NULL THEN NULL
        WHEN regexp_full_match(s, '-?[0-9]{1,15}(\.0+)?')
            THEN make_timestamp(CAST(CAST(s AS DOUBLE) AS BIGINT) * 1000)
        ELSE try_cast(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC'
    END
);

-- A usable timestamp lies in the years 1970..2199; anything else is a typo or a sentinel.
CREATE OR REPLACE TEMP MACRO tn_ts_ok(t) AS (
    t IS NOT NULL AND t >= TIMESTAMP '1970-01-01' AND t < TIMESTAMP '2200-01-01'
);

-- Empty text counts as missing (CSV has no other way to say NULL).
CREATE OR REPLACE TEMP MACRO tn_text(s) AS (nullif(trim(s), ''));

-- A field given as text: the JSON value the text holds, else the text as a JSON string.
CREATE OR REPLACE TEMP MACRO tn_json_text(s) AS (
    CASE
        WHEN nullif(trim(s), '') IS NULL THEN NULL
        WHEN json_valid(s) THEN nullif(json(s), 'null'::JSON)
        ELSE to_json(s)
    END
);

-- A field given as nested JSON or as JSON text: the JSON value, or the text as a JSON string.
CREATE OR REPLACE TEMP MACRO tn_json_value(v) AS (
    CASE
        WHEN v IS NULL OR json_type(v) = 'NULL' THEN NULL
        WHEN json_type(v) <> 'VARCHAR' THEN v
        ELSE tn_json_text(json_extract_string(v, '$'))
    END
);

-- Template inferred from a title: variable parts become placeholders, so
-- "Unknown sign-in from 203.0.113.7" and "... from 198.51.100.2" are one template.
CREATE OR REPLACE TEMP MACRO tn_infer_template(title) AS (
    trim(regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(
    regexp_replace(title,
        'https?://[^\s]+', '{url}', 'g'),
        '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}', '{email}', 'g'),
        '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', '{uuid}', 'g'),
        '\b[0-9]{1,3}(\.[0-9]{1,3}){3}\b|\b[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){4,7}\b|[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{1,4})*::([0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4})*)?', '{ip}', 'g'),
        '(^|[\s(\[:=])("[^"]*"|''[^'']*''|“[^”]*”|‘[^’]*’|`[^`]*`)', '\1{q}', 'g'),
        '\b[A-Za-z]+[_-][A-Za-z0-9]*[0-9][A-Za-z0-9_-]*\b', '{id}', 'g'),
        '\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b', '{hex}', 'g'),
        '[0-9]+([.,][0-9]+)*', '{n}', 'g'),
        '\s+', ' ', 'g'))
);
