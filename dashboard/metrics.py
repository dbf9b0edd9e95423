"""Per-template metrics, flags and the noise ranking.

Every metric is computed in SQL (queries/metrics/per_template.sql over the per-notification
state of queries/metrics/macros.sql); this module binds the parameters, applies the flag
rules declared in FLAGS, and ranks.

A flag fires when any of its conditions holds: the metric is beyond its threshold
(`Config.flags[threshold]`) and, for rate conditions, the template has at least
`min_volume` notifications. A template is noisy when a noisy flag fires.

noise_score (weights and constants in defaults.toml, [noise_score]):

    noise_score = noisy_offset * noisy
                + min(log2(1 + sent) * (1 + sum(weight[f] * excess[f] for fired flags f)),
                      noisy_offset - 1)

excess[f] is how far the flag's metric lies past its threshold, relative to the threshold
((value - t) / t for "above", (t - value) / t for "below"; the value itself when t = 0),
the largest over the flag's fired conditions, capped at max_excess. The second term is
below noisy_offset, so every noisy template ranks above every quiet one; among noisy (or
among quiet) templates, more volume and more, farther-exceeded signals rank higher.

`noise_score` is the ranking key (JSON keeps it); users see `score`, the second term
alone, beside the `noisy` marker (the table, the CSV, the dashboard).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import duckdb
import numpy as np
import pandas as pd
from template_noise import catalogue
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.queries import cursor, execute, metric_macros

# The metric columns of queries/metrics/per_template.sql, in output order (after
# `template`), and those that are fractions: from the catalogue (queries/catalogue.toml).
METRICS = catalogue.metric_names()
RATES = tuple(m.name for m in catalogue.load().metrics if m.format == "percent")


class QueryEngine(Protocol):
    """Another engine running queries/ (template_noise.spark.engine.SparkEngine)."""

    def run_query(self, name: str, params: dict[str, Any]) -> pd.DataFrame: ...


# Where the metric queries run: a DuckDB connection, or another engine.
Connection = duckdb.DuckDBPyConnection | QueryEngine


@dataclass(frozen=True)
class Condition:
    """One way a flag fires: `signal op Config.flags[threshold]`."""

    signal: str  # a metric column, or a derived signal of signals()
    op: Literal[">", "<"]
    threshold: str  # key of Config.flags
    needs_volume: bool  # only when `volume` >= Config.min_volume
    volume: str = "sent"


@dataclass(frozen=True)
class Flag:
    name: str
    noisy: bool
    conditions: tuple[Condition, ...]
    description: str


def _c(
    signal: str, op: Literal[">", "<"], threshold: str, needs_volume: bool, volume: str = "sent"
) -> Condition:
    return Condition(signal, op, threshold, needs_volume, volume)


def _flag(name: str, noisy: bool, *conditions: Condition) -> Flag:
    # What the flag means is worded in the catalogue (queries/catalogue.toml, [[flags]]).
    return Flag(name, noisy, conditions, catalogue.load().flag(name).meaning)


FLAGS: tuple[Flag, ...] = (
    _flag("duplicates", True, _c("duplicate_rate", ">", "duplicates", True)),
    _flag("flooding", True, _c("max_per_user_day", ">", "flooding", False)),
    _flag("ignored", True, _c("read_rate", "<", "ignored", True)),
    _flag("dismissed_unread", True, _c("archived_unread_rate", ">", "dismissed_unread", True)),
    _flag("no_expiry", False, _c("expiry_coverage", "<", "no_expiry", True)),
    _flag("stale", False, _c("stale_unread_rate", ">", "stale", True)),
    _flag("metadata_unstable", False,
          _c("metadata_invalid_rate", ">", "metadata_invalid", False),
          _c("metadata_drift_rate", ">", "metadata_drift", False)),
    _flag("severity_inconsistent", False,
          _c("severity_count", ">", "severity_max_distinct", False),
          _c("severities_outside_allowed", ">", "severity_outside_allowed", False)),
    _flag("retry_storm", False,
          _c("max_attempts", ">", "retry_max_attempts", False),
          _c("retry_rate", ">", "retry_rate", True, volume="attempted")),
    _flag("send_failures", False,
          _c("failure_rate", ">", "send_failures", True, volume="attempted")),
)  # fmt: skip
FLAG_NAMES = tuple(f.name for f in FLAGS)
NOISY_FLAGS = tuple(f.name for f in FLAGS if f.noisy)


def _utc_naive(t: datetime | None) -> datetime | None:
    # events store naive UTC; an aware datetime would bind as TIMESTAMPTZ and be shifted
    # by the session time zone.
    if t is None or t.tzinfo is None:
        return t
    return t.astimezone(UTC).replace(tzinfo=None)


def query_params(filters: Filters, config: Config) -> dict[str, Any]:
    """Every $parameter the metric queries take, from the filters and the configuration."""
    params = {**config.query_params(), **filters.params()}
    for key in ("since", "until", "as_of"):
        params[key] = _utc_naive(params[key])
    if filters.dedup_window_minutes is not None:
        params["dedup_window_minutes"] = filters.dedup_window_minutes
    return params


def run_query(
    con: Connection, name: str, filters: Filters, config: Config, **extra: Any
) -> pd.DataFrame:
    """Run queries/<name>.sql with the filters and configuration bound, on its own cursor.

    A cursor inherits neither the connection's settings nor its temp macros, so the
    session and the metric macros are set up on it first (both only define, read nothing).
    """
    return run_queries(con, [name], filters, config, **extra)[0]


def run_queries(
    con: Connection, names: Sequence[str], filters: Filters, config: Config, **extra: Any
) -> list[pd.DataFrame]:
    """run_query for several queries on one cursor: the metric macros are set up once
    (about 50 ms of CPU a cursor, a quarter of the Template page at 10M notifications)."""
    return run_each(con, [(name, {}) for name in names], filters, config, **extra)


def run_each(
    con: Connection,
    queries: Sequence[tuple[str, Mapping[str, Any]]],
    filters: Filters,
    config: Config,
    **extra: Any,
) -> list[pd.DataFrame]:
    """run_queries with each query's own parameters beside the shared `extra` (two
    queries that both take a `$limit`)."""
    params = {**query_params(filters, config), **extra}
    if not isinstance(con, duckdb.DuckDBPyConnection):
        return [con.run_query(name, {**params, **own}) for name, own in queries]
    cur = cursor(con)
    try:
        metric_macros(cur)
        return [execute(cur, name, **{**params, **own}).df() for name, own in queries]
    finally:
        cur.close()


def resolve_as_of(con: Connection, filters: Filters, config: Config) -> datetime | None:
    """The analysis instant: filters.as_of, else the latest event (None for an empty db)."""
    return as_of_value(run_query(con, "metrics/instant", filters, config))


def as_of_value(data_as_of: pd.DataFrame) -> datetime | None:
    """The instant in the frame of queries/metrics/as_of.sql (None for an empty db)."""
    value = data_as_of["as_of"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def signals(df: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Metric columns plus the derived values some flag conditions compare (labelled in the
    catalogue's [[signals]])."""
    allowed = set(config.allowed_severities)
    return df.assign(
        attempted=df["sent"] + df["failed"],
        severity_count=df["severities"].map(len),
        severities_outside_allowed=df["severities"].map(lambda s: len(set(s) - allowed)),
    )


