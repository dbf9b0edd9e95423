"""Plotly figures of the dashboard: DataFrames in (from metrics or series), figures out.

No numbers are computed here beyond what a chart needs to draw (grouping small series into
"other", rates to percentages). Text from the data (template names) is escaped before it
reaches Plotly, whose labels understand a few HTML tags: a name must show as written.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from template_noise import catalogue
from template_noise.format import count, seconds

NOISY_COLORS = {"noisy": "#d62728", "not noisy": "#7f7f7f"}
OTHER = "(other templates)"


def label(text: Any) -> str:
    """Untrusted text made literal for Plotly (its labels parse <b>, <a>, <br>...)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _empty(title: str, message: str = "No data for these filters") -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title=title,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14}}],
        height=300,
    )
    return fig


def _buckets_axis(fig: go.Figure, buckets: pd.Series) -> None:
    # With one or two buckets Plotly zooms a date axis to microseconds; name them instead,
    # as times people read ("Oct 29 14:00"), not as the ISO text Plotly sends them as.
    if buckets.nunique() < 3:
        shown = sorted(pd.to_datetime(buckets.dropna().unique()))
        fig.update_xaxes(
            type="category",
            tickmode="array",
            tickvals=shown,
            ticktext=[f"{pd.Timestamp(b):%b %d %H:%M}" for b in shown],
        )


def _count_axis(fig: go.Figure, *columns: pd.Series) -> None:
    """A y axis of counts ticks at whole numbers: Plotly would put ticks 0.2 apart for a
    count of one. Up to 10, every number; above, Plotly's own steps (1, 2, 5, 10...)."""
    top = max((float(c.max()) for c in columns if len(c)), default=0.0)
    fig.update_yaxes(tickformat=",d", rangemode="tozero", **({"dtick": 1} if top <= 10 else {}))


def volume_over_time(volume: pd.DataFrame, ranking: list[str], top: int = 8) -> go.Figure:
    """Stacked notifications per bucket for the `top` first templates of `ranking`."""
    title = "Notifications sent over time, per template"
    if volume.empty:
        return _empty(title)
    keep = set(ranking[:top])
    df = volume.assign(
        template=volume["template"].where(volume["template"].isin(keep), OTHER).map(label)
    )
    df = df.groupby(["bucket", "template"], as_index=False).agg(sent=("sent", "sum"))
    order = [label(t) for t in ranking[:top] if t in keep] + [label(OTHER)]
    fig = px.bar(
        df,
        x="bucket",
        y="sent",
        color="template",
        category_orders={"template": order},
        labels={"bucket": "created (UTC)", "sent": "notifications", "template": "template"},
        title=title,
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.25}, bargap=0.1)
    _buckets_axis(fig, df["bucket"])
    return fig


def bubble_sizes(duplicates: pd.Series, smallest: float = 8.0, largest: float = 40.0) -> pd.Series:
    """Marker diameters in pixels: area grows with the duplicates, 0 duplicates is the
    smallest marker whatever the others have (Plotly's own `size` scales by the largest
    value, so with no duplicates anywhere every marker was the largest)."""
    dups = duplicates.astype("float64").fillna(0).clip(lower=0)
    top = float(dups.max()) if len(dups) else 0.0
    if top <= 0:
        return pd.Series(smallest, index=duplicates.index)
    return smallest + (largest - smallest) * (dups / top).pow(0.5)


