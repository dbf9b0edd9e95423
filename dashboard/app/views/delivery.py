"""Delivery health: failures, retries, attempts, delivery latency and realtime reconnects,
for a chosen recent window (on top of the shared filters)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from template_noise import catalogue, series
from template_noise.app import charts, ui
from template_noise.format import seconds

# label -> (days before the newest event, how the caption says it); None: the whole filter
WINDOWS: dict[str, tuple[int | None, str]] = {
    "24h": (1, "24 h"),
    "7d": (7, "7 days"),
    "30d": (30, "30 days"),
    "all": (None, ""),
}
TEMPLATE_PAGE = "views/template.py"
NOTHING = "—"
SECOND = "YYYY-MM-DD HH:mm:ss"
LOST_ROW = "background-color: rgba(214, 39, 40, 0.18)"

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

days, spoken = WINDOWS[window]
shared = ui.current_filters()
filters = ui.recent_window(shared, days)
span = ui.window_caption(filters)
if days is not None:
    span = f"{spoken} before the newest event: {ui.span_text(*ui.window_span(filters))}"
st.caption(f"Window: {span} · notifications by the time they were created")

overall = ui.overall_metrics(filters)
matched = int(overall.get("sent") or 0) + int(overall.get("failed") or 0)
EMPTY_REASON = "No notification was created or failed in this window with these filters."
CARDS = {
    "failure_rate": "never sent / (sent + never sent)",
    "retry_rate": "share needing more than one publish attempt",
    "max_attempts": None,
    "delivery_rate": None,
    "delivery_p50_s": None,
    "delivery_p95_s": None,
}
row = ui.metric_row(1)[0]
for name, help_text in CARDS.items():
    if matched == 0:
        # Nothing to count: every card says so the same way (max_attempts would read 0).
        label = catalogue.load().metric(name).label
        row.metric(label, NOTHING, help=EMPTY_REASON)
    else:
        ui.metric_card(row, name, overall.get(name), help=help_text)

# Hourly bars for a window of a day or so: the open end is the newest event, not "now".
start, end = ui.window_span(filters)
unit = series.pick_unit(start, end)
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
st.caption("Select a row to open that template's page, with these filters.")
ranking = ui.template_metrics(filters)
delivery_cols = [
    "template", "sent", "failed", "failure_rate", "retry_rate", "max_attempts",
    "delivery_rate", "delivery_p50_s", "delivery_p95_s", "flags",
]  # fmt: skip
per_template = (
    ranking[delivery_cols]
    .sort_values(["failure_rate", "retry_rate", "template"], ascending=[False, False, True])
    .reset_index(drop=True)
)
picked = st.dataframe(
    per_template,
    hide_index=True,
    column_config={
        **ui.metric_columns(delivery_cols[1:-1]),
        "flags": st.column_config.ListColumn("flags"),
    },
    on_select="rerun",
    selection_mode="single-row",
    key="d_templates",
)
rows = picked.selection.rows if picked is not None else []
if rows:
    # Same tab; the Template page reads ?template= and the shared filters from the URL.
    chosen = str(per_template.iloc[rows[0]]["template"])
    ui.switch_with_filters(TEMPLATE_PAGE, shared, template=chosen)

st.subheader("Realtime disconnects")
st.caption(
    "Each disconnect in the window, when the user reconnected, and whether the notifications "
    "created meanwhile (of the templates the filters select) were delivered after the "
    "reconnect. A reconnect that lost a notification comes first, highlighted."
)
outages = ui.frame("stream_outages", filters)
lost = outages[outages["lost"] > 0] if not outages.empty else outages
if len(lost):
    st.warning(
        f"{len(lost)} reconnect(s) lost {int(lost['lost'].sum())} notification(s): created while "
        "the user was disconnected and never delivered after the reconnect (first rows below).",
        icon=":material/sync_problem:",
    )


def _lost_rows(row: pd.Series) -> list[str]:
    return [LOST_ROW if row["lost"] > 0 else ""] * len(row)


OUTAGE_COLUMNS = [
    "user_id", "lost", "lost_notifications", "disconnected_at", "reconnected_at", "offline",
    "created_while_offline", "delivered_after_reconnect",
]  # fmt: skip
shown = outages.assign(offline=outages["offline_s"].map(seconds))
st.dataframe(
    shown.style.apply(_lost_rows, axis=1) if len(lost) else shown,
    hide_index=True,
    column_order=OUTAGE_COLUMNS,
    column_config={
        "disconnected_at": st.column_config.DatetimeColumn("disconnected (UTC)", format=SECOND),
        "reconnected_at": st.column_config.DatetimeColumn("reconnected (UTC)", format=SECOND),
        "created_while_offline": st.column_config.NumberColumn("created meanwhile"),
        "delivered_after_reconnect": st.column_config.NumberColumn("delivered after"),
        "lost": st.column_config.NumberColumn("lost", help="never delivered after the reconnect"),
        "lost_notifications": st.column_config.ListColumn(
            "lost notifications", help="notification id (template)", width="large"
        ),
    },
    key="d_outages",
)
