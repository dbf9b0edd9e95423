"""The Spark engine: queries/ on Apache Spark through pyspark (`--engine spark`).

What runs where (docs/spark.md):

- Spark reads the *normalised* event log, the `events` table of queries/store/schema.sql, as
  Parquet or JSON Lines (written by `template-noise export`, or by any job that writes the
  same columns), and runs every metric query on it, transpiled by template_noise.spark.sql.
- Raw logs given as local files are normalised first by the DuckDB ingest (queries/
  ingest/normalize.sql: JSON parsing, rejects, template inference, fingerprints) into a temporary
  Parquet export, which Spark then reads. The rejects are those of `ingest`, exactly.

pyspark is imported only here (the `spark` extra); the default install never loads it.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from template_noise.errors import InputError, QueryError
from template_noise.spark.sql import spark_sql

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# The columns of `events` (queries/store/schema.sql) as Spark types. fingerprint is DuckDB's
# UBIGINT, which Parquet stores as unsigned INT64 and Spark reads as DECIMAL(20, 0).
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "STRING"), ("event_type", "STRING"), ("occurred_at", "TIMESTAMP_NTZ"),
    ("notification_id", "STRING"), ("user_id", "STRING"), ("organization_id", "STRING"),
    ("workspace_id", "STRING"), ("template", "STRING"), ("template_source", "STRING"),
    ("title", "STRING"), ("body", "STRING"), ("severity", "STRING"), ("ctas", "STRING"),
    ("cta_count", "INT"), ("metadata", "STRING"), ("fingerprint", "DECIMAL(20,0)"),
    ("expires_hours", "DOUBLE"), ("expires_at", "TIMESTAMP_NTZ"), ("dedup_key", "STRING"),
    ("attempt", "INT"), ("error", "STRING"), ("connection_id", "STRING"),
    ("used_expires_in_hours", "BOOLEAN"), ("cta_url_alias", "BOOLEAN"),
    ("action_url_with_ctas", "BOOLEAN"), ("source_file", "STRING"), ("source_line", "BIGINT"),
    ("load_id", "INT"),
)  # fmt: skip
EVENT_NAMES = frozenset(n for n, _ in EVENT_COLUMNS)
_VIEWS = itertools.count(1)
EVENTS_SUFFIXES = (".parquet", ".jsonl", ".ndjson", ".json")

# Settings for a small local run (tests, a laptop); a cluster brings its own.
LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.showConsoleProgress": "false",
}


def session(
    master: str | None = None, conf: dict[str, str] | None = None, app_name: str = "template-noise"
) -> SparkSession:
    """A SparkSession in UTC. master None: whatever spark-submit or the environment set,
    else local mode on every core."""
    try:
        with warnings.catch_warnings():
            # pyspark warns that it is not tested with pandas 3; the Arrow path used here is.
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql import SparkSession
    except ImportError as e:
        raise InputError("--engine spark needs pyspark: pip install 'template-noise[spark]'") from e
    builder = SparkSession.builder.appName(app_name)
    launched = bool(os.environ.get("PYSPARK_GATEWAY_PORT"))  # started by spark-submit
    if master:
        builder = builder.master(master)
    elif not launched:
        builder = builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
    if (master or "local").startswith("local") and not launched:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        for key, value in LOCAL_CONF.items():
            builder = builder.config(key, value)
    # Every timestamp is UTC (events store naive UTC, as TIMESTAMP_NTZ).
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _typed(df: DataFrame) -> DataFrame:
    """The events columns, in order and cast to their types (absent ones as NULL)."""
    from pyspark.sql import functions as F

    present = set(df.columns)
    missing = {"event_id", "event_type", "occurred_at"} - present
    if missing:
        raise InputError(f"not an events export: missing columns {sorted(missing)}")
    return df.select(
        *[
            (F.col(f"`{n}`") if n in present else F.lit(None)).cast(t).alias(n)
            for n, t in EVENT_COLUMNS
        ]
    )


def read_events(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """The events exports at `paths` (Parquet, or JSON Lines by suffix) as one DataFrame with
    the `events` columns; an event_id given by more than one file counts once."""
    parquet = [p for p in paths if not p.lower().endswith((".jsonl", ".ndjson", ".json"))]
    jsonl = [p for p in paths if p not in parquet]
    frames = []
    try:
        if parquet:
            frames.append(_typed(spark.read.parquet(*parquet)))
        if jsonl:
            # Every column as text first (JSON objects stay JSON text), then typed.
            schema = ", ".join(f"`{n}` STRING" for n, _ in EVENT_COLUMNS)
            frames.append(_typed(spark.read.schema(schema).json(jsonl)))
    except Exception as e:  # pyspark raises AnalysisException, Py4JJavaError...
        if isinstance(e, InputError):
            raise
        raise InputError(f"cannot read events from {', '.join(paths)}: {_first_line(e)}") from e
    if not frames:
        raise InputError("no events files given")
    events = frames[0]
    for f in frames[1:]:
        events = events.unionByName(f)
    if len(paths) > 1:
        # Loading the same events twice adds nothing, as in DuckDB (first by file, line).
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        first = Window.partitionBy("event_id").orderBy("source_file", "source_line")
        events = (
            events.withColumn("tn_rn", F.row_number().over(first))
            .where(F.col("tn_rn") == 1)
            .drop("tn_rn")
        )
    return events


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def is_events_file(path: str) -> bool:
    """True for a local Parquet or JSON Lines file that already holds the `events` columns
    (an export), False for a raw notification log that still needs normalising."""
    lower = path.lower()
    if lower.endswith(".parquet"):
        import pyarrow.parquet as pq

        return set(pq.read_schema(path).names) >= EVENT_NAMES
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        import json

        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip():
                    try:
                        first = json.loads(line)
                    except ValueError:
                        return False
                    return isinstance(first, dict) and set(first) >= EVENT_NAMES
    return False


def export_events(con: Any, out_dir: str | Path) -> Path:
    """Write the events (and rejects) of a DuckDB database as Parquet into out_dir."""
    from template_noise.queries import execute

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    execute(con, "store/export_events", path=str(out / "events.parquet"))
    execute(con, "store/export_rejects", path=str(out / "rejects.parquet"))
    return out / "events.parquet"


@dataclass
class SparkEngine:
    """Runs queries/<name>.sql on Spark over one `events` DataFrame (a temp view)."""

    spark: SparkSession
    events: DataFrame
    workdir: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    view: str = field(default="", init=False)

    def __post_init__(self) -> None:
        # A view name of its own: engines over other data may share one SparkSession.
        self.view = f"tn_events_{next(_VIEWS)}"
        self.events.createOrReplaceTempView(self.view)

    def sql(self, name: str, params: dict[str, Any]) -> str:
        """queries/<name>.sql as Spark SQL over this engine's events."""
        return spark_sql(name, params, events_table=self.view)

    def run_query(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        """queries/<name>.sql on Spark, as the DataFrame DuckDB would return."""
        text = self.sql(name, params)
        try:
            table = self.spark.sql(text).toArrow()
        except Exception as e:
            raise QueryError(f"{name}.sql on Spark: {_first_line(e)}") from e
        # Dates as datetime64, as DuckDB's .df() returns them.
        df: pd.DataFrame = table.to_pandas(date_as_object=False)
        for col in df.columns:
            # DuckDB returns naive UTC timestamps; Spark's TIMESTAMP comes back zoned.
            if isinstance(df[col].dtype, pd.DatetimeTZDtype):
                df[col] = df[col].dt.tz_convert("UTC").dt.tz_localize(None)
        return df

    def close(self) -> None:
        if self.workdir is not None:
            self.workdir.cleanup()
            self.workdir = None


def open_engine(
    paths: Sequence[str],
    *,
    spark: SparkSession | None = None,
    master: str | None = None,
    conf: dict[str, str] | None = None,
    duckdb_con: Any = None,
    progress: Any = None,
) -> SparkEngine:
    """A SparkEngine over `paths`: events exports are read by Spark as they are; local raw
    logs are normalised by the DuckDB ingest first (same rejects as `ingest`); with
    `duckdb_con` (a --db database) and no paths, that database's events are exported."""
    from template_noise import db
    from template_noise.ingest import expand, ingest

    workdir: tempfile.TemporaryDirectory[str] | None = None
    remote = [p for p in paths if "://" in p]
    local = [p for p in paths if "://" not in p]
    files = expand(local) if local else []
    exports = [f for f in files if is_events_file(f)]
    raw = [f for f in files if f not in exports]
    if raw or duckdb_con is not None:
        workdir = tempfile.TemporaryDirectory(prefix="template-noise-spark-")
        con = duckdb_con if duckdb_con is not None else db.connect()
        if raw:
            ingest(con, raw, progress=progress)
        exports.append(str(export_events(con, workdir.name)))
    sources = [*remote, *exports]
    if not sources:
        raise InputError("--engine spark: give log or events files (PATH...) or --db FILE")
    if spark is None:
        spark = session(master, conf)
    return SparkEngine(spark, read_events(spark, sources), workdir)
