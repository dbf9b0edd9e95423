"""Per-template daily roll-ups: written by Spark, read back on one machine.

`template-noise spark-rollups` runs queries/metrics/daily.sql on Spark (the cluster does
the notification-level work) and writes its rows as Parquet under <out>/template_daily/;
`template-noise metrics --rollups <out>` recomputes the additive metrics from them with
DuckDB (queries/metrics/from_rollups.sql). Which metrics roll up, and which need the
notification-level data, is documented in metrics/daily.sql and docs/spark.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
from template_noise.config import Config
from template_noise.errors import InputError
from template_noise.filters import Filters
from template_noise.metrics import apply_flags, jsonable, query_params, records, run_query

if TYPE_CHECKING:
    from template_noise.spark.engine import SparkEngine

TABLE = "metrics/daily"  # the query
DIRECTORY = "template_daily"  # where its rows go under --out (docs/spark.md)


def write_rollups(engine: SparkEngine, out_dir: str, filters: Filters, config: Config) -> str:
    """Run metrics/daily.sql on Spark and write it to <out_dir>/template_daily (Parquet,
    replaced if present); returns that directory. Rows never pass through the driver."""
    target = f"{out_dir.rstrip('/')}/{DIRECTORY}"
    text = engine.sql(TABLE, query_params(filters, config))
    engine.spark.sql(text).write.mode("overwrite").parquet(target)
    return target


def rollup_glob(out_dir: str | Path) -> str:
    """The Parquet files of the roll-ups under out_dir (as write_rollups lays them out)."""
    base = Path(out_dir)
    if not (base / DIRECTORY).is_dir():
        raise InputError(
            f"{out_dir}: no {DIRECTORY}/ roll-ups here (template-noise spark-rollups --out)"
        )
    return str(base / DIRECTORY / "*.parquet")


def rollup_metrics(
    con: duckdb.DuckDBPyConnection, out_dir: str | Path, filters: Filters, config: Config
) -> pd.DataFrame:
    """The template metrics from roll-ups, with flags and noise_score (recipients and the
    delivery percentiles are None: they need the notification-level data)."""
    df = run_query(con, "metrics/from_rollups", filters, config, rollups=rollup_glob(out_dir))
    for col in ("severities", "scopes"):
        df[col] = df[col].map(lambda v: [str(x) for x in v] if v is not None else [])
    return apply_flags(df, config)


def rollup_daily(
    con: duckdb.DuckDBPyConnection, out_dir: str | Path, filters: Filters, config: Config
) -> pd.DataFrame:
    """Per template and UTC day in the window: sent, failed, duplicates and the day's
    duplicate and read rates (queries/metrics/rollups_daily.sql), for charts of days."""
    return run_query(con, "metrics/rollups_daily", filters, config, rollups=rollup_glob(out_dir))


@dataclass(frozen=True)
class RollupSpan:
    """What a set of roll-ups covers: its days, its templates, the instant it was computed as of."""

    as_of: datetime | None
    days: int
    templates: int
    first_day: date | None
    last_day: date | None


def _day(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def rollup_span(con: duckdb.DuckDBPyConnection, out_dir: str | Path, config: Config) -> RollupSpan:
    row = run_query(
        con, "metrics/rollups_as_of", Filters(), config, rollups=rollup_glob(out_dir)
    ).iloc[0]
    as_of = None if pd.isna(row["as_of"]) else pd.Timestamp(row["as_of"]).to_pydatetime()
    return RollupSpan(
        as_of=as_of,
        days=int(row["days"]),
        templates=int(row["templates"]),
        first_day=_day(row["first_day"]),
        last_day=_day(row["last_day"]),
    )


def rollup_version(out_dir: str | Path) -> str:
    """Changes when `spark-rollups` rewrites the roll-ups (names, sizes and times of their
    files): a cache key, so a dashboard shows the new roll-ups without a restart."""
    files = sorted(Path(rollup_glob(out_dir)).parent.glob("*.parquet"))
    return ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def rollup_metrics_json(
    con: duckdb.DuckDBPyConnection, out_dir: str | Path, filters: Filters, config: Config
) -> dict[str, Any]:
    """The `metrics --format json` object, from roll-ups (as_of: the roll-ups' as_of)."""
    row = run_query(con, "metrics/rollups_as_of", filters, config, rollups=rollup_glob(out_dir))
    return {
        "as_of": jsonable(row["as_of"].iloc[0]),
        "since": jsonable(filters.since),
        "until": jsonable(filters.until),
        "templates": records(rollup_metrics(con, out_dir, filters, config)),
    }
