-- store/macros_shared_mark: mark the metric macros as shared by every cursor of this instance
-- (queries.share_metric_macros has just defined them in the in-memory catalog).
-- grain: statement.  parameters: none.  columns: none
CREATE OR REPLACE TABLE memory.main.tn_macros_shared AS SELECT tn_state_layout() AS layout;
