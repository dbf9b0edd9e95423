-- store/attach_snapshot: open a published database file read-only, as the default catalog.
-- grain: statements.  parameters: $path.  columns: none
-- Attached into a fresh in-memory instance so that a file replaced since an earlier open
-- is read anew (DuckDB caches instances by path within a process).
ATTACH $path AS tn (READ_ONLY);
USE tn;
