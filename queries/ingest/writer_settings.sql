-- ingest/writer_settings: settings of a connection that writes a database (not of read-only ones).
-- grain: statements.  parameters: none.  columns: none
-- No compression method is turned off: DuckDB 2.0 compresses strings as dict_fsst, so
-- turning off the older 'fsst' changed nothing (10M notifications: ingest 70.5 / 72.5 s
-- with it, 73.3 / 71.6 s without, the file 2.33 GB both), and turning off dict_fsst as
-- well made the events 4x larger for a write 8% faster.
SET GLOBAL preserve_insertion_order = false;
