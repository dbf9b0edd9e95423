"""Delivery health: failures, retries, attempts, delivery latency and realtime reconnects,
for a chosen recent window (on top of the shared filters)."""

from __future__ import annotations

import streamlit as st
from template_noise import series
from template_noise.app import charts, ui

WINDOWS: dict[str, int | None] = {"24h": 1, "7d": 7, "30d": 30, "all": None}

st.title("Delivery health")

# The window is kept in the URL (?window=7d) like the shared filters.
from_url = st.query_params.get("window")
if from_url in WINDOWS and "d_window" not in st.session_state:
    st.session_state["d_window"] = from_url
choice = st.segmented_control(
    "Recent window", list(WINDOWS), key="d_window", default="7d", required=True
)
window = choice if choice in WINDOWS else "7d"
if st.query_params.get("window") != window:
    st.query_params["window"] = window

filters = ui.recent_window(ui.current_filters(), WINDOWS[window])
st.caption(f"Window: {ui.window_caption(filters)} · notifications by the time they were created")

overall = ui.overall_metrics(filters)
cols = st.columns(6)
ui.metric_card(cols[0], "failure_rate", overall.get("failure_rate"),
               help="never sent / (sent + never sent)")  # fmt: skip
ui.metric_card(cols[1], "retry_rate", overall.get("retry_rate"),
               help="share needing more than one publish attempt")  # fmt: skip
ui.metric_card(cols[2], "max_attempts", overall.get("max_attempts") or 0)
for col, name in zip(cols[3:], ("delivery_rate", "delivery_p50_s", "delivery_p95_s"), strict=True):
    ui.metric_card(col, name, overall.get(name))

unit = series.pick_unit(filters.since, filters.until)
left, right = st.columns(2)
with left:
    st.plotly_chart(
        charts.delivery_over_time(ui.frame("delivery_over_time", filters, unit)), key="d_over_time"
    )
with right:
    st.plotly_chart(charts.attempts(ui.frame("attempts", filters)), key="d_attempts")

left, right = st.columns(2)
with left:
    latency = ui.frame("delivery_latency", filters)
    st.plotly_chart(
        charts.latency(latency, overall.get("delivery_p50_s"), overall.get("delivery_p95_s")),
        key="d_latency",
    )
with right:
    st.plotly_chart(charts.stream(ui.frame("stream_over_time", filters, unit)), key="d_stream")

st.subheader("Per template")
ranking = ui.template_metrics(filters)
delivery_cols = [
    "template", "sent", "failed", "failure_rate", "retry_rate", "max_attempts",
    "delivery_rate", "delivery_p50_s", "delivery_p95_s", "flags",
]  # fmt: skip
st.dataframe(
    ranking[delivery_cols].sort_values(["failure_rate", "retry_rate"], ascending=False),
    hide_index=True,
    column_config={
        **ui.metric_columns(delivery_cols[1:-1]),
        "flags": st.column_config.ListColumn("flags"),
    },
    key="d_templates",
)

st.subheader("Realtime disconnects")
st.caption(
    "Each disconnect, when the user reconnected, and whether the notifications created "
    "meanwhile were delivered after the reconnect."
)
st.dataframe(ui.frame("stream_outages", filters), hide_index=True, key="d_outages")
