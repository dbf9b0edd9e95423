-- ingest/stage_csv: the records of one CSV file (optionally .gz) as JSON objects of text values.
-- grain: one row per well-formed record; malformed records land in tn_reader_errors.
-- parameters: $path.  output: temp table stage_raw(rec BIGINT, doc VARCHAR)
-- Delimiter, quote and header are fixed: DuckDB's sniffer guesses wrong on messy files.
CREATE OR REPLACE TEMP TABLE stage_raw AS
SELECT row_number() OVER () AS rec, to_json(r)::VARCHAR AS doc
FROM read_csv(
    $path,
    header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
    max_line_size = 67108864,
    store_rejects = true, rejects_table = 'tn_reader_errors', rejects_scan = 'tn_reader_scans'
) AS r;
