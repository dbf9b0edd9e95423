-- ingest/stage_map: give each staged row its line in the file and collect the reader's rejects.
-- grain: stage = one row per staged row; stage_reader_rejects = one row per rejected line.
-- parameters: $first_line (1 for JSON Lines, 2 for CSV after its header).
-- The reader numbers lines like the file (header included); its rejects are missing from
-- stage_raw, so the k-th staged row sits on the k-th line that was not rejected.
CREATE OR REPLACE TEMP TABLE stage_reader_rejects AS
SELECT line::BIGINT AS line,
       arg_min(CASE error_type
                   WHEN 'INVALID ENCODING' THEN 'invalid UTF-8'
                   WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line longer than 64 MiB'
                   WHEN 'MISSING COLUMNS' THEN 'fewer fields than the header'
                   WHEN 'TOO MANY COLUMNS' THEN 'more fields than the header'
                   WHEN 'UNQUOTED VALUE' THEN 'stray quote in an unquoted field'
                   ELSE lower(error_type::VARCHAR) END, column_idx) AS reason,
       nullif(arg_min(column_name, column_idx), '__tn_line') AS "column",
       any_value(left(csv_line, 1000)) AS raw
FROM tn_reader_errors
GROUP BY line;

CREATE OR REPLACE TEMP TABLE stage AS
WITH lines AS (
    SELECT l.line, row_number() OVER (ORDER BY l.line) AS rec
    FROM range($first_line, $first_line + (SELECT count(*) FROM stage_raw)
                            + (SELECT count(*) FROM stage_reader_rejects)) AS l(line)
    ANTI JOIN stage_reader_rejects r ON r.line = l.line
)
SELECT lines.line, s.doc
FROM stage_raw s JOIN lines USING (rec);
