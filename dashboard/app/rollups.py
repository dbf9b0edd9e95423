"""The dashboard over Spark roll-ups (`template-noise serve --rollups DIR`).

A team whose events live on a cluster writes daily roll-ups there (`spark-rollups --out
DIR`) and points the dashboard at them: one row per template per UTC day of additive counts
(docs/spark.md). From those the Overview shows the noise ranking with its flags and the
trends per day (views/rollups.py, reading template_noise.spark.rollups, so it shows what
`metrics --rollups DIR` prints); the other pages need the events and say so instead of
running. The roll-ups are read with DuckDB on one in-memory connection, a cursor per query.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import streamlit as st
from template_noise import db
from template_noise.app import ui, urlstate
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.spark import rollups

DAYS_KEY = "r_days"
FILTERS_KEY = "tn_rollup_filters"
# What each page that does not run on roll-ups would need from the events.
NEEDS: dict[str, str] = {
    "template": "its funnel, examples, metadata key sets and top recipients",
    "delivery": "delivery latency percentiles, retries per notification and realtime reconnects",
    "alerts": "the hourly history `watch` judges and the alerts it stored in a database",
    "checklist": "the go-live checklist's evidence and the sign-offs stored in a database",
    "whatif": "every notification, to replay a policy on",
    "data": "a database to load files into",
}


@st.cache_resource(show_spinner=False)
def _connection() -> duckdb.DuckDBPyConnection:
    return db.connect(None)  # reads the Parquet roll-ups; holds no table of its own


def _key() -> tuple[str, str, str]:
    src = ui.source()
    directory = src.rollups or ""
    return (directory, src.config or ":defaults:", rollups.rollup_version(directory))


@st.cache_data(show_spinner=False, max_entries=16)
def _span(key: tuple[str, ...]) -> rollups.RollupSpan:
    return rollups.rollup_span(_connection(), key[0], ui.config())


@st.cache_data(show_spinner=False, max_entries=32)
def _ranking(key: tuple[str, ...], filters: Filters) -> pd.DataFrame:
    return rollups.rollup_metrics(_connection(), key[0], filters, ui.config())


@st.cache_data(show_spinner=False, max_entries=32)
def _daily(key: tuple[str, ...], filters: Filters) -> pd.DataFrame:
    return rollups.rollup_daily(_connection(), key[0], filters, ui.config())


def span() -> rollups.RollupSpan:
    """The days, templates and as_of of the roll-ups (metrics/rollups_as_of.sql)."""
    return _span(_key())


def ranking(filters: Filters) -> pd.DataFrame:
    """The metrics, flags and ranking from the roll-ups: what `metrics --rollups` prints."""
    return _ranking(_key(), filters)


def daily(filters: Filters) -> pd.DataFrame:
    """Per template and day: sent, failed, duplicates, duplicate and read rates."""
    return _daily(_key(), filters)


def config() -> Config:
    return ui.config()


def sidebar_filters() -> Filters:
    """The one filter roll-ups support: whole UTC days. Seeded from the link's since/until,
    kept in it; the other filters of the events' sidebar need the events."""
    s = span()
    first_data = s.first_day or date.today()
    last_data = s.last_day or date.today()
    if DAYS_KEY not in st.session_state:
        parsed = urlstate.filters_from_query(st.query_params.to_dict())
        first, last = urlstate.day_range(parsed.filters)
        st.session_state[DAYS_KEY] = (first or first_data, last or last_data)
    with st.sidebar:
        st.subheader("Filters")
        st.date_input(
            "Created between (UTC days)",
            key=DAYS_KEY,
            help="Notifications created on these days, first and last included.",
        )
        st.caption(
            "Severity, scope, template search and the dedup window need the events: "
            "the roll-ups hold daily totals per template, computed with the thresholds "
            "they were written with."
        )
        st.caption(f"Data: roll-ups in {ui.literal(ui.source().rollups)}")
    raw = st.session_state.get(DAYS_KEY)
    days: list[date] = list(raw) if isinstance(raw, list | tuple) else [raw] if raw else []
    first_day: date | None = days[0] if days else None
    last_day: date | None = days[1] if len(days) > 1 else None
    # The whole range means no restriction: the link stays short.
    if first_day is not None and first_day <= first_data:
        first_day = None
    if last_day is not None and last_day >= last_data:
        last_day = None
    since, until = urlstate.window_from_days(first_day, last_day)
    filters = Filters(since=since, until=until)
    want = urlstate.query_from_filters(filters)
    for key in ("since", "until"):
        if key in want and st.query_params.get(key) != want[key]:
            st.query_params[key] = want[key]
        elif key not in want and key in st.query_params:
            del st.query_params[key]
    st.session_state[FILTERS_KEY] = filters
    return filters


def current_filters() -> Filters:
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, Filters) else Filters()


def needs_events(url_path: str, title: str) -> None:
    """A page that needs the events, on roll-ups: say so, and where its numbers come from."""
    st.title(title)
    what = NEEDS.get(url_path, "the notification-level data")
    st.info(
        f"This page needs the events; the roll-ups hold daily totals per template. It shows "
        f"{what}, which daily totals cannot give.",
        icon=":material/table_rows:",
    )
    st.markdown(
        "The **Overview** shows what the roll-ups support: the noise ranking with its flags "
        "and each template's trend per day. For this page, serve a database of the events "
        "(`template-noise serve --db FILE`), or run `template-noise metrics --engine spark` "
        "and `template-noise check --engine spark` on the cluster."
    )
    st.page_link("views/rollups.py", label="Open the Overview", icon=":material/arrow_forward:")