def _excess(value: pd.Series, op: str, threshold: float) -> pd.Series:
    if threshold == 0:
        return value.abs()
    return (value - threshold) / threshold if op == ">" else (threshold - value) / threshold


def condition_holds(
    signal_values: pd.DataFrame, cond: Condition, config: Config
) -> tuple[pd.Series, pd.Series]:
    """Per row: whether `cond` holds (the metric beyond its threshold, with the volume it
    needs), and the metric's value as a float (NaN where undefined)."""
    value = pd.to_numeric(signal_values[cond.signal], errors="coerce").astype(float)
    threshold = config.flags[cond.threshold]
    beyond = (value > threshold) if cond.op == ">" else (value < threshold)
    if cond.needs_volume:
        beyond &= signal_values[cond.volume] >= config.min_volume
    return beyond.fillna(False).astype(bool), value


def apply_flags(df: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The metrics with `flags`, `noisy` and `noise_score` added, ranked worst first."""
    signal_values = signals(df, config)
    fired: dict[str, pd.Series] = {}
    excess: dict[str, pd.Series] = {}
    for flag in FLAGS:
        hit = pd.Series(False, index=df.index)
        far = pd.Series(0.0, index=df.index)
        for cond in flag.conditions:
            beyond, value = condition_holds(signal_values, cond, config)
            threshold = config.flags[cond.threshold]
            hit |= beyond
            far = far.where(~beyond, far.combine(_excess(value, cond.op, threshold), max))
        fired[flag.name] = hit
        excess[flag.name] = far.clip(upper=config.noise_score.max_excess)

    out = df.copy()
    out["flags"] = [[name for name in FLAG_NAMES if fired[name].iloc[i]] for i in range(len(df))]
    out["noisy"] = pd.Series(False, index=df.index)
    for name in NOISY_FLAGS:
        out["noisy"] |= fired[name]
    weights = config.noise_score.weights
    signal_sum = sum(
        (weights.get(name, 0.0) * excess[name] * fired[name] for name in FLAG_NAMES),
        start=pd.Series(0.0, index=df.index),
    )
    offset = config.noise_score.noisy_offset
    volume = df["sent"].astype(float).map(lambda n: math.log2(1 + n))
    raw = (volume * (1 + signal_sum)).clip(upper=max(offset - 1, 0))
    out["noise_score"] = (offset * out["noisy"].astype(float) + raw).round(6)
    # What users read: the score without the offset that only orders noisy above quiet
    # (shown beside the noisy marker, so 291.0 NOISY, not 1000291.0).
    out["score"] = raw.round(1)
    # Sorting on `noisy` first keeps the promise even if a config sets a tiny offset.
    out = out.sort_values(
        ["noisy", "noise_score", "template"], ascending=[False, False, True], kind="stable"
    )
    return out.reset_index(drop=True)


def _ranked(df: pd.DataFrame, config: Config) -> pd.DataFrame:
    for col in ("severities", "scopes"):
        df[col] = df[col].map(lambda v: [str(x) for x in v] if v is not None else [])
    return apply_flags(df, config)


def _record(row: pd.Series) -> dict[str, Any]:
    return {str(k): jsonable(v) for k, v in row.to_dict().items()}


def compute_metrics(con: Connection, filters: Filters, config: Config) -> pd.DataFrame:
    """One row per template: `template`, every SPEC metric (plus `failed`, a count),
    `flags` (list of names), `noisy`, `noise_score` (the ranking key) and `score` (what
    users read: noise_score without the noisy offset), sorted by noise_score descending."""
    return _ranked(run_query(con, "metrics/per_template", filters, config), config)


def overall_metrics(con: Connection, filters: Filters, config: Config) -> dict[str, Any]:
    """The SPEC metrics over every notification in the window together (one record)."""
    return _record(run_query(con, "metrics/overall", filters, config).iloc[0])


@dataclass(frozen=True)
class MetricsWithTotal:
    templates: pd.DataFrame  # compute_metrics
    overall: dict[str, Any]  # overall_metrics


def metrics_with_total(
    con: Connection,
    filters: Filters,
    config: Config,
    *,
    total_distinct: bool = True,
    quantiles: bool = True,
) -> MetricsWithTotal:
    """compute_metrics and overall_metrics together, from one pass over the window
    (queries/metrics/with_total.sql): what a page showing both should call.

    Without total_distinct the overall record's `recipients` and percentiles are None:
    they cost most of the total and the checklist reads none of them. Without quantiles
    no row has percentiles (the checklist's items read none).
    """
    options = with_total_options(total_distinct=total_distinct, quantiles=quantiles)
    frame = run_query(con, WITH_TOTAL, filters, config, **options)
    return split_total(frame, config, total_distinct)


# One pass for the ranking and the total (queries/metrics/with_total.sql).
WITH_TOTAL = "metrics/with_total"


def with_total_options(*, total_distinct: bool, quantiles: bool) -> dict[str, bool]:
    """The parameters of WITH_TOTAL for these options (percentiles need the total's
    distinct part or the templates' quantiles)."""
    return {"total_distinct": total_distinct, "quantiles": quantiles or total_distinct}


def split_total(df: pd.DataFrame, config: Config, total_distinct: bool) -> MetricsWithTotal:
    """The ranked templates and the overall record of a WITH_TOTAL frame."""
    total = df["is_total"].astype(bool)
    templates = df.loc[~total].drop(columns="is_total").reset_index(drop=True)
    if not total_distinct:
        # The total's NULL made the column float; every template has its count.
        templates["recipients"] = templates["recipients"].astype("int64")
    overall = df.loc[total].drop(columns=["is_total", "template"]).iloc[0]
    return MetricsWithTotal(_ranked(templates, config), _record(overall))


def jsonable(value: Any) -> Any:
    """A JSON-ready Python value from a pandas/numpy cell."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime):
        return _iso(pd.Timestamp(value).to_pydatetime())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    aware = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return aware.isoformat()


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a metrics frame as JSON-ready dicts (NaN -> None, numpy -> Python)."""
    return [{str(k): jsonable(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def metrics_json(con: Connection, filters: Filters, config: Config) -> dict[str, Any]:
    """The `metrics --format json` object of SPEC.md "Command line"."""
    # One cursor for both: the metric macros are set up once.
    instant, per_template = run_queries(
        con, ["metrics/instant", "metrics/per_template"], filters, config
    )
    return {
        "as_of": _iso(as_of_value(instant)),
        "since": _iso(filters.since),
        "until": _iso(filters.until),
        "templates": records(_ranked(per_template, config)),
    }
