-- ingest/stage_truncated: record that a compressed file ends early, after its last staged line.
-- grain: statement (one reject row).  parameters: $first_line, $reason.  columns: none
INSERT INTO stage_reader_rejects
SELECT coalesce(max(line), $first_line - 1) + 1, $reason, NULL, NULL
FROM (SELECT line FROM stage UNION ALL SELECT line FROM stage_reader_rejects);
