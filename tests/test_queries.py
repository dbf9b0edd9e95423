"""Every SELECT query in queries/ that declares `-- columns:` runs and returns those columns.

Parametrized over the directory, so a new query file is tested the moment it exists: on a
small hand-written log and on the bundled sample (sample_data/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest
from events_fixture import config, load, rich_log
from template_noise import db
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import run_query
from template_noise.queries import columns, names, parameters, statements

SAMPLE = Path(__file__).parent.parent / "sample_data"


def select_queries() -> list[str]:
    # whatif/ queries read a replay's fates (registered by template_noise.whatif.simulate);
    # tests/test_whatif.py checks their columns after a replay.
    found = [n for n in names() if not n.startswith("whatif/")]
    return [
        n
        for n in found
        if columns(n) and all(s.type == duckdb.StatementType.SELECT for s in statements(n))
    ]


# Values for the parameters a query may take beyond the filters and the configuration.
EXTRA: dict[str, Any] = {
    "unit": "day", "limit": 5, "total_distinct": True, "quantiles": True, "submit_token": "t",
    "load_id": 1, "signature": "",
}  # fmt: skip


def rollups_of(con: duckdb.DuckDBPyConnection, tmp: Path) -> str:
    """metrics/daily.sql's rows as a Parquet file in tmp (what `spark-rollups` writes)."""
    daily = run_query(con, "metrics/daily", Filters(), config())
    path = tmp / "part-0.parquet"
    cur = con.cursor()
    cur.register("daily", daily)
    cur.execute("COPY (SELECT * FROM daily) TO $path (FORMAT parquet)", {"path": str(path)})
    cur.close()
    return str(path)


def params_for(con: duckdb.DuckDBPyConnection, name: str, tmp: Path) -> dict[str, Any]:
    extra = dict(EXTRA)
    if "rollups" in parameters(name):
        extra["rollups"] = rollups_of(con, tmp)
    if "template" in parameters(name):
        first = run_query(con, "metrics/per_template", Filters(), config())["template"]
        extra["template"] = str(first.iloc[0])
    return extra


def check_columns(con: duckdb.DuckDBPyConnection, name: str, tmp: Path) -> None:
    known = set(config().query_params()) | set(Filters().params()) | set(EXTRA)
    known |= {"template", "rollups"}
    unknown = parameters(name) - known
    assert not unknown, f"{name}.sql takes {sorted(unknown)}: give them a value in EXTRA"
    df = run_query(con, name, Filters(), config(), **params_for(con, name, tmp))
    assert list(df.columns) == columns(name)


def test_our_metric_queries_are_covered() -> None:
    names = set(select_queries())
    assert {"metrics/per_template", "metrics/overall", "metrics/notifications",
            "checklist/inbox_flows", "checklist/realtime_reconnection",
            "checklist/payload_conventions", "metrics/as_of"} <= names  # fmt: skip


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    return load(tmp_path_factory.mktemp("small"), rich_log())


@pytest.fixture(scope="module")
def sample_db() -> duckdb.DuckDBPyConnection:
    if not SAMPLE.is_dir():
        pytest.skip("no bundled sample at sample_data/")
    con = db.connect(None)
    ingest(con, [SAMPLE])
    return con


@pytest.mark.parametrize("name", select_queries())
def test_query_returns_declared_columns_on_small_log(
    small_db: duckdb.DuckDBPyConnection, name: str, tmp_path: Path
) -> None:
    check_columns(small_db, name, tmp_path)


@pytest.mark.parametrize("name", select_queries())
def test_query_returns_declared_columns_on_sample(
    sample_db: duckdb.DuckDBPyConnection, name: str, tmp_path: Path
) -> None:
    check_columns(sample_db, name, tmp_path)


def test_template_metrics_columns_are_the_spec_metrics() -> None:
    from template_noise.metrics import METRICS

    assert columns("metrics/per_template") == ["template", *METRICS]
    assert columns("metrics/overall") == list(METRICS)
