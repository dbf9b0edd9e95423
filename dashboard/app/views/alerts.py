"""Alerts: what `template-noise watch` found, open and resolved, on a timeline; each opens
its template page with the incident's window marked on the volume chart."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from template_noise.app import charts, ui
from template_noise.filters import Filters
from template_noise.format import count

TEMPLATE_PAGE = "views/template.py"
DAY = timedelta(days=1)
COLUMNS = {
    "status": 80, "kind": 130, "template": 210, "started_at": 150, "resolved_at": 150,
    "evidence": 420,
}  # fmt: skip

st.title("Alerts")
st.caption(
    "Raised by `template-noise watch` (run it from cron or CI: see docs/watch.md): one alert "
    "per incident, for as long as it lasts. All stored alerts; the filters do not apply."
)

alerts = ui.alerts()
open_alerts = alerts[alerts["status"] == "open"]
cols = ui.metric_row(3)
cols[0].metric("Open alerts", count(len(open_alerts)))
cols[1].metric("Resolved alerts", count(len(alerts) - len(open_alerts)))
cols[2].metric("Templates alerted", count(alerts["template"].nunique()))

if alerts.empty:
    st.info(
        "No alert stored yet. `template-noise watch --db FILE` judges every completed hour "
        "since its previous run and stores what it finds here."
    )
    st.stop()

st.subheader("Open and resolved")
st.caption("Select a row to open its template page with the incident window marked.")
event = st.dataframe(
    alerts[list(COLUMNS)],
    column_config={
        "status": st.column_config.TextColumn("Status", width=COLUMNS["status"]),
        "kind": st.column_config.TextColumn("Kind", width=COLUMNS["kind"]),
        "template": st.column_config.TextColumn("Template", width=COLUMNS["template"]),
        "started_at": st.column_config.DatetimeColumn(
            "Started (UTC)", format="YYYY-MM-DD HH:mm", width=COLUMNS["started_at"]
        ),
        "resolved_at": st.column_config.DatetimeColumn(
            "Resolved (UTC)", format="YYYY-MM-DD HH:mm", width=COLUMNS["resolved_at"]
        ),
        "evidence": st.column_config.TextColumn("Evidence", width=COLUMNS["evidence"]),
    },
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="al_table",
)
now = alerts[["last_hit_at"]].max().iloc[0] + pd.Timedelta(hours=1)
st.plotly_chart(charts.alert_timeline(alerts, now), key="al_timeline")
selected = event.selection.rows if event is not None else []
if selected:
    chosen = alerts.iloc[selected[0]]
    # The incident's window with a day either side, so the volume chart shows it.
    start = pd.Timestamp(chosen["started_at"]).to_pydatetime()
    end = chosen["resolved_at"] if pd.notna(chosen["resolved_at"]) else now
    window = Filters(since=start - DAY, until=pd.Timestamp(end).to_pydatetime() + DAY)
    ui.switch_with_filters(
        TEMPLATE_PAGE, window, template=str(chosen["template"]), alert=str(chosen["alert_id"])
    )
