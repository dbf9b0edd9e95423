"""Every query in queries/ that Spark can run gives the same result on DuckDB and on Spark.

Issue 7's acceptance: on the bundled sample (its 3 bad lines are rejected by the DuckDB
ingest before Spark sees the events) and on a generated log of 100k notifications, every
query over `events` runs on both engines and agrees: counts equal, rates within 1e-9.
The query list comes from queries/, so a new query joins this test the moment it exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from parity import assert_same_frames, same
from template_noise import catalogue, db
from template_noise.checklist import CONTEXT_KEYS
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import run_query
from template_noise.queries import names
from template_noise.spark.sql import runs_on_spark

from benchmarks.generate import generate

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"
BENCH_NOTIFICATIONS = 100_000

QUERIES = [name for name in names() if runs_on_spark(name)]
EXTRA: dict[str, Any] = {"unit": "day", "limit": 25, "total_distinct": True, "quantiles": True}

pytestmark = pytest.mark.spark


def test_the_parity_list_is_every_query_over_events() -> None:
    # What stays out reads the DuckDB database's own tables (loads, rejects, sign-offs) or
    # is DuckDB-specific on purpose; anything else must be portable.
    assert len(QUERIES) >= 20
    for name in ("metrics/per_template", "metrics/overall", "checklist/payload_conventions",
                 "checklist/inbox_flows", "checklist/realtime_reconnection", "metrics/as_of",
                 "metrics/notifications"):  # fmt: skip
        assert name in QUERIES


class Pair:
    """The same events on both engines: a DuckDB database and a Spark engine over its export."""

    def __init__(self, con: duckdb.DuckDBPyConnection, engine: Any) -> None:
        self.con = con
        self.engine = engine
        self.template = str(run_query(con, "metrics/per_template", Filters(), load_config(None))
                            .sort_values(["sent", "template"], ascending=False)["template"].iloc[0])  # fmt: skip

    def check(self, name: str, filters: Filters | None = None, **extra: Any) -> None:
        config = load_config(None)
        filters = filters or Filters()
        params = {**EXTRA, "template": self.template, **extra}
        duck = run_query(self.con, name, filters, config, **params)
        spark = run_query(self.engine, name, filters, config, **params)
        assert_same_frames(duck, spark, f"{name}.sql")


_PAIRS: dict[str, Pair] = {}


def _pair(label: str, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """The engines over one data set, built once per test session."""
    from template_noise.spark.engine import open_engine

    if label not in _PAIRS:
        con = db.connect()
        if label == "sample":
            report = ingest(con, [SAMPLE])
            assert report.rejected == 3  # the sample's deliberately bad lines
        else:
            log = tmp_path_factory.mktemp("gen") / "log.parquet"
            generate(log, BENCH_NOTIFICATIONS, "parquet")
            ingest(con, [log])
        engine = open_engine([], spark=spark, duckdb_con=con)
        engine.events.cache()
        _PAIRS[label] = Pair(con, engine)
    return _PAIRS[label]


@pytest.fixture(scope="module", params=["sample", "generated_100k"])
def pair(
    request: pytest.FixtureRequest, spark: Any, tmp_path_factory: pytest.TempPathFactory
) -> Pair:
    return _pair(request.param, spark, tmp_path_factory)


@pytest.fixture(scope="module")
def sample(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return _pair("sample", spark, tmp_path_factory)


@pytest.fixture(scope="module", autouse=True)
def _release() -> Iterator[None]:
    yield
    for p in _PAIRS.values():
        p.engine.events.unpersist()
        p.engine.close()
        p.con.close()
    _PAIRS.clear()


@pytest.mark.parametrize("name", QUERIES)
def test_query_same_on_duckdb_and_spark(pair: Pair, name: str) -> None:
    pair.check(name)


FILTERED = Filters(
    since=datetime(2026, 10, 5), until=datetime(2026, 10, 20), severities=("warning", "info"),
    scopes=("user",), template_search="e", dedup_window_minutes=180,
)  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "metrics/per_template",
        "metrics/overall",
        "checklist/payload_conventions",
        "metrics/notifications",
    ],
)
def test_filters_bind_the_same_on_both_engines(sample: Pair, name: str) -> None:
    sample.check(name, FILTERED)


def test_a_hostile_search_string_is_a_value_on_spark(sample: Pair) -> None:
    # Bound as a literal node: quotes and backslashes stay text, never SQL.
    sample.check("metrics/per_template", Filters(template_search="x' OR '1'='1 \\' --"))
    sample.check("metrics/per_template", Filters(as_of=datetime(2026, 10, 15, 12)))


def _same_json(a: Any, b: Any, path: str = "$") -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _same_json(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_json(x, y, f"{path}[{i}]")
    else:
        assert same(a, b), f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("command", ["metrics", "check"])
def test_cli_engine_spark_prints_the_same_json(
    command: str, sample: Pair, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command as a user runs it, on the raw sample (normalised by the DuckDB ingest);
    # in this process, so it shares the test session's Spark instead of starting one.
    from template_noise.cli import main

    duck_code = main([command, str(SAMPLE), "--format", "json"])
    duck = capsys.readouterr().out
    spark_code = main([command, str(SAMPLE), "--format", "json", "--engine", "spark"])
    spk = capsys.readouterr().out
    assert spark_code == duck_code
    duck_doc, spark_doc = json.loads(duck), json.loads(spk)
    if command == "check":
        # Where the result stands (fingerprints, data age, sign-off) is the database's to
        # say: Spark reads files and reports the checklist alone.
        assert set(CONTEXT_KEYS) <= duck_doc.keys() and not set(CONTEXT_KEYS) & spark_doc.keys()
        duck_doc = {k: v for k, v in duck_doc.items() if k not in CONTEXT_KEYS}
    _same_json(duck_doc, spark_doc)


# need notification-level data
ROLLED_UP = tuple(m.name for m in catalogue.load().metrics if not m.additive)


def test_rollups_written_by_spark_give_the_additive_metrics(pair: Pair, tmp_path: Path) -> None:
    from template_noise.metrics import compute_metrics
    from template_noise.spark.rollups import rollup_metrics, write_rollups

    config = load_config(None)
    write_rollups(pair.engine, str(tmp_path), Filters(), config)
    from_rollups = rollup_metrics(db.connect(), tmp_path, Filters(), config)
    direct = compute_metrics(pair.con, Filters(), config)
    assert from_rollups[list(ROLLED_UP)].isna().all().all()
    keep = [c for c in direct.columns if c not in ROLLED_UP]
    by_template = direct[keep].sort_values("template").reset_index(drop=True)
    assert_same_frames(by_template, from_rollups[keep].sort_values("template").reset_index(drop=True),
                       "roll-ups")  # fmt: skip
