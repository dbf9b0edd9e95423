-- ingest/stage_lines: the lines of one JSON Lines file (optionally .gz), as text, in file order.
-- grain: one row per line the reader could decode; undecodable lines land in tn_reader_errors.
-- parameters: $path.  output: temp table stage_raw(rec BIGINT, doc VARCHAR)
-- rec is the ordinal among decoded lines; stage_map turns it into the file's line number.
CREATE OR REPLACE TEMP TABLE stage_raw AS
SELECT row_number() OVER () AS rec, __tn_line AS doc
FROM read_csv(
    $path,
    columns = {'__tn_line': 'VARCHAR'},  -- the whole line; stage_map drops this name
    header = false, delim = '\0', quote = '', escape = '', auto_detect = false,
    max_line_size = 67108864,
    store_rejects = true, rejects_table = 'tn_reader_errors', rejects_scan = 'tn_reader_scans'
);
