"""Many sessions of the dashboard read one snapshot connection at once, from their own
threads, while an ingest publishes and the snapshot is reopened (what a served dashboard
does under a team's load). No query may fail, each answers from one published state, and a
reopen never closes the snapshot under a query still running on it."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
from template_noise import db, queries, series, signoff, store
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics
from test_crash_safety import write_log

THREADS = 8


def version_of(dbfile: Path) -> str:
    """data_version of the published file, read on a connection of its own."""
    con = db.connect(dbfile, read_only=True)
    try:
        return series.data_version(con)
    finally:
        con.close()


def publish(dbfile: Path, log: Path) -> str:
    """Load `log` into the file as `template-noise ingest --db` does beside a dashboard."""
    with store.writer(dbfile) as con:  # copy-on-write: a Reader is registered
        ingest(con, [log])
    return version_of(dbfile)


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    log = tmp_path / "day0.jsonl"
    write_log(log, range(0, 2000))
    path = tmp_path / "tn.duckdb"
    with store.writer(path) as con:
        ingest(con, [log])
    return path


def in_threads(n: int, work: Callable[[int], None]) -> list[str]:
    """Run work(i) in n threads started together; the errors they raised, as text."""
    errors: list[str] = []
    start = threading.Barrier(n)

    def body(i: int) -> None:
        start.wait()
        try:
            work(i)
        except Exception as e:  # collected and asserted by the caller
            errors.append(f"thread {i}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def test_threads_run_queries_on_one_snapshot_connection(dbfile: Path) -> None:
    """Every session's first query (data_version) and the ranking, on the one connection
    the dashboard shares: each on its own cursor, so none is refused as busy and none
    resolves its tables in the wrong catalog."""
    reader = store.Reader(dbfile)
    con = reader.connection()
    want_version = version_of(dbfile)
    cfg = load_config()
    want_sent = int(compute_metrics(con, Filters(), cfg)["sent"].sum())
    rounds = 40
    seen: list[list[tuple[str, int]]] = [[] for _ in range(THREADS)]

    def work(i: int) -> None:
        for k in range(rounds):
            version = series.data_version(con)
            sent = int(compute_metrics(con, Filters(), cfg)["sent"].sum()) if k % 8 == 0 else -1
            seen[i].append((version, sent))

    errors = in_threads(THREADS, work)
    assert errors == []
    flat = [s for per in seen for s in per]
    assert len(flat) == THREADS * rounds
    assert {v for v, _ in flat} == {want_version}
    assert {s for _, s in flat if s >= 0} == {want_sent}


def test_threads_read_the_signoff_history_on_one_snapshot_connection(dbfile: Path) -> None:
    """The Checklist page of every session reads the sign-off history and verifies its
    chain on the shared snapshot (both read the schema version first)."""
    for who in ("Ana", "Ben"):
        with store.writer(dbfile) as con:
            signoff.record(con, name=who, role="release owner", result={"status": "pass"})
    reader = store.Reader(dbfile)
    con = reader.connection()
    seen: list[tuple[tuple[str, ...], int, bool, str]] = []

    def work(i: int) -> None:
        for _ in range(10):
            names = tuple(s.name for s in signoff.history(con))
            chain = signoff.verify(con)
            seen.append((names, chain.rows, chain.intact, series.data_version(con)))

    errors = in_threads(THREADS, work)
    assert errors == []
    assert len(seen) == THREADS * 10
    assert set(seen) == {(("Ben", "Ana"), 2, True, version_of(dbfile))}


def test_cursor_touches_only_the_cursor(dbfile: Path) -> None:
    """queries.cursor sets a cursor up without running anything on the shared connection:
    a query of another thread may be running there (DuckDB refuses a second call)."""
    reader = store.Reader(dbfile)
    con = reader.connection()
    calls: list[str] = []

    class Spy:
        def cursor(self) -> duckdb.DuckDBPyConnection:
            calls.append("cursor")
            return con.cursor()

        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            return getattr(con, name)

    cur = queries.cursor(Spy())  # type: ignore[arg-type]
    try:
        row = queries.execute(cur, "dashboard/data_version").fetchone()
    finally:
        cur.close()
    assert calls == ["cursor"]
    assert row is not None and row[1] == 4000  # the snapshot's events, not another catalog


def test_threads_keep_answering_while_the_reader_reopens(
    dbfile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sessions ask the Reader for the snapshot and query it in a loop while three loads
    publish: no query fails, every answer is one published state and never goes back in
    time, each thread ends on the last state, and each publish opens one snapshot, not one
    per thread that noticed it."""
    opened: list[Path] = []
    connect = db.connect

    def counting(path: Any = None, **kw: Any) -> duckdb.DuckDBPyConnection:
        if kw.get("read_only"):
            opened.append(Path(path))
            time.sleep(0.05)  # a slow open: threads that notice the publish meanwhile wait
        return connect(path, **kw)

    monkeypatch.setattr(store, "db", SimpleNamespace(connect=counting))  # the store's opens
    reader = store.Reader(dbfile)
    published = [version_of(dbfile)]
    reader.connection()
    assert len(opened) == 1
    logs = []
    for k in range(1, 4):
        log = tmp_path / f"day{k}.jsonl"
        write_log(log, range(k * 2000, k * 2000 + 500))
        logs.append(log)
    done = threading.Event()
    seen: list[list[str]] = [[] for _ in range(THREADS)]

    def work(i: int) -> None:
        while True:
            last = done.is_set()  # read before the query: the last state is then visible
            seen[i].append(series.data_version(reader.connection()))
            if last:
                return

    def loads(i: int) -> None:
        if i == THREADS:  # the writer
            for log in logs:
                time.sleep(0.2)
                published.append(publish(dbfile, log))
            time.sleep(0.2)
            done.set()
        else:
            work(i)

    errors = in_threads(THREADS + 1, loads)
    assert errors == []
    order = {v: n for n, v in enumerate(published)}
    assert len(order) == 4
    for per in seen:
        assert set(per) <= set(order), f"a state that was never published: {set(per) - set(order)}"
        ranks = [order[v] for v in per]
        assert ranks == sorted(ranks), "a thread saw an older state after a newer one"
        assert per[-1] == published[-1]
    assert len({v for per in seen for v in per}) >= 2  # the reopens happened under the threads
    assert len(opened) == 4, f"{len(opened)} snapshots opened for 3 publishes"


