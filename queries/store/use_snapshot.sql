-- store/use_snapshot: make the attached snapshot the default catalog of a new cursor.
-- grain: statement.  parameters: none.  columns: none
USE tn;
