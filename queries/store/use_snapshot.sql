-- store/use_snapshot: make the attached snapshot the default catalog of a new cursor, with
-- the metric macros its instance shares (queries.share_metric_macros: defined once in the
-- in-memory catalog) found after the snapshot's own tables and macros.
-- grain: statements.  parameters: none.  columns: none
USE tn;
SET search_path = 'tn.main,memory.main';
