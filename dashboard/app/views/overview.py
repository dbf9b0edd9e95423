"""Overview: headline numbers, the noise ranking with flags, volume over time, volume vs read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st
from template_noise import series
from template_noise.app import charts, ui
from template_noise.format import count
from template_noise.metrics import FLAGS, METRICS
from template_noise.metrics_report import for_users

TEMPLATE_PAGE = "views/template.py"


filters = ui.current_filters()
st.title("Noisy templates")
st.caption(f"Window: {ui.window_caption(filters)} · ranked by noise score, worst first")

ranking = ui.template_metrics(filters)
overall = ui.overall_metrics(filters, distinct=False)  # shows neither recipients nor percentiles

cols = ui.metric_row(5)
cols[0].metric("Templates", count(len(ranking)))
cols[1].metric("Noisy templates", count(ranking["noisy"].sum() if len(ranking) else 0))
cols[2].metric("Notifications sent", count(overall.get("sent") or 0))
ui.metric_card(cols[3], "duplicate_rate", overall.get("duplicate_rate"))
ui.metric_card(cols[4], "read_rate", overall.get("read_rate"))

if ranking.empty:
    st.info("No notifications match these filters.")
    st.stop()

st.subheader("Noise ranking")
st.caption(
    "Select a row (or use its link) to open the template. Rates are shares of notifications "
    "sent; flags: "
    + ", ".join(f"`{f.name}` ({f.description})" for f in FLAGS if f.noisy)
    + " make a template noisy."
)
shared = ui.filters_query(filters)
table = ranking.assign(
    open=ranking["template"].map(lambda t: "template?" + urlencode({"template": t, **shared})),
    flags=ranking["flags"].map(list),
)
columns = [
    "template", "open", "noisy", "score", "flags", "sent", "recipients",
    "max_per_user_day", "duplicates", "duplicate_rate", "read_rate", "archive_rate",
    "archived_unread_rate", "star_rate", "cta_click_rate", "expiry_coverage",
    "stale_unread_rate", "failure_rate", "retry_rate", "max_attempts",
]  # fmt: skip
config: dict[str, Any] = ui.metric_columns([c for c in columns if c in METRICS])
config.update(
    template=st.column_config.TextColumn("template", pinned=True),
    open=st.column_config.LinkColumn("page", display_text="open"),
    flags=st.column_config.ListColumn("flags"),
    score=st.column_config.NumberColumn(
        "noise score", format="%.1f", help="volume x (1 + how far past each threshold)"
    ),
    noisy=st.column_config.CheckboxColumn("noisy"),
)
event = st.dataframe(
    table[columns],
    column_config=config,
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="ov_ranking",
)
ui.csv_download(
    for_users(ranking), "noise-ranking.csv", key="ov_csv", label="Download the ranking (CSV)"
)
selected = event.selection.rows if event is not None else []
if selected:
    chosen = str(table.iloc[selected[0]]["template"])
    st.switch_page(TEMPLATE_PAGE, query_params={"template": chosen, **shared})

left, right = st.columns(2)
with left:
    unit = series.pick_unit(filters.since, filters.until)
    volume = ui.frame("volume_over_time", filters, unit)
    st.plotly_chart(charts.volume_over_time(volume, ranking["template"].tolist()), key="ov_volume")
with right:
    st.plotly_chart(charts.volume_vs_read_rate(ranking), key="ov_scatter")
