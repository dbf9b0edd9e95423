"""Overview: headline numbers, the noise ranking with flags, volume over time, volume vs read."""

from __future__ import annotations

from typing import Any

import streamlit as st
from template_noise import series
from template_noise.app import charts, guidance, ui
from template_noise.format import count
from template_noise.metrics import METRICS
from template_noise.metrics_report import for_users

TEMPLATE_PAGE = "views/template.py"
# Few columns, labelled from the catalogue, so the grid fits 1400 px without scrolling
# sideways; the CSV keeps every column (noise score, expiry, failures, retries...).
# Widths in pixels: the grid's columns add up to less than the page's 940 px beside the
# sidebar at 1400 px wide (headers from the catalogue's `short` labels, full ones in the help).
RANKING_COLUMNS = {
    "template": 210, "noisy": 56, "flags": 180, "sent": 64, "max_per_user_day": 100,
    "duplicate_rate": 96, "read_rate": 72, "archived_unread_rate": 128,
}  # fmt: skip


filters = ui.current_filters()
st.title("Noisy templates")
st.caption(f"Window: {ui.window_caption(filters)} · ranked by noise score, worst first")

# One pass for the ranking and the headline numbers; its percentiles are not shown here
# but the Template page, the next stop, reads them from the same cached pass.
ranking = ui.template_metrics(filters)
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
config: dict[str, Any] = guidance.grid_columns(
    {c: w for c, w in RANKING_COLUMNS.items() if c in METRICS}
)
config.update(
    template=st.column_config.TextColumn(
        "Template", pinned=True, width=RANKING_COLUMNS["template"]
    ),
    flags=st.column_config.ListColumn(
        "Flags",
        width=RANKING_COLUMNS["flags"],
        help="the flags that fire (what each means: below the table)",
    ),
    noisy=st.column_config.CheckboxColumn("Noisy", width=RANKING_COLUMNS["noisy"]),
)
event = st.dataframe(
    table[list(RANKING_COLUMNS)],
    column_config=config,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="ov_ranking",
)
ui.csv_download(
    for_users(ranking), "noise-ranking.csv", key="ov_csv", label="Download the ranking (CSV)"
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
