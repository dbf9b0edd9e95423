"""Overview: headline numbers, the noise ranking with flags, volume over time, volume vs read."""

from __future__ import annotations

import streamlit as st
from template_noise import series
from template_noise.app import charts, guidance, ui
from template_noise.format import count
from template_noise.metrics_report import for_users

TEMPLATE_PAGE = "views/template.py"
ALERTS_PAGE = "views/alerts.py"


filters = ui.current_filters()
st.title("Noisy templates")
st.caption(f"Window: {ui.window_caption(filters)} · ranked by noise score, worst first")

open_alerts = ui.alerts().query("status == 'open'")
if len(open_alerts):
    kinds = ", ".join(f"{n} {k}" for k, n in open_alerts["kind"].value_counts().items())
    st.warning(
        f"{len(open_alerts)} open alert(s) from `watch`: {kinds}.",
        icon=":material/notifications_active:",
    )
    st.dataframe(
        open_alerts[["kind", "template", "started_at", "evidence"]],
        hide_index=True,
        key="ov_alerts",
    )
    st.page_link(ALERTS_PAGE, label="Open the Alerts page", icon=":material/arrow_forward:")

# This page shows neither the overall recipients nor any percentile: one pass without them.
ranking = ui.template_metrics(filters, quantiles=False)
overall = ui.overall_metrics(filters, distinct=False)

cols = ui.metric_row(5)
cols[0].metric("Templates", count(len(ranking)))
cols[1].metric("Noisy templates", count(ranking["noisy"].sum() if len(ranking) else 0))
cols[2].metric("Notifications sent", count(overall.get("sent") or 0))
guidance.headline_card(cols[3], "duplicate_rate", overall.get("duplicate_rate"))
guidance.headline_card(cols[4], "read_rate", overall.get("read_rate"))

if ranking.empty:
    st.info("No notifications match these filters.")
    st.stop()

st.subheader("Noise ranking")
st.caption(
    "Select a row to open its template page (your filters stay). Rates are shares of "
    "notifications sent; a template is noisy when a noisy flag fires. The CSV has every "
    "column."
)
table = ranking.assign(flags=ranking["flags"].map(list))
event = st.dataframe(
    table[list(guidance.RANKING_COLUMNS)],
    column_config=guidance.ranking_grid(),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="ov_ranking",
)
full = ui.full_ranking(filters)  # the CSV keeps the percentiles this page leaves out
ui.csv_download(
    lambda: for_users(full()), "noise-ranking.csv", key="ov_csv", label="Download the ranking (CSV)"
)
with st.expander("What the flags mean, and when they fire"):
    st.dataframe(guidance.flag_rules(), hide_index=True, key="ov_flag_rules")
selected = event.selection.rows if event is not None else []
if selected:
    chosen = str(table.iloc[selected[0]]["template"])
    # The sidebar's widgets are re-seeded from these parameters on the other side
    # (ui._seed_from_url): a page switch drops their values.
    ui.switch_with_filters(TEMPLATE_PAGE, filters, template=chosen)

left, right = st.columns(2)
with left:
    unit = series.pick_unit(filters.since, filters.until)
    volume = ui.frame("volume_over_time", filters, unit)
    st.plotly_chart(charts.volume_over_time(volume, ranking["template"].tolist()), key="ov_volume")
with right:
    st.plotly_chart(charts.volume_vs_read_rate(ranking), key="ov_scatter")
