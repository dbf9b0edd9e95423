-- store/checkpoint: write everything to the database file so it stands alone (no WAL).
-- grain: statement.  parameters: none.  columns: none
CHECKPOINT;
