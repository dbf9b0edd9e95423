"""The page-specific series of the dashboard (queries/dashboard/), typed and filter-aware.

These are what the charts draw over time or as distributions; per-template metrics, flags
and the ranking come from `template_noise.metrics` only, so the pages and the CLI agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import duckdb
import pandas as pd
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.metrics import run_each, run_query
from template_noise.queries import cursor, execute, metric_macros, run

Unit = Literal["hour", "day", "week"]
UNITS: tuple[Unit, ...] = ("hour", "day", "week")


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar filters can choose from, over all loaded data."""

    first_at: datetime | None
    last_at: datetime | None
    severities: tuple[str, ...]


def _ts(value: Any) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def pick_unit(since: datetime | None, until: datetime | None) -> Unit:
    """A bucket size that gives a readable number of points for the window."""
    if since is None or until is None:
        return "day"
    span = until - since
    if span <= timedelta(days=3):
        return "hour"
    if span <= timedelta(days=120):
        return "day"
    return "week"


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a load commits: the dashboard's cache key for the in-memory sample
    (a database file is versioned by its identity, store.Reader.snapshot). Runs on a cursor
    of its own, like every query here: `con` may be shared by every session."""
    row = run(con, "dashboard/data_version").iloc[0]
    return f"{int(row['last_load_id'])}:{int(row['events'])}"


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    row = run(con, "dashboard/filter_options").iloc[0]
    severities = row["severities"]
    return FilterOptions(
        first_at=_ts(row["first_at"]),
        last_at=_ts(row["last_at"]),
        severities=tuple(severities) if severities is not None else (),
    )


def templates(con: duckdb.DuckDBPyConnection, filters: Filters, config: Config) -> pd.DataFrame:
    """template, sent: the templates the filters select, busiest first."""
    return run_query(con, "dashboard/templates", filters, config)


def volume_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, unit: Unit
) -> pd.DataFrame:
    """bucket, template, sent, failed."""
    return run_query(con, "dashboard/volume_over_time", filters, config, unit=unit)


def template_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str, unit: Unit
) -> pd.DataFrame:
    """bucket, sent, duplicates, read, archived, archived_unread, failed for one template."""
    return run_query(
        con, "dashboard/template_over_time", filters, config, template=template, unit=unit
    )


def template_keysets(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> pd.DataFrame:
    """key_set, is_object, notifications, share."""
    return run_query(con, "dashboard/template_keysets", filters, config, template=template)


def template_breakdown(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> pd.DataFrame:
    """severity, scope, notifications."""
    return run_query(con, "dashboard/template_breakdown", filters, config, template=template)


def template_examples(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str, limit: int = 50
) -> pd.DataFrame:
    """The most recent notifications of a template, with their untrusted text."""
    return run_query(
        con, "dashboard/template_examples", filters, config, template=template, limit=limit
    )


def template_variants(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> pd.DataFrame:
    """The distinct titles of a template with their source and `sent` events (untrusted
    text). Over every loaded event: the filters do not apply, inference does not see them."""
    del filters, config
    return run(con, "dashboard/template_variants", template=template)


def template_recipients(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str, limit: int = 20
) -> pd.DataFrame:
    """recipient, sent, read, archived_unread, last_sent."""
    return run_query(
        con, "dashboard/template_recipients", filters, config, template=template, limit=limit
    )


def template_duplicate_pairs(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str, limit: int = 50
) -> pd.DataFrame:
    """The latest duplicates of a template, each beside the notification it repeats."""
    return run_query(
        con, "dashboard/template_duplicate_pairs", filters, config, template=template, limit=limit
    )


def template_dedup_keys(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> pd.DataFrame:
    """key, pairs, pairs_same, share_same, distinct_values, originals, candidate."""
    return run_query(con, "dashboard/template_dedup_keys", filters, config, template=template)


def template_read_delay(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> pd.DataFrame:
    """One row: sent, reads, p90/p95 hours to read, suggested_hours, reads_kept, kept_share."""
    return run_query(con, "dashboard/template_read_delay", filters, config, template=template)


def template_percentiles(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str
) -> dict[str, float | None]:
    """The template's delivery_p50_s, delivery_p95_s, time_to_read_p50_s and
    time_to_read_p90_s, as `metrics` gives them, from the template's rows alone (None
    where undefined)."""
    frame = run_query(con, "dashboard/template_percentiles", filters, config, template=template)
    return _percentiles(frame)


def _percentiles(frame: pd.DataFrame) -> dict[str, float | None]:
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in frame.iloc[0].items()}


@dataclass(frozen=True)
class TemplatePage:
    """What the Template page shows of one template besides its row of the ranking and the
    guidance: its percentiles and every table and chart (each as its own function gives)."""

    percentiles: dict[str, float | None]
    over_time: pd.DataFrame
    breakdown: pd.DataFrame
    keysets: pd.DataFrame
    examples: pd.DataFrame
    recipients: pd.DataFrame


def template_page(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    config: Config,
    template: str,
    unit: Unit,
    *,
    examples: int = 50,
    recipients: int = 20,
) -> TemplatePage:
    """template_percentiles, template_over_time, template_breakdown, template_keysets,
    template_examples and template_recipients on one cursor: the metric macros are set up
    once instead of six times."""
    limits = {"examples": {"limit": examples}, "recipients": {"limit": recipients}}
    names = ("percentiles", "over_time", "breakdown", "keysets", "examples", "recipients")
    frames = run_each(
        con,
        [(f"dashboard/template_{n}", limits.get(n, {})) for n in names],
        filters,
        config,
        template=template,
        unit=unit,
    )
    return TemplatePage(_percentiles(frames[0]), *frames[1:])


def template_flood_days(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, template: str, limit: int = 20
) -> pd.DataFrame:
    """recipient, day, notifications, duplicates, read, first_sent, last_sent: busiest first."""
    return run_query(
        con, "dashboard/template_flood_days", filters, config, template=template, limit=limit
    )


def delivery_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, unit: Unit
) -> pd.DataFrame:
    """bucket, sent, failed, retried, delivered, attempts."""
    return run_query(con, "dashboard/delivery_over_time", filters, config, unit=unit)


def delivery_latency(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, limit: int = 100_000
) -> pd.DataFrame:
    """template, latency_s per delivered notification (capped at `limit` rows)."""
    return run_query(con, "dashboard/delivery_latency", filters, config, limit=limit)


def attempts(con: duckdb.DuckDBPyConnection, filters: Filters, config: Config) -> pd.DataFrame:
    """attempts, notifications, created, failed."""
    return run_query(con, "dashboard/attempts", filters, config)


def stream_over_time(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, unit: Unit
) -> pd.DataFrame:
    """bucket, connects, disconnects, reconnects. Only the time window applies: stream events
    have no template, severity or scope (config is taken for a uniform signature)."""
    return run(
        con, "dashboard/stream_over_time", since=filters.since, until=filters.until, unit=unit
    )


def stream_outages(
    con: duckdb.DuckDBPyConnection, filters: Filters, config: Config, limit: int = 200
) -> pd.DataFrame:
    """One row per disconnect in the window: when the user came back, and what the
    notifications created meanwhile (those the filters select) became; the reconnects that
    lost a notification first, naming it and its template."""
    return run_query(con, "dashboard/stream_outages", filters, config, limit=limit)


def freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: events, notifications, templates, first/latest event, last load, loads, rejects."""
    cur = cursor(con)
    try:
        metric_macros(cur)  # tn_state_fresh: whether the state answers
        return execute(cur, "dashboard/freshness").df()
    finally:
        cur.close()


def loads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run(con, "dashboard/loads")


def rejects(con: duckdb.DuckDBPyConnection, limit: int = 1000) -> pd.DataFrame:
    return run(con, "dashboard/rejects", limit=limit)


def reject_reasons(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return run(con, "dashboard/reject_reasons")