def volume_vs_read_rate(ranking: pd.DataFrame) -> go.Figure:
    """One marker per template: volume against read rate, area = duplicates, noisy in red."""
    title = "Volume vs read rate (marker area: duplicates; smallest: none)"
    df = ranking[ranking["sent"] > 0]
    if df.empty:
        return _empty(title)
    df = df.assign(
        name=df["template"].map(label),
        read_pct=df["read_rate"].astype("float64") * 100,
        px=bubble_sizes(df["duplicates"]),
        flag_text=df["flags"].map(lambda fs: ", ".join(fs) if len(fs) else "none"),
    )
    fig = go.Figure()
    for status, noisy in (("noisy", True), ("not noisy", False)):
        part = df[df["noisy"].astype(bool) == noisy]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["sent"], y=part["read_pct"], mode="markers", name=status,
            marker={"size": part["px"], "color": NOISY_COLORS[status], "opacity": 0.7,
                    "line": {"width": 1, "color": "white"}},
            hovertext=part["name"],
            customdata=np.stack([part["duplicates"], part["flag_text"]], axis=-1),
            hovertemplate="<b>%{hovertext}</b><br>sent %{x:,}<br>read rate %{y:.1f}%"
                          "<br>duplicates %{customdata[0]}<br>flags %{customdata[1]}"
                          "<extra></extra>",
        )  # fmt: skip
    fig.update_layout(
        title=title,
        xaxis_title="notifications sent (log)",
        yaxis_title="read rate (%)",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(type="log")
    fig.update_yaxes(range=[-5, 105])
    return fig


def template_over_time(over_time: pd.DataFrame) -> go.Figure:
    """One template's sends (bars) and duplicates (line) per bucket."""
    title = "Volume and duplicates over time"
    if over_time.empty:
        return _empty(title)
    fig = go.Figure()
    fig.add_bar(x=over_time["bucket"], y=over_time["sent"], name="sent", marker_color="#1f77b4")
    fig.add_scatter(
        x=over_time["bucket"], y=over_time["duplicates"], name="duplicates",
        mode="lines+markers", line={"color": "#d62728"},
    )  # fmt: skip
    if "failed" in over_time and over_time["failed"].sum() > 0:
        fig.add_bar(x=over_time["bucket"], y=over_time["failed"], name="failed",
                    marker_color="#ff7f0e")  # fmt: skip
    fig.update_layout(title=title, xaxis_title="created (UTC)", yaxis_title="notifications",
                      barmode="stack", legend={"orientation": "h", "y": -0.2})  # fmt: skip
    _buckets_axis(fig, over_time["bucket"])
    return fig


ENGAGEMENT = ("read_rate", "archive_rate", "archived_unread_rate", "star_rate")


def engagement(row: pd.Series) -> go.Figure:
    """Read, archived, archived unread and starred for one template, each a share of sent.

    Separate bars, not a funnel: people archive (and star) without reading, so archived is
    no subset of read; archived unread is the part of archived that was never read first."""
    title = "Engagement, each as a share of sent"
    sent = int(row.get("sent", 0) or 0)
    if sent == 0:
        return _empty(title)
    cat = catalogue.load()
    names = [cat.metric(name).label for name in ENGAGEMENT]
    rates = [row.get(name) for name in ENGAGEMENT]
    values = [float(r) * 100 if r is not None and pd.notna(r) else 0.0 for r in rates]
    fig = go.Figure(
        go.Bar(
            y=names,
            x=values,
            orientation="h",
            text=[f"{v:.1f}%" for v in values],
            textposition="outside",
            marker={"color": ["#2ca02c", "#9467bd", "#d62728", "#bcbd22"]},
        )
    )
    fig.update_layout(title=title + f" ({count(sent)} sent)", xaxis_title="% of sent",
                      showlegend=False)  # fmt: skip
    fig.update_xaxes(range=[0, 110])
    fig.update_yaxes(autorange="reversed")
    return fig


def keysets(keysets_df: pd.DataFrame) -> go.Figure:
    title = "Metadata key sets"
    if keysets_df.empty:
        return _empty(title)
    df = keysets_df.assign(key_set=keysets_df["key_set"].map(label))
    fig = px.bar(df, x="notifications", y="key_set", orientation="h", title=title,
                 labels={"key_set": "top-level keys"})  # fmt: skip
    fig.update_yaxes(autorange="reversed")
    return fig


def delivery_over_time(df: pd.DataFrame) -> go.Figure:
    title = "Sends, failures and retries over time"
    if df.empty:
        return _empty(title)
    fig = go.Figure()
    fig.add_bar(x=df["bucket"], y=df["sent"], name="sent", marker_color="#1f77b4")
    fig.add_bar(x=df["bucket"], y=df["failed"], name="failed (never sent)", marker_color="#d62728")
    fig.add_scatter(x=df["bucket"], y=df["retried"], name="needed a retry", mode="lines+markers",
                    line={"color": "#ff7f0e"})  # fmt: skip
    fig.update_layout(
        title=title,
        barmode="stack",
        xaxis_title="created (UTC)",
        yaxis_title="notifications",
        legend={"orientation": "h", "y": -0.2},
    )
    _buckets_axis(fig, df["bucket"])
    _count_axis(fig, df["sent"] + df["failed"], df["retried"])
    return fig


def attempts(df: pd.DataFrame) -> go.Figure:
    title = "Publish attempts per notification"
    if df.empty:
        return _empty(title)
    long = df.drop(columns="notifications").melt(
        id_vars="attempts",
        value_vars=["created", "failed"],
        var_name="outcome",
        value_name="notifications",
    )
    fig = px.bar(long, x="attempts", y="notifications", color="outcome", title=title,
                 color_discrete_map={"created": "#1f77b4", "failed": "#d62728"})  # fmt: skip
    fig.update_xaxes(dtick=1, title="attempts")
    return fig


def latency(df: pd.DataFrame, p50: float | None, p95: float | None) -> go.Figure:
    """Latency on a log scale: most deliveries take about a second, a few take an hour, and
    a linear axis would squash the first into one bar."""
    title = "Delivery latency (created to first delivered)"
    values = df["latency_s"].astype("float64") if not df.empty else pd.Series(dtype="float64")
    values = values[values > 0]
    if values.empty:
        return _empty(title, "No delivered events in this window")
    fig = go.Figure(
        go.Histogram(x=np.log10(values), nbinsx=60, marker_color="#1f77b4", name="deliveries")
    )
    lo, hi = math.floor(np.log10(values.min())), math.ceil(np.log10(values.max()))
    ticks = [v for e in range(lo, hi + 1) for v in (10.0**e, 3 * 10.0**e)]
    fig.update_xaxes(
        title="seconds (log scale)",
        tickvals=[math.log10(t) for t in ticks],
        ticktext=[f"{t:g}" for t in ticks],
    )
    marks = (("p50", p50, "#2ca02c", "top left"), ("p95", p95, "#d62728", "top right"))
    for name, value, color, position in marks:
        if value is not None and pd.notna(value) and float(value) > 0:
            fig.add_vline(
                x=math.log10(float(value)), line_dash="dash", line_color=color,
                annotation_text=f"{name} {seconds(value)}", annotation_position=position,
            )  # fmt: skip
    fig.update_layout(title=title, yaxis_title="notifications", showlegend=False)
    return fig


def stream(df: pd.DataFrame) -> go.Figure:
    title = "Realtime stream: disconnects and reconnects"
    if df.empty:
        return _empty(title, "No stream events in this window")
    fig = go.Figure()
    fig.add_bar(x=df["bucket"], y=df["disconnects"], name="disconnects", marker_color="#d62728")
    fig.add_bar(x=df["bucket"], y=df["reconnects"], name="reconnects", marker_color="#2ca02c")
    fig.add_scatter(x=df["bucket"], y=df["connects"], name="connects", mode="lines+markers",
                    line={"color": "#7f7f7f"})  # fmt: skip
    fig.update_layout(title=title, barmode="group", xaxis_title="UTC",
                      yaxis_title="events", legend={"orientation": "h", "y": -0.2})  # fmt: skip
    _buckets_axis(fig, df["bucket"])
    _count_axis(fig, df["disconnects"], df["reconnects"], df["connects"])
    return fig
