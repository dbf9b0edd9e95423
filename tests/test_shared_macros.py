"""A read-only snapshot defines the metric macros once, for all of its cursors
(queries.share_metric_macros), instead of on each cursor: its cursors define none, read the
snapshot's data through them, give the numbers a cursor's own macros give, and a cursor's
own temp macro (a what-if replay's state) still wins over the shared one."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from events_fixture import NO_FILTERS, config, event, sent, write_jsonl
from template_noise import db, queries, store
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics
from template_noise.whatif import parse_policy, simulate

CFG = config(min_volume=1)

# Three notifications of T to u1, the second 30 minutes after the first with the same title
# and body (a duplicate within 60 minutes), the third two hours later; only the first is read.
EVENTS = [
    sent("a", 0, body="same"),
    sent("b", 30, body="same"),
    sent("c", 150, body="same"),
    event("read", "a", 5),
]


def published(tmp_path: Path) -> Path:
    path = tmp_path / "tn.duckdb"
    with store.writer(path) as con:
        ingest(con, [write_jsonl(tmp_path / "events.jsonl", EVENTS)])
    return path


def macros_a_cursor_defines(con: duckdb.DuckDBPyConnection) -> int:
    """How many of three metric macros a new cursor of `con` defines as its own (temp)
    when made ready for the metric queries."""
    cur = queries.cursor(con)
    try:
        queries.metric_macros(cur)
        row = cur.execute(
            "SELECT count(*) FROM duckdb_functions() WHERE database_name = 'temp'"
            " AND function_name IN ('tn_metrics', 'tn_state', 'tn_notifications')"
        ).fetchone()
    finally:
        cur.close()
    assert row is not None
    return int(row[0])


def test_snapshot_cursors_use_the_shared_macros_and_define_none(tmp_path: Path) -> None:
    snapshot = db.connect(published(tmp_path), read_only=True)
    assert macros_a_cursor_defines(snapshot) == 0
    row = compute_metrics(snapshot, NO_FILTERS, CFG).set_index("template").loc["T"]
    # 3 sent, b repeats a within 60 minutes (c is 120 minutes after b), 1 of 3 read
    assert (row["sent"], row["duplicates"], row["read_rate"]) == (3, 1, 1 / 3)
    snapshot.close()


def test_a_writable_connection_defines_its_own_and_agrees(tmp_path: Path) -> None:
    path = published(tmp_path)
    writable = db.connect(path)
    assert macros_a_cursor_defines(writable) == 3
    own = compute_metrics(writable, NO_FILTERS, CFG)
    writable.close()
    snapshot = db.connect(path, read_only=True)
    pd.testing.assert_frame_equal(compute_metrics(snapshot, NO_FILTERS, CFG), own)
    snapshot.close()


def test_a_replay_on_a_snapshot_reads_its_own_state(tmp_path: Path) -> None:
    # The replay redefines tn_state_replayed on its cursor; the shared tn_notifications
    # must then read the replayed notifications, not the logged ones.
    snapshot = db.connect(published(tmp_path), read_only=True)
    sim = simulate(snapshot, parse_policy({"default": {"dedup_window_minutes": 60}}), CFG)
    r = dict(sim.templates.set_index("template").loc["T"])
    # b is suppressed (30 minutes after a); c, 150 minutes after a, is kept
    assert (r["sent"], r["kept"], r["suppressed_dedup"]) == (3, 2, 1)
    after = sim.after.set_index("template").loc["T"]
    assert (after["sent"], after["duplicates"]) == (2, 0)
    snapshot.close()
