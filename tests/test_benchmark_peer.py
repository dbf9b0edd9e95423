"""The benchmark's pandas peer and its lower bound give the same numbers as the SQL on a
generated log, so the comparisons in benchmarks/results.md compare like with like."""

from __future__ import annotations

from pathlib import Path

from template_noise import db
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import metrics_json

from benchmarks import bound
from benchmarks.generate import generate
from benchmarks.pandas_peer import compute, records
from benchmarks.run import compare


def test_pandas_peer_agrees_with_sql_on_every_metric(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    generate(log, 3000, days=10)
    con = db.connect(None)
    ingest(con, [log])
    sql = metrics_json(con, Filters(), load_config())["templates"]
    peer = records(compute(log))
    assert len(peer) == 10
    # every metric of every template (cta_click_rate is null on both: no CTAs generated)
    assert compare(sql, peer) == 10 * 25
    assert any(t["duplicates"] > 0 for t in peer) and any(t["failed"] > 0 for t in peer)


def test_bound_agrees_with_sql_on_every_metric(tmp_path: Path) -> None:
    """The bound (the state and metrics over a view on the file, nothing validated) computes
    exactly what ingest + metrics compute: it is a bound on the same work."""
    log = tmp_path / "log.parquet"
    generate(log, 3000, days=10)
    con = db.connect(None)
    ingest(con, [log])
    sql = metrics_json(con, Filters(), load_config())
    raw = bound.compute(log)
    assert raw["as_of"] == sql["as_of"]
    assert len(raw["templates"]) == 10
    # every value of every template, the flags and lists included
    assert compare(raw["templates"], sql["templates"]) == 10 * len(sql["templates"][0])
