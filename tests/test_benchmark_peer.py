"""The benchmark's pandas peer and the SQL give the same numbers on a generated log, so the
speed comparison in benchmarks/results.md compares like with like."""

from __future__ import annotations

from pathlib import Path

from benchmarks.generate import generate
from benchmarks.pandas_peer import compute, records
from benchmarks.run import compare
from dashboard import db
from dashboard.config import load_config
from dashboard.filters import Filters
from dashboard.ingest import ingest
from dashboard.metrics import metrics_json


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
