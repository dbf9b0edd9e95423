"""notification_state, maintained load by load at ingest (queries/state/refresh.sql), equals
the state computed from all events at once (tn_state_rows over `events`), and the metrics
read from it equal the metrics computed from the events."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from events_fixture import config, event, rich_log, sent, write_jsonl
from template_noise import db
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics, run_query
from template_noise.queries import execute

SAMPLE = Path(__file__).parent.parent / "sample_data"


def _state_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM notification_state ORDER BY notification_id").df()


def _state_from_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    cur = con.cursor()
    execute(cur, "store/session")
    execute(cur, "metrics/macros")
    # as_of = NULL, but with the stamp broken the macro must aggregate `events` itself.
    cur.execute("UPDATE notification_state_stamp SET events = -1")
    try:
        assert not cur.execute("SELECT tn_state_fresh(NULL)").fetchone()[0]  # type: ignore[index]
        cols = ", ".join(_state_table(con).columns)
        return cur.execute(f"SELECT {cols} FROM tn_state(NULL) ORDER BY notification_id").df()
    finally:
        cur.execute("UPDATE notification_state_stamp SET events = (SELECT count(*) FROM events)")
        cur.close()


def _fresh(con: duckdb.DuckDBPyConnection, as_of: object = None) -> bool:
    cur = con.cursor()
    execute(cur, "store/session")
    execute(cur, "metrics/macros")
    row = cur.execute("SELECT tn_state_fresh($a)", {"a": as_of}).fetchone()
    cur.close()
    return bool(row and row[0])


def _loads() -> list[list[dict[str, object]]]:
    """Loads whose later events change earlier notifications: an earlier payload row, a
    failed send that later goes out, a duplicate that appears before its original, engagement
    before the sent, a repeated event, and a notification moving to another dedup partition."""
    return [
        [
            sent("a", 10, user="u1", body="same"),
            event("send_failed", "b", 5, template="T", user_id="u2"),
            event("read", "c", 30),
            sent("d", 50, user="u1", body="same"),
            sent("m", 70, template="M", user="u3", body="x"),
            sent("m2", 80, template="M", user="u3", body="x"),
        ],
        [
            sent("a", 8, user="u1", body="same", severity="warning"),  # earlier: new payload
            sent("b", 6, user="u2"),  # the failed send went out after all
            sent("c", 20, user="u4", expires_hours=1),  # read arrived first
            sent("e", 45, user="u1", body="same"),  # between a and d: d's previous changes
            event("read", "a", 60),
            event("read", "a", 60),  # the same event twice in one load
            sent("m", 65, template="M", user="u9", body="x"),  # m leaves m2's partition
        ],
        [
            event("archived", "a", 90),
            event("delivered", "c", 21),
            event("send_failed", "c", 19, template="T", user_id="u4", attempt=3),
            sent("f", 46, user="u1", body="same"),
        ],
    ]


def test_incremental_state_equals_recomputed(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "t.duckdb")
    for i, events in enumerate(_loads()):
        ingest(con, [write_jsonl(tmp_path / f"load{i}.jsonl", events)])
        assert _fresh(con)
        pd.testing.assert_frame_equal(_state_table(con), _state_from_events(con))
    state = _state_table(con).set_index("notification_id")
    assert state.loc["a", "created_at"] < state.loc["e", "created_at"]
    assert pd.isna(state.loc["m2", "prev_created_at"])  # m left its partition
    # loading a file again adds no event and leaves the state as it was
    before = _state_table(con)
    ingest(con, [tmp_path / "load1.jsonl"])
    pd.testing.assert_frame_equal(_state_table(con), before)


def test_state_is_used_only_when_it_covers_as_of(tmp_path: Path) -> None:
    con = db.connect(None)
    ingest(con, [write_jsonl(tmp_path / "r.jsonl", rich_log())])
    last = con.execute("SELECT max(occurred_at) FROM events").fetchone()[0]  # type: ignore[index]
    assert _fresh(con) and _fresh(con, last)
    assert not _fresh(con, last - pd.Timedelta(minutes=1))


def _metrics_both_ways(con: duckdb.DuckDBPyConnection, filters: Filters) -> None:
    fast = compute_metrics(con, filters, config())
    con.execute("UPDATE notification_state_stamp SET events = -1")
    try:
        slow = compute_metrics(con, filters, config())
    finally:
        con.execute("UPDATE notification_state_stamp SET events = (SELECT count(*) FROM events)")
    pd.testing.assert_frame_equal(fast, slow)


def test_metrics_from_state_equal_metrics_from_events(tmp_path: Path) -> None:
    con = db.connect(None)
    ingest(con, [write_jsonl(tmp_path / "r.jsonl", rich_log())])
    ingest(con, [SAMPLE])
    for filters in (Filters(), Filters(severities=("warning",)), Filters(dedup_window_minutes=5)):
        _metrics_both_ways(con, filters)
    assert len(run_query(con, "metrics/notifications", Filters(), config())) > 0


def test_a_database_without_state_is_rebuilt_on_the_next_load(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "old.duckdb")
    for i, events in enumerate(_loads()[:2]):
        ingest(con, [write_jsonl(tmp_path / f"load{i}.jsonl", events)])
    # as a database from before the state existed: events, no state, stamp 0
    con.execute("DELETE FROM notification_state")
    con.execute("UPDATE notification_state_stamp SET events = 0, max_occurred_at = NULL")
    assert not _fresh(con)
    ingest(con, [write_jsonl(tmp_path / "load2.jsonl", _loads()[2])])
    assert _fresh(con)
    pd.testing.assert_frame_equal(_state_table(con), _state_from_events(con))


def test_precomputed_sequences_equal_counting_in_the_window(tmp_path: Path) -> None:
    """Without severity/scope filters, recipients and max_per_user_day come from the state's
    per-(template, recipient) columns; with every scope selected (the same notifications)
    they are counted in the window. Both must agree, day-aligned window or not."""
    con = db.connect(None)
    floods = [sent(f"f{i}", 60 * 24 + i * 30, user="u1", body=f"b{i}") for i in range(30)]
    ingest(con, [write_jsonl(tmp_path / "r.jsonl", rich_log() + floods)])
    ingest(con, [SAMPLE])
    first, last = con.execute("SELECT min(occurred_at), max(occurred_at) FROM events").fetchone()  # type: ignore[misc]
    day = pd.Timestamp(first).normalize() + pd.Timedelta(days=1)
    scopes = tuple(
        str(s)
        for (s,) in run_query(con, "metrics/notifications", Filters(), config())[["scope"]]
        .drop_duplicates()
        .itertuples(index=False)
    )
    windows = [
        (None, None),
        (day.to_pydatetime(), (day + pd.Timedelta(days=2)).to_pydatetime()),
        ((day + pd.Timedelta(hours=7)).to_pydatetime(), pd.Timestamp(last).to_pydatetime()),
    ]
    for since, until in windows:
        fast = compute_metrics(con, Filters(since=since, until=until), config())
        slow = compute_metrics(con, Filters(since=since, until=until, scopes=scopes), config())
        pd.testing.assert_frame_equal(fast, slow)
        assert (fast["max_per_user_day"] > 0).any()
