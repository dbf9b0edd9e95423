-- metrics/instant: the analysis instant alone, for callers that need none of
-- metrics/as_of's counts (`metrics`: one read of the events' newest time, not a pass over
-- the state).
-- grain: exactly one row.  parameters: $as_of (NULL = the latest occurred_at in the data).
-- columns: as_of
SELECT tn_as_of($as_of) AS as_of;
