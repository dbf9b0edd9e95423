-- dashboard/template_percentiles: one template's percentiles in the window, as the metrics give them: the Template page's cards when the Overview's pass left them out.
-- grain: exactly one row (NULLs when nothing of the template was delivered, or read).
-- parameters: metric parameters, $template.
-- needs: queries/metrics/macros.sql run on the same cursor (tn_percentiles: the one
--   definition, shared with metrics/with_total.sql).
-- metric parameters: the metric window (queries/catalogue.toml, [[window]]).
-- columns: delivery_p50_s, delivery_p95_s, time_to_read_p50_s, time_to_read_p90_s
-- Reads only the template's rows of the state, not the window's: a fraction of a pass.
SELECT
    CASE WHEN EXISTS (SELECT 1 FROM events WHERE event_type = 'delivered')
         THEN any_value(delivery_q)[1] END AS delivery_p50_s,
    CASE WHEN EXISTS (SELECT 1 FROM events WHERE event_type = 'delivered')
         THEN any_value(delivery_q)[2] END AS delivery_p95_s,
    any_value(read_q_us)[1] / 1e6 AS time_to_read_p50_s,
    any_value(read_q_us)[2] / 1e6 AS time_to_read_p90_s
FROM tn_percentiles(p_templates := true, p_total := false, p_template := $template, {{ window }});
