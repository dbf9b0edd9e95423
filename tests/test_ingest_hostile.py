"""Hostile input: each gets a clear reject reason or error, and no good row is lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest
from template_noise import db
from template_noise.ingest import ingest

GOOD = {
    "event_type": "read",
    "occurred_at": "2026-03-01T10:00:00Z",
    "notification_id": "n1",
    "user_id": "u1",
}


def good(i: int) -> bytes:
    return json.dumps({**GOOD, "notification_id": f"good{i}"}).encode()


def load(
    tmp_path: Path, middle: bytes, name: str = "h.jsonl"
) -> tuple[duckdb.DuckDBPyConnection, list[tuple[int, str | None, str]]]:
    path = tmp_path / name
    path.write_bytes(good(1) + b"\n" + middle + b"\n" + good(3) + b"\n")
    con = db.connect()
    report = ingest(con, [path])
    ids = {r[0] for r in con.execute("SELECT notification_id FROM events").fetchall()}
    assert {"good1", "good3"} <= ids, "a good row was lost"
    return con, [(r.line, r.column, r.reason) for r in report.rejects]


def sent(**extra: object) -> dict[str, object]:
    return {**GOOD, "event_type": "sent", "title": "t", "body": "b", **extra}


@pytest.mark.parametrize(
    ("middle", "reject"),
    [
        (b'{"event_type": "read", "occurred_at": NaN}', (2, "occurred_at", "bad timestamp 'NaN'")),
        (
            b'{"event_type": "sent", "occurred_at": "2026-03-01T10:00:00Z", "notification_id": "x", '
            b'"user_id": "u", "title": "t", "expires_hours": Infinity}',
            (2, "expires_hours", "not a number of hours in [0, 876000] 'Infinity'"),
        ),
        (
            json.dumps(sent(expires_hours=-3)).encode(),
            (2, "expires_hours", "not a number of hours in [0, 876000] '-3'"),
        ),
        (
            json.dumps(sent(expires_hours=10**12)).encode(),
            (2, "expires_hours", "not a number of hours in [0, 876000] '1000000000000'"),
        ),
        (
            json.dumps({**GOOD, "occurred_at": "10000-01-01T00:00:00Z"}).encode(),
            (2, "occurred_at", "timestamp out of range '10000-01-01T00:00:00Z'"),
        ),
        (
            json.dumps({**GOOD, "occurred_at": "0000-01-01T00:00:00Z"}).encode(),
            (2, "occurred_at", "timestamp out of range '0000-01-01T00:00:00Z'"),
        ),
        (
            b'{"event_type": "read", "occurred_at": "2026-03-01T10:00:00Z", "notification_id": "a", '
            b'"notification_id": "b", "user_id": "u1"}',
            (2, "notification_id", "duplicate key 'notification_id' in the JSON object"),
        ),
        (
            b'{"event_type": "read\x00", "occurred_at": "2026-03-01T10:00:00Z"}',
            (2, None, "invalid JSON"),
        ),
        (b'{"event_type": "read", "title": "caf\xe9"}', (2, None, "invalid UTF-8")),
    ],
)
def test_hostile_line_is_rejected_with_its_reason(
    tmp_path: Path, middle: bytes, reject: tuple[int, str | None, str]
) -> None:
    _, rejects = load(tmp_path, middle)
    assert rejects == [reject]


def test_metadata_nested_thousands_deep_loads(tmp_path: Path) -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    line = json.dumps(sent(notification_id="deep"))[:-1] + ', "metadata": ' + deep + "}"
    con, rejects = load(tmp_path, line.encode())
    assert rejects == []
    assert con.execute(
        "SELECT fingerprint IS NOT NULL FROM events WHERE notification_id = 'deep'"
    ).fetchone() == (True,)


def test_line_of_tens_of_megabytes_loads(tmp_path: Path) -> None:
    con, rejects = load(
        tmp_path, json.dumps(sent(notification_id="big", body="x" * (20 << 20))).encode()
    )
    assert rejects == []
    assert con.execute(
        "SELECT length(body) FROM events WHERE notification_id = 'big'"
    ).fetchone() == (20 << 20,)


def test_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes(
        b"\xef\xbb\xbfevent_type,occurred_at,notification_id,user_id\r\n"
        b"read,2026-03-01T10:00:00Z,n1,u1\r\nread,2026-03-01T10:00:01Z,n2,u1\r\n"
    )
    con = db.connect()
    report = ingest(con, [path])
    assert (report.events_loaded, report.rejected) == (2, 0)
    assert con.execute(
        "SELECT list(notification_id ORDER BY notification_id) FROM events"
    ).fetchone() == (["n1", "n2"],)


def test_csv_fields_with_embedded_newlines_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        "event_type,occurred_at,notification_id,user_id,title,body\n"
        'sent,2026-03-01T10:00:00Z,n1,u1,"Say ""hi""","line one\nline two, with comma"\n'
    )
    con = db.connect()
    ingest(con, [path])
    assert con.execute("SELECT title, body FROM events").fetchall() == [
        ('Say "hi"', "line one\nline two, with comma")
    ]


def test_gzip_that_ends_early_keeps_the_lines_before_the_cut(tmp_path: Path) -> None:
    lines = b"".join(good(i) + b"\n" for i in range(2000))
    data = gzip.compress(lines)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    con = db.connect()
    report = ingest(con, [path])
    loaded = con.execute("SELECT count(*), max(source_line) FROM events").fetchone()
    assert loaded is not None and loaded[0] == loaded[1] > 100, (
        "every complete line before the cut loads"
    )
    assert report.rejects[-1].reason == "gzip stream ends early: the rest of the file is missing"
    assert report.rejects[-1].line == report.rejected + loaded[0]