def test_a_reopen_leaves_a_running_query_its_snapshot(dbfile: Path, tmp_path: Path) -> None:
    """A query still running on the old snapshot when a publish makes the Reader reopen
    finishes on the old snapshot, even once nothing but its cursor holds that snapshot."""
    reader = store.Reader(dbfile)
    old = reader.connection()
    cur = queries.cursor(old)
    started, result = threading.Event(), []

    def slow() -> None:
        started.set()
        # Long enough to be running while the publish and the reopen happen.
        row = cur.execute(
            "SELECT count(*) FROM events a, events b WHERE a.event_id < b.event_id"
        ).fetchone()
        result.append(row)

    t = threading.Thread(target=slow)
    t.start()
    started.wait()
    log = tmp_path / "day1.jsonl"
    write_log(log, range(5000, 5500))
    publish(dbfile, log)
    new = reader.connection()
    assert new is not old
    del old
    gc.collect()
    t.join(timeout=120)
    assert result == [(4000 * 3999 // 2,)]
    assert queries.execute(cur, "dashboard/data_version").fetchone()[1] == 4000  # type: ignore[index]
    cur.close()
    assert series.data_version(new).endswith(":5000")


def test_the_dashboard_pairs_each_snapshot_with_its_version(
    dbfile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ui hands every session the one cached snapshot with the version it shows: the same
    pair until a publish, then the new snapshot with a new version, the old one still
    answering for a page that holds it."""
    import streamlit as st
    from template_noise.app import ui

    monkeypatch.setenv(ui.DB_ENV, str(dbfile))
    st.cache_resource.clear()
    try:
        pairs: list[tuple[duckdb.DuckDBPyConnection, str]] = []
        errors = in_threads(THREADS, lambda i: pairs.append(ui._snapshot()))
        assert errors == []
        first_con, first_version = pairs[0]
        assert all(con is first_con and v == first_version for con, v in pairs)
        assert ui.data_version() == first_version
        log = tmp_path / "day1.jsonl"
        write_log(log, range(5000, 5500))
        publish(dbfile, log)
        con, version = ui._snapshot()
        assert con is not first_con and version != first_version
        assert series.data_version(first_con).endswith(":4000")
        assert series.data_version(con).endswith(":5000")
    finally:
        st.cache_resource.clear()
