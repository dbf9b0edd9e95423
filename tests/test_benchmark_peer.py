"""The benchmark's pandas and polars peers and its lower bound give the same numbers as the
SQL on a generated log, so the comparisons in benchmarks/results.md compare like with like."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from template_noise import db
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import metrics_json

from benchmarks import bound, pandas_peer, polars_peer
from benchmarks.generate import generate
from benchmarks.pandas_peer import compute, records
from benchmarks.run import compare

Peer = Callable[[Path], list[dict[str, Any]]]
PEERS: dict[str, Peer] = {
    "pandas": lambda log: pandas_peer.records(pandas_peer.compute(log)),
    "polars": lambda log: polars_peer.records(polars_peer.compute(log)),
}


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


def test_polars_peer_agrees_with_sql_on_every_metric(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    generate(log, 3000, days=10)
    con = db.connect(None)
    ingest(con, [log])
    sql = metrics_json(con, Filters(), load_config())["templates"]
    peer = PEERS["polars"](log)
    assert len(peer) == 10
    # every metric of every template (cta_click_rate is null on both: no CTAs generated)
    assert compare(sql, peer, "polars") == 10 * 25
    assert any(t["duplicates"] > 0 for t in peer) and any(t["failed"] > 0 for t in peer)


T0 = datetime(2024, 1, 1)
COLUMNS = {
    "event_id": pa.string(), "event_type": pa.string(), "occurred_at": pa.timestamp("us"),
    "notification_id": pa.string(), "user_id": pa.string(), "template": pa.string(),
    "title": pa.string(), "body": pa.string(), "severity": pa.string(),
    "metadata": pa.string(), "expires_hours": pa.int32(), "dedup_key": pa.string(),
    "attempt": pa.int32(),
}  # fmt: skip


def _event(kind: str, nid: str, minute: float, **fields: Any) -> dict[str, Any]:
    return {"event_id": f"{nid}-{kind}-{minute}", "event_type": kind, "notification_id": nid,
            "occurred_at": T0 + timedelta(minutes=minute), **fields}  # fmt: skip


def _send(kind: str, nid: str, minute: float, user: str, template: str = "a",
          metadata: str | None = '{"x": 1, "y": 2}', **fields: Any) -> dict[str, Any]:  # fmt: skip
    return _event(kind, nid, minute, user_id=user, template=template, title="Hi", body="Hi.",
                  severity="info", metadata=metadata, dedup_key=f"{template}:{user}",
                  **fields)  # fmt: skip


def _hand_written_log(path: Path) -> None:
    """Template a: five notifications, four created (n1-n4), one failed (n5).
    n2 repeats n1's dedup_key for u1 30 minutes later: a duplicate. n1 is read, delivered
    after 2 s, and expires after 1 h (read before); n2 expires unread. n3 is archived unread
    and its metadata lacks "y" (drift); n4's keys come in another order (no drift) and it
    needed a second attempt. Template b: one created notification whose metadata is a JSON
    array (invalid). The last event, n3's archive at day 2, is `as_of`."""
    rows = [
        _send("sent", "n1", 600, "u1", expires_hours=1, attempt=1),
        _event("delivered", "n1", 600 + 2 / 60),
        _event("read", "n1", 605),
        _send("sent", "n2", 630, "u1", expires_hours=1, attempt=1),
        _send("sent", "n3", 660, "u2", metadata='{"x": 1}', attempt=1),
        _event("archived", "n3", 2 * 1440),
        _send("send_failed", "n4", 700, "u3", attempt=1),
        _send("sent", "n4", 701, "u3", metadata='{"y": 2, "x": 1}', attempt=2),
        _send("send_failed", "n5", 710, "u4", attempt=1),
        _send("sent", "n6", 720, "u1", template="b", metadata="[1, 2]", attempt=1),
    ]
    table = pa.table({c: [r.get(c) for r in rows] for c in COLUMNS},
                     schema=pa.schema(list(COLUMNS.items())))  # fmt: skip
    pq.write_table(table, path)


@pytest.mark.parametrize("who", sorted(PEERS))
def test_peer_on_a_hand_written_log(tmp_path: Path, who: str) -> None:
    log = tmp_path / "log.parquet"
    _hand_written_log(log)
    con = db.connect(None)
    ingest(con, [log])
    sql = metrics_json(con, Filters(), load_config())["templates"]
    peer = PEERS[who](log)
    assert compare(sql, peer, who) == 2 * 25
    a, b = peer
    assert (a["template"], a["sent"], a["failed"], a["recipients"]) == ("a", 4, 1, 3)
    assert a["max_per_user_day"] == 2  # n1 and n2 to u1 on 1 January
    assert a["duplicate_rate"] == 1 / 4  # n2
    assert (a["read_rate"], a["archived_unread_rate"], a["star_rate"]) == (1 / 4, 1 / 4, 0)
    assert (a["expiry_coverage"], a["expired_unread_rate"]) == (2 / 4, 1 / 2)  # n1, n2; n2
    assert (a["failure_rate"], a["retry_rate"], a["max_attempts"]) == (1 / 5, 1 / 5, 2)
    assert (a["metadata_drift_rate"], a["metadata_invalid_rate"]) == (1 / 4, 0)  # n3
    assert (a["delivery_rate"], a["delivery_p50_s"]) == (1 / 4, 2.0)
    assert (b["template"], b["sent"], b["metadata_invalid_rate"]) == ("b", 1, 1.0)
