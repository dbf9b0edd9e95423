-- ingest/stage_parquet_check: the columns of a Parquet file that the typed path cannot read as
-- they are; none = stage it with ingest/stage_parquet_typed.sql, else with ingest/stage_parquet.sql (JSON).
-- grain: one row per such column.  parameters: $path.  columns: column_name, column_type
-- reads: tn_parquet_canonical (ingest/parquet_canonical.sql). A known field is readable when its
-- name matches exactly and its type is the canonical one or the same kind: any timestamp,
-- any number for hours, any integer for attempt, JSON for metadata and ctas. Unknown
-- columns are ignored, as the JSON path ignores unknown keys.
SELECT f.column_name, f.column_type
FROM (DESCRIBE SELECT * FROM read_parquet($path)) AS f
JOIN (DESCRIBE tn_parquet_canonical) AS c ON lower(f.column_name) = lower(c.column_name)
WHERE NOT (
    f.column_name = c.column_name
    AND CASE c.column_type
        WHEN 'TIMESTAMP' THEN f.column_type IN ('TIMESTAMP', 'TIMESTAMP_NS', 'TIMESTAMP_MS',
                                                 'TIMESTAMP_S', 'TIMESTAMP WITH TIME ZONE')
        WHEN 'DOUBLE' THEN f.column_type IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
                                              'UTINYINT', 'USMALLINT', 'UINTEGER', 'FLOAT', 'DOUBLE')
        WHEN 'BIGINT' THEN f.column_type IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT',
                                              'UTINYINT', 'USMALLINT', 'UINTEGER')
        WHEN 'VARCHAR' THEN f.column_type = 'VARCHAR'
                            OR (f.column_type = 'JSON' AND c.column_name IN ('metadata', 'ctas'))
        ELSE f.column_type = c.column_type
    END
)
ORDER BY f.column_name;
