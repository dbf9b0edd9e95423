-- current_database: the catalog queries resolve against ('tn' for a read-only snapshot).
-- grain: one row.  parameters: none.  columns: name
SELECT current_database() AS name;
