"""The typed Parquet path: a Parquet log whose columns have the canonical types is read as
it is (no JSON round trip) and must store exactly what the JSON path stores for the same
rows, reject the same lines for the same reasons, and keep every good row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from template_noise import db
from template_noise.ingest import _typed_parquet, ingest

# One row per line; None = the key is absent (NULL in Parquet). Lines 9-14 are bad.
ROWS: list[dict[str, Any]] = [
    {"event_type": "sent", "occurred_at": "2026-03-01 10:00:00", "event_id": "e1",
     "notification_id": "n1", "user_id": "u1", "template": "password_changed",
     "title": "Password changed", "body": "Your password was changed.", "severity": "Info",
     "metadata": '{"b": 1, "a": [1, 2]}', "ctas": '[{"label": "Review", "url": "/sec"}]',
     "expires_hours": 24, "attempt": 2, "dedup_key": " pw:u1 "},
    {"event_type": " Read ", "occurred_at": "2026-03-01 10:05:00.123456",
     "notification_id": "n1", "user_id": "u1"},
    {"event_type": "sent", "occurred_at": "2026-03-01 11:00:00", "notification_id": "n2",
     "user_id": "", "organization_id": "o1", "title": "Unknown sign-in from 203.0.113.7",
     "metadata": "not json", "expires_in_hours": 2.5, "action_url": "/x", "action_label": "Go"},
    {"event_type": "send_failed", "occurred_at": "2026-03-01 11:30:00", "notification_id": "n3",
     "user_id": "u2", "title": "Webhook disabled", "metadata": '{"template": "webhook_off"}',
     "attempt": 1, "error": "timeout"},
    {"event_type": "stream_disconnected", "occurred_at": "2026-03-01 12:00:00", "user_id": "u1",
     "connection_id": "c1"},
    # a snapshot row (no event_type): sent, read and starred events
    {"id": "n4", "created_at": "2026-03-02 09:00:00", "user_id": "u3", "title": "Role changed",
     "severity": "warning", "is_read": True, "starred_at": "2026-03-02 10:00:00",
     "is_archived": False},
    {"event_type": "archived", "occurred_at": "2026-03-02 12:00:00", "notification_id": "n4",
     "user_id": "u3"},
    {"event_type": "delivered", "occurred_at": "2026-03-01 10:00:01", "notification_id": "n1",
     "user_id": "u1", "expires_at": "2026-03-05 00:00:00"},
    # bad lines
    {"event_type": "sent", "occurred_at": "2250-01-01 00:00:00", "notification_id": "n5",
     "user_id": "u1", "title": "Too late"},
    {"event_type": "sent", "occurred_at": "2026-03-01 10:00:00", "notification_id": "n6",
     "user_id": "u1", "title": "Negative", "expires_hours": -1},
    {"event_type": "sent", "occurred_at": "2026-03-01 10:00:00", "notification_id": "n7",
     "user_id": "u1", "title": "Zero attempt", "attempt": 0},
    {"event_type": "sent", "occurred_at": "2026-03-01 10:00:00", "notification_id": "n8",
     "user_id": "u1"},
    {"event_type": "opened", "occurred_at": "2026-03-01 10:00:00", "notification_id": "n9"},
    {"event_type": "read", "occurred_at": "2026-03-01 10:00:00", "user_id": "u1"},
]  # fmt: skip

CANONICAL = {
    "event_type": "VARCHAR", "occurred_at": "TIMESTAMP", "created_at": "TIMESTAMP",
    "event_id": "VARCHAR", "notification_id": "VARCHAR", "id": "VARCHAR", "user_id": "VARCHAR",
    "organization_id": "VARCHAR", "template": "VARCHAR", "title": "VARCHAR", "body": "VARCHAR",
    "severity": "VARCHAR", "action_url": "VARCHAR", "action_label": "VARCHAR",
    "expires_hours": "INTEGER", "expires_in_hours": "DOUBLE", "expires_at": "TIMESTAMP",
    "dedup_key": "VARCHAR", "attempt": "INTEGER", "error": "VARCHAR", "connection_id": "VARCHAR",
    "starred_at": "TIMESTAMP", "is_read": "BOOLEAN", "is_archived": "BOOLEAN",
    "metadata": "VARCHAR", "ctas": "VARCHAR",
}  # fmt: skip


def write_jsonl(path: Path) -> Path:
    path.write_text("".join(json.dumps({k: v for k, v in r.items()}) + "\n" for r in ROWS))
    return path


def write_parquet(
    path: Path, types: dict[str, str] = CANONICAL, rows: list[dict[str, Any]] = ROWS
) -> Path:
    """rows (ROWS by default) as a Parquet file with the given column types (text cast to
    each type)."""
    rel = duckdb.connect()
    rel.execute("SET TimeZone = 'UTC'")
    values = ", ".join(
        "(" + ", ".join("?" for _ in types) + ")" for _ in rows
    )  # one placeholder per cell
    args = [r.get(c) if not isinstance(r.get(c), bool) else r[c] for r in rows for c in types]
    cols = ", ".join(f"CAST(c{i} AS {t}) AS {name}" for i, (name, t) in enumerate(types.items()))
    names = ", ".join(f"c{i}" for i in range(len(types)))
    rel.execute(
        f"COPY (SELECT {cols} FROM (VALUES {values}) v({names})) TO '{path}' (FORMAT parquet)",
        args,
    )
    return path


def load(
    path: Path,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], duckdb.DuckDBPyConnection]:
    con = db.connect()
    ingest(con, [path])
    events = con.execute(
        "SELECT * EXCLUDE (source_file) FROM events ORDER BY source_line, event_type"
    ).fetchall()
    rejects = con.execute(
        "SELECT line, \"column\", split_part(reason, '''', 1) FROM rejects ORDER BY line"
    ).fetchall()
    return events, rejects, con


def test_canonical_types_take_the_typed_path(tmp_path: Path) -> None:
    con = db.connect()
    assert _typed_parquet(con, str(write_parquet(tmp_path / "typed.parquet")))
    # Text timestamps, a nested metadata value and a column whose case differs do not.
    text_ts = {**CANONICAL, "occurred_at": "VARCHAR"}
    assert not _typed_parquet(con, str(write_parquet(tmp_path / "text.parquet", text_ts)))
    struct = tmp_path / "struct.parquet"
    duckdb.sql(f"COPY (SELECT {{'a': 1}} AS metadata) TO '{struct}' (FORMAT parquet)")
    assert not _typed_parquet(con, str(struct))
    upper = tmp_path / "upper.parquet"
    duckdb.sql(f"COPY (SELECT 'sent' AS Event_Type) TO '{upper}' (FORMAT parquet)")
    assert not _typed_parquet(con, str(upper))


@pytest.mark.parametrize("types", ["canonical", "text"])
def test_typed_parquet_stores_what_the_json_path_stores(tmp_path: Path, types: str) -> None:
    json_events, json_rejects, _ = load(write_jsonl(tmp_path / "log.jsonl"))
    chosen = CANONICAL if types == "canonical" else {k: "VARCHAR" for k in CANONICAL}
    pq_events, pq_rejects, _ = load(write_parquet(tmp_path / "log.parquet", chosen))
    # 8 good lines: 7 event rows and a snapshot row of sent + read + starred.
    assert len(json_events) == 10
    assert pq_events == json_events
    assert (
        pq_rejects
        == json_rejects
        == [
            (9, "occurred_at", "timestamp out of range "),
            (10, "expires_hours", "not a number of hours in [0, 876000] "),
            (11, "attempt", "not a positive integer "),
            (12, "title", "missing required column"),
            (13, "event_type", "unknown event_type "),
            (14, "notification_id", "missing required column"),
        ]
    )


def test_typed_parquet_rejects_keep_the_row_text(tmp_path: Path) -> None:
    _, _, con = load(write_parquet(tmp_path / "log.parquet"))
    reason, raw = con.execute("SELECT reason, raw FROM rejects WHERE line = 10").fetchone() or ()
    assert reason == "not a number of hours in [0, 876000] '-1.0'"
    assert json.loads(raw)["notification_id"] == "n6"
    assert json.loads(raw)["expires_hours"] == -1
    assert "__tn_line" not in json.loads(raw)
    out_of_range = con.execute("SELECT reason FROM rejects WHERE line = 9").fetchone()
    assert out_of_range == ("timestamp out of range '2250-01-01 00:00:00'",)


@pytest.mark.parametrize(
    ("lines", "events", "rejected"),
    [
        ([0, 1, 7], 3, []),  # event rows only, all good
        ([0, 1, 11], 2, [12]),  # event rows, one bad: fewer events than rows
        # A snapshot row's three events make up for two bad rows (3 rows, 3 events): the
        # rows without an event type still send the file through the reject checks.
        ([5, 11, 13], 3, [12, 14]),
    ],
)
def test_a_typed_file_whose_rows_all_became_events_has_no_rejects(
    tmp_path: Path, lines: list[int], events: int, rejected: list[int]
) -> None:
    rows = [ROWS[i] for i in lines]
    stored, rejects, _ = load(write_parquet(tmp_path / "some.parquet", rows=rows))
    assert len(stored) == events
    # reject lines are the file's row numbers; named here by their place in ROWS (1-based)
    assert [lines[line - 1] + 1 for line, _, _ in rejects] == rejected
